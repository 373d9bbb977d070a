import Foundation
import Testing
@testable import Pebblebed

/// `pebblebed explore` on the textbook bugs (examples/tests/explore_*.c): it finds each one,
/// the schedule it writes replays the failure byte for byte, and the correct twins come out
/// clean with the space exhausted.
@Suite(.serialized) struct ExploreGuestTests {
    /// Program, and what the report must say about its bug.
    static let bugs: [(program: String, message: String)] = [
        ("explore_lost_wakeup", "deadlock: every thread is blocked and nothing can wake one"),
        ("explore_cond_if", "FAIL explore_cond_if: consumer took from an empty buffer"),
        ("explore_unlock_error", "deadlock: every thread is blocked or spins in yield"),
        ("explore_lock_order", "deadlock: every thread is blocked or spins in yield"),
        // These two need the data-race points: no call sits between the racing instructions.
        ("explore_test_then_set", "FAIL explore_test_then_set: counter is 1, expected 2"),
        ("explore_counter", "FAIL explore_counter: counter is"),
        // A race the default interleaving orders by chance: found by watching later runs.
        ("explore_hidden_race", "FAIL explore_hidden_race: saw the pair torn"),
        // A consumer killed by a NULL dereference (then its joiner waits forever).
        ("explore_publish", "killed: page fault (read) at address 0x00000000"),
        // Use after thr_exit: a pointer into the producer's stack, used after thr_join
        // unmapped it (the consumer preempted between taking the pointer and using it).
        ("explore_exit_use", "Thread 3 of task 1 (explore_exit_use) killed: page fault (read) at address 0xfe"),
        // A make_runnable before the store to the flag the waiter deschedules on: only the
        // race of that store with the kernel's read at deschedule orders them (found because
        // race watching counts that read; DPOR's deschedule footprint is its thread and word).
        ("explore_wake_early", "deadlock: every thread is blocked and nothing can wake one"),
        // A test-then-set lock whose critical section is counted with atomic adds: the only
        // points inside it are those atomic instructions (RaceDetector.sharedAtomics).
        ("explore_atomic_count", "FAIL explore_atomic_count: two threads are inside the critical section at once"),
        // A race between a data-race point and a third instruction, shown only by a later
        // watched run that records the point's own access (aRacePointsOwnAccessIsWatched).
        ("explore_point_race", "FAIL explore_point_race: read x twice and saw it change"),
    ]

    /// Explores `program`; the schedule file is removed again unless the caller `keep`s it
    /// (and removes it itself): runs that find a bug write one, and tests leave nothing behind.
    static func explore(_ program: String, _ extra: [String] = [], budget: Int = 120, keep: Bool = false) throws -> (GuestRun, String) {
        let schedule = FileManager.default.temporaryDirectory.appendingPathComponent("explore-\(UUID().uuidString).schedule").path
        defer { if !keep { try? FileManager.default.removeItem(atPath: schedule) } }
        let r = try Guest.launch(["explore", "--no-progress", "--budget", String(budget), "--ramdisk", Guest.ramdisk,
                                  "--schedule-out", schedule] + extra + [program], timeout: Double(budget) + 60)
        return (r, schedule)
    }

    @Test(arguments: bugs.map(\.program))
    func findsTheBugAndItsScheduleReplaysExactly(program: String) throws {
        let message = Self.bugs.first { $0.program == program }!.message
        let (r, schedule) = try Self.explore(program, keep: true)
        defer { try? FileManager.default.removeItem(atPath: schedule) }
        #expect(r.status == 1, "explore must exit 1 on a bug: \(r)")
        #expect(r.stdout.contains("BUG FOUND after "), "\(r)")
        #expect(r.stdout.contains(message), "\(r)")
        #expect(r.stdout.contains("Preemption trace"), "\(r)")
        let replay = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("Replay:") }, "\(r)")
        #expect(replay.hasSuffix("pebblebed run --schedule \(schedule) --ramdisk \(Guest.ramdisk) \(program)"), "\(replay)")
        let text = try String(contentsOfFile: schedule, encoding: .utf8)
        // A choice the default run does not make: a preemption, or a free one (`next`: since
        // the conservative branches, the missing unlock and the use after thr_exit are found
        // with free choices alone, a thread picked after another blocked or ended).
        #expect(text.contains("preempt ") || text.contains("next "), "a bug in the default run? \(text)")

        // The replay shows the same bug, and two replays print the very same bytes.
        let a = try Guest.run(program, options: ["--schedule", schedule], timeout: 60)
        let b = try Guest.run(program, options: ["--schedule", schedule], timeout: 60)
        #expect(a.status != 0, "\(a)")
        #expect((a.stdout + a.stderr).contains(message), "\(a)")
        #expect(a.stdout == b.stdout && a.status == b.status, "replays differ:\n\(a)\n\(b)")
    }

    @Test(arguments: bugs.map { $0.program + "_ok" })
    func correctTwinIsClean(program: String) throws {
        let (r, _) = try Self.explore(program)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("No bug found: space exhausted"), "\(r)")
    }

    /// Which thread runs after a yield is a free choice among the others: explore_yield_pick
    /// expects the first worker it started to run first after main yields, and explore finds
    /// the other order without a single preemption (before, the queue's head always ran
    /// after a yield and the search came out clean at bound 0); the schedule says `next` at
    /// the yield and replays the bug.
    @Test func aThreadPickedAfterAYieldIsAFreeChoice() throws {
        let (r, schedule) = try Self.explore("explore_yield_pick", ["--max-preemptions", "0"], keep: true)
        defer { try? FileManager.default.removeItem(atPath: schedule) }
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("FAIL explore_yield_pick: worker 2 logged first"), "\(r)")
        #expect(r.stdout.contains("with 0 preemptions"), "\(r)")
        #expect(r.stdout.contains("(yielded)"), "the trace row of the yield: \(r)")
        let text = try String(contentsOfFile: schedule, encoding: .utf8)
        #expect(text.contains("\nnext ") && !text.contains("preempt "), "\(text)")
        let a = try Guest.run("explore_yield_pick", options: ["--schedule", schedule], timeout: 60)
        #expect(a.status == 1 && a.stdout.contains("worker 2 logged first"), "\(a)")
        // Without the schedule the creation order holds.
        let plain = try Guest.run("explore_yield_pick", timeout: 60)
        #expect(plain.status == 0 && plain.stdout.contains("PASS explore_yield_pick"), "\(plain)")
    }

    /// Free choices do not starve preemptions: race_broken_deschedule (60 rounds of a
    /// ping-pong with a lost wake-up, a watchdog yielding meanwhile) has so many schedules of
    /// free choices alone that a search ordered by preemptions never left 0 of them (2,440
    /// runs in 20 s, no bug); ordered by depth it tries the one preemption the bug needs
    /// within a few dozen runs (Exploration).
    @Test func aLongProgramsFreeChoicesDoNotStarveItsPreemptions() throws {
        let (r, _) = try Self.explore("race_broken_deschedule", budget: 60)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("lost wakeup") || r.stdout.contains("deadlock"), "\(r)")
        #expect(r.stdout.contains("with 1 preemption"), "\(r)")
    }

    /// A read through a pointer into another thread's stack is watched (its stack is another
    /// new_pages region, though within 16 KiB: Kernel.ownFrame) and races with thr_join's
    /// remove_pages of that stack (RaceDetector.kernelUnmap): explore_exit_use's consumer read
    /// becomes a data-race point, where its bug shows. (That is what lets remove_pages
    /// depend on its region's words instead of everything: RemovePagesFootprintTests.)
    @Test func anUnmappedStackRacesWithAReadThroughAPointerIntoIt() throws {
        let (r, _) = try Self.explore("explore_exit_use")
        #expect(r.status == 1 && r.stdout.contains("data-race in consumer"), "\(r)")
    }

    /// Without its schedule the lost wake-up does not happen: the default run (no
    /// preemption) passes, so the replay above is the schedule's doing.
    @Test func theEmptyScheduleRunsTheDefaultInterleaving() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).schedule").path
        try "# pebblebed schedule v1\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try Guest.run("explore_lost_wakeup", options: ["--schedule", file], timeout: 60)
        #expect(r.status == 0 && r.stdout.contains("PASS explore_lost_wakeup"), "\(r)")
    }

    /// A schedule made for another program names a thread that cannot run at its point.
    @Test func aScheduleThatDoesNotFitIsReported() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("misfit-\(UUID().uuidString).schedule").path
        try "# pebblebed schedule v1\npreempt 3 9\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try Guest.run("explore_counter", options: ["--schedule", file], timeout: 60)
        #expect(r.status == 3 && r.stdout.contains("the schedule does not fit this run: at point 3 thread 9"), "\(r)")
    }

    /// A free choice (`next POINT THREAD`): after point D is served, if its thread blocked or
    /// ended there, the named thread runs next instead of the run queue's head (Kernel.freePick).
    /// The stops are found by naming a thread that cannot run (the mismatch names the queue);
    /// at the first with two runnable threads, the first point after it is run by the head
    /// by default and by the other thread when the schedule names it (a preemption asked for
    /// there names who else could run: the mismatch again).
    @Test func aFreeChoiceRunsTheNamedThreadAfterAStop() throws {
        let program = "explore_cond_if_ok"
        func run(_ lines: String) throws -> GuestRun {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("next-\(UUID().uuidString).schedule").path
            try "# pebblebed schedule v1\n\(lines)".write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            return try Guest.run(program, options: ["--schedule", file], timeout: 60)
        }
        func runnable(_ r: GuestRun, _ what: String) -> [String] {
            guard let line = r.stdout.split(separator: "\n").first(where: { $0.contains(what) }),
                  let open = line.range(of: "(runnable: ") else { return [] }
            return line[open.upperBound...].dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        var stop: (point: Int, queue: [String])?
        for d in 0..<80 {
            let r = try run("next \(d) 99\n")
            let q = runnable(r, "after point \(d) thread 99 cannot run next")
            if q.isEmpty { continue }
            #expect(r.status == 3, "\(r)")
            if q.count >= 2 { stop = (d, q); break }
        }
        let (d, queue) = try #require(stop, "no stop with two runnable threads in the first 80 points")
        let byDefault = runnable(try run("preempt \(d + 1) 99\n"), "at point \(d + 1) thread 99 cannot run")
        let chosen = runnable(try run("next \(d) \(queue[1])\npreempt \(d + 1) 99\n"), "at point \(d + 1) thread 99 cannot run")
        // By default the head runs on to point d+1 (the other is still queued); chosen, the other.
        #expect(byDefault.contains(queue[1]) && !byDefault.contains(queue[0]), "\(byDefault) for queue \(queue)")
        #expect(chosen.contains(queue[0]) && !chosen.contains(queue[1]), "\(chosen) for queue \(queue)")
        // And the run with the choice alone ends as the program does, the same every time.
        let a = try run("next \(d) \(queue[1])\n"), b = try run("next \(d) \(queue[1])\n")
        #expect(a.status == 0 && a.stdout.contains("PASS"), "\(a)")
        #expect(a.stdout == b.stdout)
    }

    @Test func aBadScheduleFileIsRefusedWithItsLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).schedule").path
        try "# pebblebed schedule v1\npreempt x 2\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try Guest.run("explore_lost_wakeup", options: ["--schedule", file], timeout: 60)
        #expect(r.status != 0 && r.stderr.contains("line 2"), "\(r)")
    }

    /// Without the data-race run the unprotected counter has no point between its load and
    /// its store, and the whole space within the bound is clean: the race points find it.
    @Test func theCounterNeedsTheDataRacePoints() throws {
        let (plain, _) = try Self.explore("explore_counter", ["--no-races"])
        #expect(plain.status == 0 && plain.stdout.contains("space exhausted"), "\(plain)")
        let (r, _) = try Self.explore("explore_counter")
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("data-race in adder") || r.stdout.contains("data-race in main"), "\(r)")
    }

    /// A planted function whose first instruction is `sub $imm, %esp` (carried out by the
    /// kernel, not stepped) leaves the stack pointer and flags the CPU gives, for the imm8 and
    /// imm32 forms, with and without a borrow or a signed overflow
    /// (examples/tests/explore_entry_emulation.c compares each with an unplanted twin).
    @Test func aStackFrameEntryCarriedOutByTheKernelMatchesTheCPU() throws {
        let (r, _) = try Self.explore("explore_entry_emulation")
        #expect(r.status == 0 && r.stdout.contains("No bug found"), "\(r)")
        let code: [(bytes: [UInt8], expect: Emulation)] = [
            ([0x83, 0xEC, 0x7C], .subtractFromStack(immediate: 0x7C, length: 3)),
            ([0x83, 0xEC, 0xF0], .subtractFromStack(immediate: 0xFFFF_FFF0, length: 3)),
            ([0x81, 0xEC, 0x00, 0x01, 0x00, 0x00], .subtractFromStack(immediate: 0x100, length: 6)),
            ([0x81, 0xEC, 0x00, 0x01, 0x00], .step),   // cut short at the end of the text
            ([0x83, 0xC4, 0x0C], .step),               // add to %esp: not a prologue
            ([0x83, 0xED, 0x0C], .step),               // sub from %ebp
        ]
        for (bytes, expect) in code { #expect(Emulation.decode(bytes, at: 0x0100_0000) == expect, "\(bytes)") }
    }

    /// Programs of the suite that pass under `pebblebed run` come out clean under explore, as
    /// `run` starts them. Each failed before: exec_args and cow_fork/task_exec (fork, exec):
    /// race watching took the same address in parent and forked child for one word, made
    /// the memcpy a point, and a child's exec of the program replaced the planted table, so
    /// the parent died on an int3 no table listed (or a schedule no longer fit its run);
    /// orphan_wait: explore ran the program as init, which adopts orphans, where `run` (and
    /// so the replay) does not; thr_fork: a real race in the test (a fork right after
    /// thr_join, before the joined thread had vanished, is refused), fixed in the program.
    @Test(arguments: ["exec_args", "cow_fork", "task_exec", "orphan_wait", "thr_fork"])
    func programsThatPassUnderRunAreCleanUnderExplore(program: String) throws {
        let (r, _) = try Self.explore(program)
        #expect(r.status == 0 && r.stdout.contains("No bug found: space exhausted"), "\(r)")
    }

    /// A watched run past the run limit is no finding: watching slows a run. The race run of
    /// explore_watch_emulation (every access watched: seconds) passes a 0.5 s limit its
    /// unwatched run (a fraction of a second) keeps; it is run again unwatched, judged clean,
    /// and the search goes on without data-race points. It was a "step bound" bug.
    @Test func aWatchedRunPastTheRunLimitIsRunAgainUnwatched() throws {
        let r = try Guest.launch(["explore", "--max-preemptions", "0", "--run-limit", "0.5", "--ramdisk", Guest.ramdisk,
                                  "explore_watch_emulation"], timeout: 120)
        #expect(r.status == 0 && r.stdout.contains("No bug found"), "\(r)")
        #expect(r.stderr.contains("Data races in the default interleaving: not watched"), "\(r)")
    }

    /// A trace row for a point inside the thread library (explore_lost_wakeup: main blocks in
    /// thr_join, which waits with cond_wait, which deschedules) names, under the point's own
    /// function, where the program called into the library (its thr_join line), not the
    /// library's own line (cond.c).
    @Test func libraryRowsNameTheProgramsCallSite() throws {
        let (r, _) = try Self.explore("explore_lost_wakeup")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let row = try #require(lines.firstIndex { $0.contains("deschedule in cond_wait") }, "\(r)")
        #expect(lines[row + 1].contains("explore_lost_wakeup.c:") && lines[row + 1].contains("(thr_j"), "\(lines[row + 1])")
        #expect(!lines[row + 1].contains("cond.c"), "\(lines[row + 1])")
    }

    /// A run past a fractional --run-limit says the limit as given (it said "more than 0 s").
    @Test func aFractionalRunLimitIsNamedAsGiven() throws {
        let (r, _) = try Self.explore("guard_spin", ["--run-limit", "0.5"])
        #expect(r.status == 1 && r.stdout.contains("step bound exceeded: the run took more than 0.5 s"), "\(r)")
    }

    /// A variable named like a thread-library function (examples/tests/explore_data_symbol.c:
    /// an initialized `int rwlock_downgrade`) keeps its value: points are planted only at code
    /// (ELFImage.function(named:)). Planted, it read 0x123456CC and the run failed.
    @Test func aVariableNamedLikeALibraryFunctionIsNotPatched() throws {
        let (r, _) = try Self.explore("explore_data_symbol")
        #expect(r.status == 0 && r.stdout.contains("No bug found"), "\(r)")
        // One run, counted in the singular ("1 interleavings" before).
        #expect(r.stdout.contains("(1 interleaving;") && r.stdout.contains("0 race reversals asleep, 0 runs cut"), "\(r)")
        #expect(r.stderr.contains("1 interleaving in ") || r.stdout.contains("1 interleaving in "), "\(r)")
    }

    /// A watched access leaves its page withdrawn: the worker's second access to the same
    /// page (the racing one) faults too, after a first access that was stepped (its page
    /// shown for the step) and after one the kernel carried out (examples/tests/
    /// explore_watch_page.c). Without the withdrawal after the access the race run finds
    /// no race at all.
    @Test func aWatchedAccessLeavesItsPageWithdrawn() throws {
        let r = try Guest.launch(["explore", "--budget", "120", "--ramdisk", Guest.ramdisk, "explore_watch_page"], timeout: 180)
        #expect(r.status == 0 && r.stdout.contains("No bug found: space exhausted"), "\(r)")
        let note = try #require(r.stderr.split(separator: "\n").first { $0.hasPrefix("Data races in the default interleaving:") }, "\(r)")
        #expect(note.contains("write_after_step+"), "the access after a stepped one was not seen: \(note)")
        #expect(note.contains("write_after_emulated+"), "the access after an emulated one was not seen: \(note)")
    }

    /// In a later watched run the instruction under a data-race point is watched like any
    /// other (examples/tests/explore_point_race.c): its own access is recorded, so its race
    /// with main's second read, which only a run with the worker first shows, makes that read
    /// a point, and the bug (a switch between the two reads) is found; and its page is
    /// withdrawn again after it (a negl, stepped with the page shown), so the worker's next
    /// store to the page, racing with main's read of y, is seen too. Stepped plainly, as
    /// before, neither race is seen and the space comes out clean.
    @Test func aRacePointsOwnAccessIsWatched() throws {
        let source = try String(contentsOf: Guest.root.appendingPathComponent("examples/tests/explore_point_race.c"), encoding: .utf8)
        func line(_ marker: String) throws -> String {
            let n = try #require(source.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(marker) }, "\(marker)")
            return "explore_point_race.c:\(n + 1))"
        }
        let r = try Guest.launch(["explore", "--budget", "120", "--ramdisk", Guest.ramdisk, "explore_point_race"], timeout: 180)
        #expect(r.status == 1 && r.stdout.contains("FAIL explore_point_race: read x twice and saw it change"), "\(r)")
        let first = try #require(r.stderr.split(separator: "\n").first { $0.hasPrefix("Data races in the default interleaving:") }, "\(r)")
        // The race run: the worker's first store and main's last read; nothing in sample.
        #expect(first.contains(try line("/* the data-race point */")) && first.contains("peek"), "\(first)")
        #expect(!first.contains("sample"), "\(first)")
        let added = r.stderr.split(separator: "\n").filter { $0.contains(": points added at ") }.joined(separator: "\n")
        #expect(added.contains(try line("/* the third instruction */")), "main's second read was not added: \(r)")
        #expect(added.contains(try line("/* the second access */")), "the store after the point's access was not seen: \(r)")
        #expect(added.contains(try line("/* races with the second access */")), "\(r)")
        // The bug's switch is at the added point.
        #expect(r.stdout.contains("data-race in sample"), "\(r)")
    }

    /// The instructions the kernel carries out for watched accesses (AccessEmulation) give
    /// what the CPU gives: examples/tests/explore_watch_emulation.c runs each form on the
    /// same bytes natively and watched and compares registers, flags and memory (a FAIL line
    /// is a bug explore reports; xadd and cmpxchg, which data-race points in unwatched runs
    /// carry out too, among the forms). Both ways must have been taken: most accesses carried out
    /// by the kernel, and the forms it does not know (neg, adc, sbb, a 16-bit or, 162 cases
    /// each) stepped.
    @Test func watchedAccessesCarriedOutByTheKernelMatchTheCPU() throws {
        // Its race run (every access watched, ~366,000 of them) takes about 9 s in a debug
        // build: the default 10 s run limit made it a "step bound" bug on a loaded machine.
        let r = try Guest.launch(["explore", "--max-preemptions", "0", "--budget", "300", "--run-limit", "200", "--ramdisk", Guest.ramdisk,
                                  "explore_watch_emulation"], timeout: 400)
        #expect(r.status == 0 && r.stdout.contains("No bug found"), "\(r)")
        let line = try #require(r.stderr.split(separator: "\n").first { $0.hasPrefix("Race run: ") }, "\(r)")
        let numbers = line.split { !$0.isNumber }.compactMap { Int($0) }
        let (faults, emulated) = (numbers[0], numbers[1])
        #expect(emulated > 9882 * 10, "\(line)")
        #expect(faults - emulated >= 4 * 162, "\(line)")
    }

    /// Shards split the space: each exhausts its part, and their JSON merges into one verdict;
    /// a bug in a shard makes the merge fail with its replay command. The Markdown report
    /// has the trace and the replay.
    @Test func shardsCoverTheSpaceAndMerge() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("explore-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var clean: [String] = [], buggy: [String] = []
        for k in 1...2 {
            let json = dir.appendingPathComponent("ok\(k).json").path
            let (r, _) = try Self.explore("explore_lost_wakeup_ok", ["--shard", "\(k)/2", "--json", json])
            #expect(r.status == 0 && r.stdout.contains("in shard \(k)/2"), "\(r)")
            clean.append(json)
            let bjson = dir.appendingPathComponent("bug\(k).json").path
            let md = dir.appendingPathComponent("bug\(k).md").path
            let (b, _) = try Self.explore("explore_lock_order", ["--shard", "\(k)/2", "--json", bjson, "--markdown", md])
            buggy.append(bjson)
            if b.status == 1 {
                let text = try String(contentsOfFile: md, encoding: .utf8)
                #expect(text.contains("## Preemption trace") && text.contains("pebblebed run --schedule"), "\(text)")
            }
        }
        let merged = try Guest.launch(["stress-merge"] + clean, timeout: 30)
        #expect(merged.status == 0 && merged.stdout.contains("space exhausted in every shard"), "\(merged)")
        let bad = try Guest.launch(["stress-merge"] + buggy, timeout: 30)
        #expect(bad.status == 1 && bad.stdout.contains("replay: pebblebed run --schedule"), "\(bad)")
    }

    /// The fork server killed mid-search (ForkRunner): no "BUG FOUND" and no crash of the
    /// explorer (a send to the dead server must not raise SIGPIPE), but exit 2 naming the
    /// interleaving it could not run.
    @Test func aKilledForkServerIsAHostErrorNotABug() throws {
        var killed: pid_t = 0
        let r = try Guest.launch(["explore", "--no-progress", "--budget", "60", "--ramdisk", Guest.ramdisk,
                                  "--max-preemptions", "3", "race_mutex_counter"], timeout: 120) { pid in
            // The explorer's only child is the server (the runs are the server's children).
            guard killed == 0,
                  let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8),
                  let server = text.split(separator: " ").first.flatMap({ pid_t($0) }) else { return }
            if kill(server, SIGKILL) == 0 { killed = server }
        }
        #expect(killed != 0, "no fork server seen: \(r)")
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("could not run interleaving") && r.stderr.contains("fork server (pid \(killed))"), "\(r)")
        #expect(!r.stdout.contains("BUG FOUND"), "\(r)")
    }

    /// A program with no bug whose space is too big for the budget: exit 0, "budget ran out".
    @Test func budgetRunsOut() throws {
        let (r, _) = try Self.explore("race_mutex_counter", ["--max-preemptions", "3"], budget: 3)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("No bug found: the budget ran out"), "\(r)")
    }
}
