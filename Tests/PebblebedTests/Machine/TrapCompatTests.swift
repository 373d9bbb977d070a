import Foundation
import Testing

/// Every EFLAGS bit a user program can set, through every way into and out of the kernel
/// (examples/tests/eflags_sweep.c). A set NT used to panic the whole machine at the exit's
/// iretq (exit 70), and NT and ID were dropped on the way back to the guest.
@Suite(.serialized) struct EflagsSweepTests {
    @Test(arguments: ["trap", "fault", "swexn", "timer"])
    func flagsSurvive(mode: String) throws {
        let r = try Guest.run("eflags_sweep", [mode], timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("eflags_sweep: \(mode): 64 flag combinations came back intact"), "\(r)")
        #expect(r.stdout.contains("PASS eflags_sweep"), "\(r)")
        #expect(!r.stderr.contains("kernel panic"), "\(r)")
    }

    /// At 10,000 ticks a second interrupts also land in the exit window, after the flags were
    /// restored halfway (TrapStateTests): the flags must come from the trap frame there too.
    @Test func flagsSurviveInterruptsInTheExitWindow() throws {
        let r = try Guest.run("eflags_sweep", ["timer", "trap"], options: ["--hz", "10000"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS eflags_sweep"), "\(r)")
    }

    /// Seeded runs single-step every guest instruction: each one is a trap of the kernel's,
    /// so a flag lost at any trap shows between the popf and the pushf.
    @Test(arguments: [29])
    func flagsSurviveSingleStepping(seed: Int) throws {
        let r = try Guest.run("eflags_sweep", ["trap", "fault", "swexn", "step"],
                              options: ["--seed", String(seed)], timeout: 120)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("eflags_sweep: step: 64 flag combinations came back intact"), "\(r)")
        #expect(r.stdout.contains("PASS eflags_sweep"), "\(r)")
    }

    /// Keyboard interrupts (SIGIO, one per write to a pipe as stdin) landing while the flags
    /// are set.
    @Test func flagsSurviveKeyboardInterrupts() throws {
        let r = try runFeedingStdin(["run", "--ramdisk", Guest.ramdisk, "eflags_sweep", "keyboard"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("eflags_sweep: keyboard input arrived"), "\(r)")
        #expect(r.stdout.contains("PASS eflags_sweep"), "\(r)")
    }
}

/// Seeded runs single-step with the trap flag; none of it may show to the guest, and a guest's
/// own TF must raise the debug exception it raises unseeded (examples/tests/trap_flag.c).
@Suite(.serialized) struct TrapFlagTests {
    @Test func unseeded() throws {
        let r = try Guest.run("trap_flag", timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS trap_flag"), "\(r)")
    }

    @Test(arguments: [5, 77])
    func seeded(seed: Int) throws {
        let r = try Guest.run("trap_flag", options: ["--seed", String(seed)], timeout: 120)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS trap_flag"), "\(r)")
    }

    /// The kill of a thread that sets TF with no handler reads the same seeded and unseeded:
    /// the same fault, at the same eip, with the same flags.
    @Test func ownTrapFlagKillsAlikeSeededAndUnseeded() throws {
        func killLine(_ options: [String]) throws -> (GuestRun, String?) {
            let r = try Guest.run("trap_flag", ["kill"], options: options, timeout: 120)
            let line = r.stdout.split(separator: "\n").first { $0.contains("killed:") }
            return (r, line.map(String.init))
        }
        let (plain, plainLine) = try killLine([])
        let (seeded, seededLine) = try killLine(["--seed", "3"])
        #expect(plain.stdout.contains("PASS trap_flag"), "\(plain)")
        #expect(seeded.stdout.contains("PASS trap_flag"), "\(seeded)")
        #expect(plainLine?.contains("killed: debug exception, eip 0x") == true, "\(plain)")
        #expect(plainLine != nil && plainLine == seededLine, "unseeded: \(plain)\nseeded: \(seeded)")
    }
}

/// %fs and %gs as a Pebbles program may use them (examples/tests/segments.c): null or the user
/// data selector, kept per thread across every trap and switch and reported in the ureg; any
/// other selector kills the thread with the selector named.
@Suite(.serialized) struct SegmentTests {
    @Test func selectorsArePreservedAndReported() throws {
        let r = try Guest.run("segments", options: ["--audit"], timeout: 120)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS segments"), "\(r)")
        #expect(!r.stdout.contains("LEAK"), "\(r)")
    }

    /// At --hz 10000 ticks land in the exit window often. This run also had two tasks that
    /// yield to each other and refill their pages after every switch make no progress in a
    /// debug build (Scheduler.restartSlice; it hung in 3 of 8 runs under load before).
    @Test func selectorsSurviveInterruptsInTheExitWindow() throws {
        let r = try Guest.run("segments", options: ["--hz", "10000"], timeout: 120)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS segments"), "\(r)")
    }

    @Test func selectorsSurviveSingleStepping() throws {
        let r = try Guest.run("segments", ["notimer"], options: ["--seed", "11"], timeout: 120)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS segments"), "\(r)")
    }

    static let kills: [(mode: String, selector: String)] = [
        ("fs-0x23", "0x0023"), ("fs-0x7b", "0x007b"), ("gs-0x33", "0x0033"),
        // A null DS or ES is reported as selector 0 (it used to read 0xfffe).
        ("ds-0", "0x0000"), ("es-0", "0x0000"),
        // 64-bit code reading through %fs after the kernel loaded 0x2b back: FS base 0, so the
        // read faults (in 64-bit mode, reported as the code segment) and nothing leaks.
        ("fsbase", "0x0033"),
    ]

    @Test(arguments: kills.map(\.mode))
    func otherSelectorsKill(mode: String) throws {
        let selector = Self.kills.first { $0.mode == mode }!.selector
        let r = try Guest.run("segments", ["kill", mode], timeout: 30)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("segments: \(mode) -> status -2"), "\(r)")
        #expect(r.stdout.contains("Thread 2 of task 2 (segments) killed: loaded segment selector \(selector)"), "\(r)")
        #expect(!r.stdout.contains("LEAK"), "\(r)")
    }
}

/// Hosts without FSGSBASE (Linux before 5.9) restore the FS base with arch_prctl, which also
/// sets FS to 0; PEBBLEBED_TEST_NO_FSGSBASE runs that path here. A guest's null load into FS
/// clears the base on this CPU while FS still reads 0: the kernel then ran on FS base 0 and
/// hung in its first lock (segments hung before that was handled).
@Suite(.serialized) struct NoFSGSBaseTests {
    @Test(arguments: [["segments"], ["eflags_sweep"], ["guard_hostcall"], ["--hz", "10000", "segments"]])
    func trapPathWithoutFSGSBase(arguments: [String]) throws {
        let program = arguments.first { !$0.hasPrefix("-") && Int($0) == nil }!
        let r = try runFeedingStdin(["run", "--ramdisk", Guest.ramdisk] + arguments, feed: false,
                                    environment: ["PEBBLEBED_TEST_NO_FSGSBASE": "1"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS \(program)"), "\(r)")
        #expect(!r.stdout.contains("LEAK"), "\(r)")
    }
}

/// Runs the binary with a pipe as stdin and, with `feed`, writes a line into it every 10 ms
/// until it exits: each write is a keyboard interrupt (SIGIO) while the guest runs.
private func runFeedingStdin(_ arguments: [String], feed: Bool = true, environment: [String: String] = [:],
                             timeout: Double) throws -> GuestRun {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
    try Data().write(to: out)
    try Data().write(to: err)
    let input = Pipe()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Guest.binary)
    p.arguments = arguments
    p.standardOutput = try FileHandle(forWritingTo: out)
    p.standardError = try FileHandle(forWritingTo: err)
    p.standardInput = input
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    // A write after the emulator exited must be an EPIPE error, not a SIGPIPE for the runner.
    signal(SIGPIPE, SIG_IGN)
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    var timedOut = false
    let line = Data("k\n".utf8)
    while p.isRunning {
        if Date() > deadline { timedOut = true; kill(p.processIdentifier, SIGKILL); break }
        if feed { try? input.fileHandleForWriting.write(contentsOf: line) }
        usleep(10_000)
    }
    try? input.fileHandleForWriting.close()
    p.waitUntilExit()
    return GuestRun(status: p.terminationStatus,
                    stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                    stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "",
                    timedOut: timedOut)
}
