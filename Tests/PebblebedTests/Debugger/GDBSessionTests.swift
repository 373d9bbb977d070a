import Foundation
import Testing

/// A real gdb, in batch mode, against the kernel's gdb stub (`pebblebed run --gdb-batch`):
/// the debugging session of issue 16 on guests built at -O0 (examples/tests/gdb_*.c).
/// gdb is installed by the project's setup (scripts/check-tools, .ci/run).
@Suite(.enabled(if: Guest.hasProgram("gdb_threads") && Guest.hasProgram("gdb_first") && Guest.hasProgram("gdb_ticks")))
struct GDBSessionTests {
    /// Runs gdb with `commands` against `program`; the command file lives in a directory
    /// removed afterwards.
    static func session(_ program: String, _ commands: [String], options: [String] = [],
                        timeout: Double = 120) throws -> GuestRun {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-gdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("session.gdb")
        try (commands.joined(separator: "\n") + "\n").write(to: script, atomically: true, encoding: .utf8)
        return try Guest.launch(["run", "--ramdisk", Guest.ramdisk] + options + ["--gdb-batch", script.path, program],
                                timeout: timeout)
    }

    /// The lines of `output` in order: each expected line must come after the previous one.
    static func expectInOrder(_ output: String, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        var rest = output[...]
        for line in expected {
            guard let r = rest.range(of: line) else {
                Issue.record("missing (in this order): \(line)\n--- output\n\(output)", sourceLocation: sourceLocation)
                return
            }
            rest = rest[r.upperBound...]
        }
    }

    @Test func gdbIsInstalled() {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gdb", "--version"]
        p.standardOutput = FileHandle.nullDevice
        #expect(throws: Never.self) { try p.run() }
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "gdb is needed: scripts/check-tools says how to install it")
    }

    @Test func twoThreadSessionAtO0() throws {
        let r = try Self.session("gdb_threads", [
            "break add_squares",
            "continue",
            "info args",
            "next",
            "next",
            "step",
            "bt",
            "finish",
            "next",
            "next",
            "print i",
            "print sum",
            "break square",
            "continue",
            "info args",
            "info threads",
            "x/4i $pc",
            "info registers eip",
            "print total",
            "print/x $eflags",
            "print $mxcsr",
            "delete",
            "watch flag",
            "continue",
            "delete",
            "continue",
        ], options: ["--audit"])
        #expect(r.status == 0, "gdb and the machine end cleanly: \(r)")
        Self.expectInOrder(r.stdout, [
            "_main () at lib/crt0.S",                                     // stopped before the first instruction
            "Breakpoint 1 at 0x",
            "Thread 1 hit Breakpoint 1, add_squares (n=3) at tests/gdb_threads.c:24",
            "n = 3",
            "27\t    for (i = 1; i <= n; i++)",                           // next
            "28\t        sum += square(i);",                              // next
            "square (x=1) at tests/gdb_threads.c:18",                     // step into the call
            "#0  square (x=1) at tests/gdb_threads.c:18",
            "#1  0x", " in add_squares (n=3) at tests/gdb_threads.c:28",
            "#2  0x", " in main (argc=1, argv=0x",
            "Value returned is $1 = 1",                                   // finish
            "27\t    for (i = 1; i <= n; i++)",                           // around the loop
            "28\t        sum += square(i);",
            "$2 = 2",                                                     // local i, second round
            "$3 = 1",                                                     // local sum
            "Breakpoint 2 at 0x",
            "Thread 1 hit Breakpoint 2, square (x=2) at tests/gdb_threads.c:18",
            "x = 2",
            "Thread 1 (task 1 (gdb_threads), stopped here",               // info threads: both
            "Thread 2 (task 1 (gdb_threads), runnable)",
            "=> 0x", "<square+6>:\tmov    0x8(%ebp),%eax",                // i386 decoding
            "<square+9>:\timul   %eax,%eax",
            "eip            0x", "<square+6>",
            "$4 = 0",                                                     // global total, not set yet
            "$5 = 0x2",                                                   // eflags
            "$6 = [ IM DM ZM OM UM PM ]",                                 // mxcsr 0x1f80 from the trap frame
            "Hardware watchpoint 3: flag",
            "Thread 2 hit Hardware watchpoint 3: flag",                   // the other thread wrote it
            "Old value = 0",
            "New value = 42",
            "worker (arg=0x2) at tests/gdb_threads.c:",
            "gdb_threads: total 14 flag 42",                              // deleted: runs to the end
            "[Inferior 1 (Remote target) exited normally]",
        ])
        #expect(!r.stdout.contains("Reading symbols"), "no symbol noise: \(r)")
        #expect(!r.stdout.contains("Error") && !r.stderr.contains("Error"), "\(r)")
    }

    @Test func mainAtTheFirstByteOfText() throws {
        let r = try Self.session("gdb_first", [
            "info symbol 0x1000000",
            "break main",
            "continue",
            "info registers eip",
            "hbreak count_to",
            "continue",
            "info args",
            "bt",
            "finish",
            "next",
            "print got",
            "continue",
        ])
        #expect(r.status == 0, "\(r)")
        Self.expectInOrder(r.stdout, [
            "_main () at lib/crt0.S",
            "main in section .text",                                      // main is the first byte of text
            "Breakpoint 1, main (argc=1, argv=0x",
            "eip            0x",
            "Hardware assisted breakpoint 2 at 0x",                       // Z1
            "Breakpoint 2, count_to (n=5) at tests/gdb_first.c:",
            "n = 5",
            "#0  count_to (n=5) at tests/gdb_first.c:",
            "#1  0x", " in main (argc=1, argv=0x",
            "Value returned is $1 = 5",
            "$2 = 5",
            "gdb_first: counted to 5",
            "[Inferior 1 (Remote target) exited normally]",
        ])
    }

    @Test func monitorCommandsShowTheKernelsView() throws {
        let r = try Self.session("gdb_threads", [
            "break square",
            "continue",
            "monitor ps",
            "monitor pt",
            "monitor frames",
            "monitor sched",
            "monitor log",
            "monitor nonsense",
            "kill",
        ])
        // gdb prints monitor output on its stderr (with the kernel log, in order).
        Self.expectInOrder(r.stderr, [
            "TASK  PROGRAM           STATUS  PARENT  THREADS",
            "1     gdb_threads       0       -       2",
            "thread 1: stopped here (was running), eip 0x",
            "thread 2: runnable, eip 0x",
            "page table of task 1 (gdb_threads), via thread 1",
            "0x01000000-0x", "r-    private",                           // text, read-only
            "ZFOD",                                                       // the autostack reserve
            "new_pages regions: ",
            "frames: ", "used ", "free ", "reserved ",
            "ticks ", "current: thread 1 (gdb_threads)", "run queue: 2",
            "pebblebed: gdb connected",                                   // monitor log
            "unknown monitor command \"nonsense\"",
        ])
        #expect(r.status == 137, "kill from gdb halts the machine: \(r)")
    }

    /// Stepping over a breakpoint on the `int` of a blocking call (main's deschedule in
    /// thr_join) resumes main alone; when the call blocks, the other threads must run (the
    /// worker ends and wakes it), or the machine would wait forever.
    @Test func steppingOverABlockingCallLetsTheOthersRun() throws {
        let r = try Self.session("gdb_threads", ["break *(deschedule+5)", "continue", "x/i $pc", "continue"],
                                 timeout: 60)
        #expect(!r.timedOut, "\(r)")
        Self.expectInOrder(r.stdout, [
            "Thread 1 hit Breakpoint 1, deschedule ()",
            "=> 0x", "<deschedule+5>:\tint    $0x",
            "total 14 flag 42",
            "[Inferior 1 (Remote target) exited normally]",
        ])
    }

    /// gdb's writes change what the guest computes: a local on the stack (M), a register (P),
    /// an SSE register (the trap frame's xsave area).
    @Test func writesToMemoryAndRegistersReachTheGuest() throws {
        let r = try Self.session("gdb_threads", [
            "break square", "continue",
            "set var x = 5", "finish",
            "set var $eax = 100",
            "set var $xmm1.v4_int32[2] = 77", "print $xmm1.v4_int32",
            "print/x $fctrl",
            "delete", "continue",
        ])
        #expect(r.status == 0, "\(r)")
        Self.expectInOrder(r.stdout, [
            "square (x=1)",
            "Value returned is $1 = 25",            // square(5): the stack write reached the guest
            "$2 = {0, 0, 77, 0}",
            "$3 = 0x37f",
            "gdb_threads: total 113 flag 42",       // 100 + 4 + 9: the eax write did too
        ])
    }

    /// A breakpoint in text that forked children share stops every child, and stepping one
    /// thread over it (gdb takes the breakpoints out meanwhile) lets no other thread run past
    /// it: a timer tick during that step must not switch threads.
    @Test func breakpointsStopEveryForkedChild() throws {
        // --audit: the private text copies the breakpoints made are accounted and freed.
        let r = try Self.session("fork_wait", ["break exit"] + Array(repeating: "continue", count: 5) + ["delete", "continue"],
                                 options: ["--audit"])
        #expect(r.status == 0, "\(r)")
        for status in 20...24 {
            #expect(r.stdout.contains("hit Breakpoint 1, exit (status=\(status))"), "child with status \(status): \(r)")
        }
        #expect(r.stdout.contains("PASS fork_wait") && r.stdout.contains("exited normally"), "\(r)")
    }

    /// Read and access watchpoints (Z3, Z4): main writes `total`, the worker reads `go` (only
    /// it does), main reads `total` after joining the worker.
    @Test func readAndAccessWatchpoints() throws {
        let r = try Self.session("gdb_threads", [
            "awatch total", "continue", "delete",
            "rwatch go", "continue", "delete",
            "awatch total", "continue", "delete",
            "continue",
        ])
        #expect(r.status == 0, "\(r)")
        Self.expectInOrder(r.stdout, [
            "Hardware access (read/write) watchpoint 1: total",
            "Thread 1 hit Hardware access (read/write) watchpoint 1: total", "Old value = 0", "New value = 14",
            "Hardware read watchpoint 2: go",
            "Thread 2 hit Hardware read watchpoint 2: go", "Value = ",
            "in worker (arg=0x2) at tests/gdb_threads.c:",
            "Hardware access (read/write) watchpoint 3: total",
            "Thread 1 hit Hardware access (read/write) watchpoint 3: total", "Value = 14",
            "gdb_threads: total 14 flag 42",
            "[Inferior 1 (Remote target) exited normally]",
        ])
    }

    /// A guest fault stops in gdb before it is delivered; continuing passes it on (here the
    /// thread's swexn handler first, then the kill), and the run ends with the status.
    @Test func guestFaultStopsThenIsDelivered() throws {
        let r = try Self.session("fault_div0", ["continue", "x/i $pc", "continue", "continue"])
        Self.expectInOrder(r.stdout, [
            "fault_div0: dividing by zero",
            "Program received signal SIGFPE, Arithmetic exception.",
            "in main (argc=1, argv=0x", "=> 0x", "idiv   %ecx",
            "killed: divide error",
            "[Inferior 1 (Remote target) exited with code 0376]",
        ])
        #expect(r.status == 254, "status -2, as without gdb: \(r)")
    }

    /// A page fault the guest is not allowed stops at the faulting instruction as SIGSEGV
    /// before the kernel delivers it; the guest's own int3 stops as SIGTRAP and, continued
    /// without the signal (gdb's default for SIGTRAP), is not delivered: as under native gdb.
    @Test func segfaultAndTheGuestsOwnInt3StopInGdb() throws {
        let segv = try Self.session("fault_null", ["continue", "x/i $pc", "continue", "continue"])
        Self.expectInOrder(segv.stdout, [
            "fault_null: reading address 0",
            "Program received signal SIGSEGV, Segmentation fault.",
            "tests/fault_null.c:8", "=> 0x", "mov    0x0,%eax",
            "killed: page fault (read) at address 0x00000000",
            "[Inferior 1 (Remote target) exited with code 0376]",
        ])
        #expect(segv.status == 254, "\(segv)")
        let trap = try Self.session("fault_int3", ["continue", "continue"])
        Self.expectInOrder(trap.stdout, [
            "Program received signal SIGTRAP, Trace/breakpoint trap.",
            "FAIL fault_int3: survived int3",   // the program's own verdict: it was not killed
        ])
    }

    /// Time spent stopped is not guest time: the machine stays stopped at `marker` for 1.5 s
    /// (the elapsed time is what is tested, not a race hidden by a delay), and the ticks the
    /// guest reads on both sides differ by far less than the 150 that passed at 100 Hz.
    @Test func ticksDoNotRaceAheadWhileStopped() throws {
        let r = try Self.session("gdb_ticks", ["break marker", "continue", "shell sleep 1.5", "delete", "continue"])
        #expect(r.status == 0, "\(r)")
        let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("gdb_ticks: ") }, "\(r)")
        let ticks = Int(line.dropFirst("gdb_ticks: ".count).prefix { $0.isNumber }) ?? -1
        #expect(ticks >= 0 && ticks < 20, "\(line)")
    }

    /// A seeded run replays under gdb: the same stops, the same registers, the same virtual
    /// time every time, and the program's output is the seed's.
    @Test func seededRunStopsAtTheSamePlacesEveryTime() throws {
        let commands = [
            "break square", "continue", "continue", "continue",
            "monitor sched", "info registers", "delete", "continue",
        ]
        let a = try Self.session("gdb_threads", commands, options: ["--seed", "11"])
        let b = try Self.session("gdb_threads", commands, options: ["--seed", "11"])
        #expect(a.status == 0 && b.status == 0, "\(a)\n\(b)")
        Self.expectInOrder(a.stdout, ["square (x=3)", "eax", "gdb_threads: total 14 flag 42"])
        Self.expectInOrder(a.stderr, ["ticks ", "seeded (virtual time)"])
        #expect(a.stdout == b.stdout, "the same seed, the same session:\n\(a.stdout)\n---\n\(b.stdout)")
        let schedA = a.stderr.split(separator: "\n").filter { $0.hasPrefix("ticks ") || $0.hasPrefix("run queue") }
        let schedB = b.stderr.split(separator: "\n").filter { $0.hasPrefix("ticks ") || $0.hasPrefix("run queue") }
        #expect(!schedA.isEmpty && schedA == schedB, "the same virtual time at the stop: \(schedA) \(schedB)")
        let plain = try Guest.run("gdb_threads", options: ["--seed", "11"])
        #expect(plain.stdout.contains("gdb_threads: total 14 flag 42"), "\(plain)")
    }

    /// The interleaving a seed gives without gdb is the one gdb sees: prints of four threads
    /// (race_print), and of three tasks with the breakpoint in the text they share after fork
    /// (gdb_fork_print), come out in the same order with breakpoints hit and instructions
    /// stepped on the way (the recipe for debugging a failing stress seed).
    @Test(.enabled(if: Guest.hasProgram("race_print")), arguments: [
        ("race_print", "print", 3), ("race_print", "print", 5),
        ("gdb_fork_print", "step_line", 1), ("gdb_fork_print", "step_line", 3),
    ])
    func seededInterleavingIsTheSameUnderGdb(program: String, function: String, seed: Int) throws {
        let plain = try Guest.run(program, options: ["--seed", "\(seed)"])
        let debugged = try Self.session(program, [
            "break \(function)", "continue", "continue", "continue", "stepi", "stepi", "delete", "continue",
        ], options: ["--seed", "\(seed)"])
        // The program's own lines: race_print's, or gdb_fork_print's "p3", "a10", ...
        let lines = { (s: String) in
            s.split(separator: "\n").filter {
                $0.hasPrefix("race_print t") || ($0.count <= 3 && "pab".contains($0.first!) && $0.dropFirst().allSatisfy(\.isNumber))
            }
        }
        #expect(debugged.stdout.components(separatedBy: "Breakpoint 1, ").count == 4, "three stops: \(debugged)")
        #expect(lines(plain.stdout).count >= 36, "\(plain)")
        #expect(lines(debugged.stdout) == lines(plain.stdout), "\(program) seed \(seed): \(debugged)")
    }

    /// An interleaving `pebblebed explore` found replays under gdb (issue 16, 4): the lost
    /// wake-up's schedule, with gdb stopping at a function of the program, at a thread-library
    /// entry that is also one of the kernel's preemption points (the same byte holds both
    /// int3s), stepping across that point and continuing, ends in the very deadlock the plain
    /// replay reports, and two sessions print the same bytes. The kernel's int3s stay hidden
    /// from gdb's reads (`x/i` shows the real first instruction).
    @Test(.enabled(if: Guest.hasProgram("explore_lost_wakeup")))
    func exploredScheduleReplaysUnderGdb() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-gdb-explore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let schedule = dir.appendingPathComponent("bug.schedule").path
        let found = try Guest.launch(["explore", "--no-progress", "--budget", "120", "--ramdisk", Guest.ramdisk,
                                      "--schedule-out", schedule, "explore_lost_wakeup"], timeout: 180)
        #expect(found.status == 1, "\(found)")
        #expect(found.stdout.contains("Replay under gdb: pebblebed run --gdb --schedule \(schedule)"), "\(found)")
        let plain = try Guest.run("explore_lost_wakeup", options: ["--schedule", schedule], timeout: 60)
        #expect(plain.status == 3 && plain.stdout.contains("deadlock: every thread is blocked"), "\(plain)")
        let commands = [
            "break waiter", "continue",
            "x/i mutex_unlock",
            "break mutex_unlock", "continue", "stepi", "stepi", "continue", "stepi", "bt",
            "delete", "continue",
        ]
        let a = try Self.session("explore_lost_wakeup", commands, options: ["--schedule", schedule])
        let b = try Self.session("explore_lost_wakeup", commands, options: ["--schedule", schedule])
        #expect(a.status == 3, "the replay's exit status, as without gdb: \(a)")
        Self.expectInOrder(a.stdout, [
            "Thread 2 hit Breakpoint 1, waiter (arg=0x0) at tests/explore_lost_wakeup.c:",
            "<mutex_unlock>:\tmov    0x4(%esp),%eax",               // not the kernel's int3
            "Thread 2 hit Breakpoint 2, mutex_unlock (mp=0x", "<m>)",
            "Thread 1 hit Breakpoint 2, mutex_unlock (mp=0x",      // the schedule switched threads
            "#2  0x", " in main () at tests/explore_lost_wakeup.c:",
            plain.stdout.trimmingCharacters(in: .whitespacesAndNewlines),   // the same deadlock report
            "[Inferior 1 (Remote target) exited with code 03]",
        ])
        #expect(!a.stdout.contains("int3"), "\(a)")
        #expect(a.stdout == b.stdout && a.status == b.status, "two sessions differ:\n\(a.stdout)\n---\n\(b.stdout)")
    }

    /// Seeded decisions at points (`--seed S --points`, the fast stress mode) replay under gdb
    /// too: race_print's lines come out in the seed's order with breakpoints (one on
    /// thr_join, a preemption point) and steps on the way.
    @Test(.enabled(if: Guest.hasProgram("race_print")), arguments: [3, 5])
    func seededPointsInterleavingIsTheSameUnderGdb(seed: Int) throws {
        let options = ["--seed", "\(seed)", "--points"]
        let plain = try Guest.run("race_print", options: options)
        let debugged = try Self.session("race_print", [
            "break print", "break thr_join", "continue", "continue", "continue", "stepi", "stepi",
            "continue", "stepi", "delete", "continue",
        ], options: options)
        let lines = { (s: String) in s.split(separator: "\n").filter { $0.hasPrefix("race_print t") } }
        #expect(debugged.status == 0, "\(debugged)")
        #expect(debugged.stdout.components(separatedBy: "hit Breakpoint 1, print ").count == 5, "four stops: \(debugged)")
        #expect(lines(plain.stdout).count >= 36, "\(plain)")
        #expect(lines(debugged.stdout) == lines(plain.stdout), "seed \(seed) at points: \(debugged)")
    }
}
