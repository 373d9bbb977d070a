import Foundation
import Glibc
import Testing

/// `pebblebed explore`, `run --schedule` and `stress` used as the README tells a student to,
/// with the mistakes a student makes: a schedule replayed on another program or cut short, a
/// run explore ended as an endless loop, options of one machine given to commands of many,
/// shards sharing a folder, Ctrl-C in the middle of a search (issue 15, acceptance).
@Suite(.serialized) struct ExploreAcceptanceTests {
    static func scratch(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Explores `program` with its schedule written to `schedule`.
    static func explore(_ program: String, _ extra: [String] = [], schedule: String) throws -> GuestRun {
        try Guest.launch(["explore", "--no-progress", "--budget", "120", "--ramdisk", Guest.ramdisk,
                          "--schedule-out", schedule] + extra + [program], timeout: 180)
    }

    /// Points and threads are numbered for one program and its arguments: replayed on another,
    /// the lost wake-up's schedule ran explore_counter as some other interleaving, which
    /// passed, and said nothing. The file names what it was made for, and a replay on
    /// anything else is refused (exit 3, a schedule that does not fit) before the boot.
    @Test func aScheduleForAnotherProgramIsRefused() throws {
        let dir = try Self.scratch("other")
        defer { try? FileManager.default.removeItem(at: dir) }
        let schedule = dir.appendingPathComponent("s").path
        let found = try Self.explore("explore_lost_wakeup", schedule: schedule)
        #expect(found.status == 1, "\(found)")
        let other = try Guest.run("explore_counter", options: ["--schedule", schedule], timeout: 60)
        #expect(other.status == 3, "\(other)")
        #expect(other.stderr.contains("pebblebed: --schedule \(schedule) was made for `explore_lost_wakeup`, not `explore_counter`"), "\(other)")
        #expect(!other.stdout.contains("PASS"), "the machine ran: \(other)")
        let moreArguments = try Guest.run("explore_lost_wakeup", ["extra"], options: ["--schedule", schedule], timeout: 60)
        #expect(moreArguments.status == 3 && moreArguments.stderr.contains("not `explore_lost_wakeup extra`"), "\(moreArguments)")
        // Its own program, named by a host path too, replays the bug.
        let own = try Guest.run(Guest.ramdisk + "/explore_lost_wakeup", options: ["--schedule", schedule], timeout: 60)
        #expect(own.status == 3 && own.stdout.contains("deadlock: every thread is blocked"), "\(own)")
        // Another build of the same program (a byte appended): the file's program-hash says so.
        let rebuilt = dir.appendingPathComponent("explore_lost_wakeup").path
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Guest.ramdisk + "/explore_lost_wakeup"))
        bytes.append(0)
        try bytes.write(to: URL(fileURLWithPath: rebuilt))
        let other2 = try Guest.run(rebuilt, options: ["--schedule", schedule], timeout: 60)
        #expect(other2.status == 3 && other2.stderr.contains("was made with another build of explore_lost_wakeup"), "\(other2)")
    }

    /// A schedule file cut short at a line boundary read as a shorter schedule, and replayed as
    /// the default interleaving (the lost wake-up's passed); now its missing `end` line says
    /// so. Lines after the end, and malformed lines, are refused with the line, as one
    /// `pebblebed:` line (not a usage dump of the root command).
    @Test func aScheduleCutShortOrWithGarbageIsRefused() throws {
        let dir = try Self.scratch("cut")
        defer { try? FileManager.default.removeItem(at: dir) }
        let schedule = dir.appendingPathComponent("s").path
        _ = try Self.explore("explore_lost_wakeup", schedule: schedule)
        let text = try String(contentsOfFile: schedule, encoding: .utf8)
        #expect(text.hasSuffix("end\n") && text.contains("argv explore_lost_wakeup\n"), "\(text)")
        func replay(_ content: String) throws -> GuestRun {
            let file = dir.appendingPathComponent("edited").path
            try content.write(toFile: file, atomically: true, encoding: .utf8)
            return try Guest.run("explore_lost_wakeup", options: ["--schedule", file], timeout: 60)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast(2)   // "end" and the empty string after the last newline
        for cut in [lines.joined(separator: "\n") + "\n", lines.dropLast().joined(separator: "\n") + "\n"] {
            let r = try replay(cut)
            #expect(r.status == 64 && r.stderr.contains("the file is cut short: no `end` line"), "\(cut)\n\(r)")
            #expect(!r.stdout.contains("PASS"), "\(r)")
        }
        let after = try replay(text + "preempt 40 1\n")
        #expect(after.status == 64 && after.stderr.contains("line \(lines.count + 2): `preempt 40 1` after the `end` line"), "\(after)")
        let garbage = try replay(text.replacingOccurrences(of: "end\n", with: "hello world\nend\n"))
        #expect(garbage.status == 64 && garbage.stderr.hasPrefix("pebblebed: --schedule "), "\(garbage)")
        #expect(garbage.stderr.contains("found `hello world`") && !garbage.stderr.contains("Usage:"), "\(garbage)")
    }

    /// A run explore ended as an endless loop (more than --run-limit seconds) replayed for
    /// ever: `run --schedule` had no such limit. The file carries the bounds, and the replay
    /// ends as the same bug, twice alike.
    @Test(.timeLimit(.minutes(3))) func anEndlessLoopReplaysAsTheSameStepBound() throws {
        let dir = try Self.scratch("loop")
        defer { try? FileManager.default.removeItem(at: dir) }
        let schedule = dir.appendingPathComponent("s").path
        let found = try Self.explore("guard_spin", ["--run-limit", "1"], schedule: schedule)
        #expect(found.status == 1 && found.stdout.contains("step bound exceeded: the run took more than 1 s"), "\(found)")
        let text = try String(contentsOfFile: schedule, encoding: .utf8)
        #expect(text.contains("run-limit 1.0\n") && text.contains("max-points 100000\n"), "\(text)")
        let a = try Guest.run("guard_spin", options: ["--schedule", schedule], timeout: 60)
        let b = try Guest.run("guard_spin", options: ["--schedule", schedule], timeout: 60)
        #expect(!a.timedOut && a.status == 3 && a.stdout.contains("step bound exceeded: the run took more than 1 s"), "\(a)")
        #expect(a.stdout == b.stdout && a.status == b.status, "\(a)\n\(b)")
    }

    /// "--budget -5" was "Missing value for '--budget'"; a negative number now reaches the
    /// check that names what is wrong.
    @Test(arguments: [("--budget", "-5", "--budget must be positive"),
                      ("--max-preemptions", "-1", "--max-preemptions must be 0...20"),
                      ("--run-limit", "-1", "--run-limit must be positive"),
                      ("--max-points", "-3", "--max-points must be at least 1"),
                      ("--shard", "1//2", "--shard must be K/N")])
    func aNegativeOrMalformedNumberIsNamed(option: String, value: String, message: String) throws {
        let r = try Guest.launch(["explore", "--ramdisk", Guest.ramdisk, option, value, "explore_counter"], timeout: 30)
        #expect(r.status == 64 && r.stderr.contains(message) && !r.stderr.contains("Missing value"), "\(r)")
    }

    /// Options of one machine given to explore: --gdb-port made every run wait for gdb (the
    /// search hung), --trace had every run write into one file (not JSON), --log was left
    /// empty. Each is refused, naming the replay that does it.
    @Test(.timeLimit(.minutes(2)), arguments: [["--gdb-port", "0"], ["--trace", "/tmp/pebblebed-explore-trace.json"], ["--log", "-"]])
    func optionsOfOneRunAreRefusedWithTheReplayToUse(option: [String]) throws {
        let r = try Guest.launch(["explore", "--ramdisk", Guest.ramdisk] + option + ["explore_counter"], timeout: 60)
        #expect(!r.timedOut && r.status == 64, "\(r)")
        #expect(r.stderr.contains("\(option[0]): explore makes many runs") || r.stderr.contains("\(option[0]): explore reads each run's log"), "\(r)")
        #expect(r.stderr.contains("pebblebed run --"), "\(r)")
    }

    /// The README's job array, literally: every shard in one folder, no --schedule-out. All
    /// wrote explore-PROGRAM.schedule, so every shard's replay command named the file of the
    /// shard that wrote last. Each shard now has its own, and the merge prints each bug's
    /// lines under its shard.
    @Test func shardsInOneFolderKeepTheirOwnSchedules() throws {
        let dir = try Self.scratch("shards")
        defer { try? FileManager.default.removeItem(at: dir) }
        for k in 1...2 {
            let r = try ProcessRun.run(Guest.binary, ["explore", "--no-progress", "--ramdisk", Guest.ramdisk, "--shard", "\(k)/2",
                                                      "--json", "e\(k).json", "explore_lock_order"], directory: dir, timeout: 180)
            #expect(r.status == 1, "\(r)")
            #expect(r.stdout.contains("Replay:           pebblebed run --schedule explore-explore_lock_order-\(k)-of-2.schedule "), "\(r)")
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("explore-explore_lock_order-\(k)-of-2.schedule").path))
        }
        let merged = try ProcessRun.run(Guest.binary, ["stress-merge", "e1.json", "e2.json"], directory: dir, timeout: 30)
        #expect(merged.status == 1, "\(merged)")
        #expect(merged.stdout.contains("replay: pebblebed run --schedule explore-explore_lock_order-1-of-2.schedule"), "\(merged)")
        #expect(merged.stdout.contains("replay: pebblebed run --schedule explore-explore_lock_order-2-of-2.schedule"), "\(merged)")
        for line in merged.stdout.split(separator: "\n").dropFirst() {
            #expect(line.hasPrefix("  shard ") || line.hasPrefix("    "), "not under its shard: \(line)")
        }
    }

    /// Ctrl-C during a search ended the explorer at once: nothing said about what had run,
    /// its fork server left to whoever reaps orphans. Now it says where it stood, reaps the
    /// server and ends by the signal.
    @Test(.timeLimit(.minutes(3))) func anInterruptedSearchSaysWhereItStoodAndLeavesNoProcess() throws {
        let dir = try Self.scratch("interrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("e.json").path
        var server: pid_t = 0
        let r = try Guest.launch(["explore", "--no-progress", "--budget", "120", "--max-preemptions", "4", "--ramdisk", Guest.ramdisk,
                                  "--json", json, "explore_cond_if_ok"], timeout: 150) { pid in
            // Interrupted once its fork server runs (a search of minutes at bound 4).
            guard server == 0,
                  let children = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8),
                  let first = children.split(separator: " ").first, let child = pid_t(first) else { return }
            server = child
            kill(pid, SIGINT)
        }
        #expect(server != 0 && !r.timedOut, "\(r)")
        #expect(r.status == SIGINT, "ends by the signal: \(r)")
        #expect(r.stdout.contains("Interrupted by SIGINT "), "\(r)")
        #expect(r.stdout.contains("no bug found in them; the space was not exhausted") || r.stdout.contains("no interleaving explored"), "\(r)")
        #expect(kill(server, 0) == -1 && errno == ESRCH, "the fork server \(server) was left behind")
        let outcome = try String(contentsOfFile: json, encoding: .utf8)
        #expect(outcome.contains("\"outcome\": \"interrupted by SIGINT\""), "\(outcome)")
    }

    /// `--markdown FILE` on a clean search wrote nothing: a file from an earlier run that found
    /// a bug stayed, and a CI job publishing it showed the fixed bug again.
    @Test func aCleanSearchWritesItsOutcomeAsMarkdown() throws {
        let dir = try Self.scratch("markdown")
        defer { try? FileManager.default.removeItem(at: dir) }
        let md = dir.appendingPathComponent("report.md").path
        try "# pebblebed explore: bug in `explore_counter_ok` (an earlier run)\n".write(toFile: md, atomically: true, encoding: .utf8)
        let r = try Self.explore("explore_counter_ok", ["--markdown", md], schedule: dir.appendingPathComponent("s").path)
        #expect(r.status == 0, "\(r)")
        let text = try String(contentsOfFile: md, encoding: .utf8)
        #expect(text.hasPrefix("# pebblebed explore: no bug found in `explore_counter_ok`"), "\(text)")
        #expect(text.contains("Outcome: space exhausted, after ") && !text.contains("an earlier run"), "\(text)")
    }

    /// A kernel panic in an explored run read as a clean run: the panic runs the shutdown
    /// hooks first (to restore the terminal), and the forked run's hook ended the process with
    /// the first task's status, 0 ("space exhausted"). It is a bug now, and its replay command
    /// carries the options that change the run (here the test-only panic vector).
    @Test func aKernelPanicInARunIsABug() throws {
        let dir = try Self.scratch("panic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let schedule = dir.appendingPathComponent("s").path
        let r = try Self.explore("guard_panic", ["--debug-panic-vector"], schedule: schedule)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("kernel panic: debug panic vector"), "\(r)")
        let replay = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("Replay:") }, "\(r)")
        #expect(replay.hasSuffix("--schedule \(schedule) --ramdisk \(Guest.ramdisk) --debug-panic-vector guard_panic"), "\(replay)")
        let again = try Guest.run("guard_panic", options: ["--schedule", schedule, "--debug-panic-vector"], timeout: 60)
        #expect(again.status == 70 && again.stderr.contains("kernel panic: debug panic vector"), "\(again)")
    }

    /// A killed thread's line stood twice in "Last output of the failing run": the kernel
    /// writes it to the console and to the log, and explore's runs (as stress's machines) send
    /// both to one file. It stands once now, the fault it names before the registers logged
    /// after it, in the report, the Markdown report and stress's failing seeds.
    @Test func aKilledThreadsLineShowsOnceInTheLastOutput() throws {
        let dir = try Self.scratch("killonce")
        defer { try? FileManager.default.removeItem(at: dir) }
        let md = dir.appendingPathComponent("report.md").path
        let r = try Self.explore("explore_publish", ["--markdown", md], schedule: dir.appendingPathComponent("s").path)
        #expect(r.status == 1, "\(r)")
        func lastOutput(_ text: String, from heading: String, linePrefix: String) -> [Substring] {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard let start = lines.firstIndex(where: { $0.hasPrefix(heading) }) else { return [] }
            return lines[(start + 1)...].drop { !$0.hasPrefix(linePrefix) }.prefix { $0.hasPrefix(linePrefix) }.map { $0.dropFirst(linePrefix.count) }
        }
        let shown = lastOutput(r.stdout, from: "Last output of the failing run:", linePrefix: "  | ")
        let markdown = try String(contentsOfFile: md, encoding: .utf8)
        let section = markdown.components(separatedBy: "## Last output of the failing run\n\n```\n").last?.components(separatedBy: "```").first
        let block = (section ?? "").split(separator: "\n")
        for tail in [shown, block] {
            let kills = tail.filter { $0.contains("Thread 2 of task 1 (explore_publish) killed: page fault (read) at address 0x00000000") }
            #expect(kills.count == 1, "\(tail)\n\(r)")
            let kill = tail.firstIndex { $0.contains(") killed: ") }, registers = tail.firstIndex { $0.contains("eip=0x") }
            #expect(kill != nil && registers != nil && kill! < registers!, "in order: \(tail)")
        }
        let stress = try Guest.launch(["stress", "--runs", "1", "--ramdisk", Guest.ramdisk, "fault_null"], timeout: 120)
        #expect(stress.status == 1, "\(stress)")
        let seedLines = stress.stdout.split(separator: "\n").filter { $0.hasPrefix("    | ") }
        #expect(seedLines.filter { $0.contains("Thread 1 of task 1 (fault_null) killed: page fault (read)") }.count == 1, "\(stress)")
        #expect(seedLines.first?.hasSuffix("fault_null: reading address 0") == true, "\(stress)")
    }

    /// A program that is not there failed every seed (a hundred "exit status 2" failures,
    /// exit 1); it is one load error now, as for run and explore.
    @Test func stressOfAMissingProgramIsOneLoadError() throws {
        let r = try Guest.launch(["stress", "--runs", "3", "--ramdisk", Guest.ramdisk, "no_such_program"], timeout: 60)
        #expect(r.status == 2 && r.stderr.contains("pebblebed: no_such_program: no such program in the RAM disk"), "\(r)")
        #expect(!r.stdout.contains("seed "), "\(r)")
    }

    /// Ctrl-C on stress ended stress alone: its machines run in process groups of their own,
    /// and one hanging, whose --timeout only stress enforced, spun for ever. Now stress kills
    /// and reaps them, says how far it got, and ends by the signal. (SIGTERM here: stress
    /// leaves a SIGINT its parent ignores ignored, as a shell's background job must, and the
    /// test runner may be such a parent.)
    @Test(.timeLimit(.minutes(3))) func anInterruptedStressStopsItsMachines() throws {
        var machines: [pid_t] = []
        let r = try Guest.launch(["stress", "--runs", "4", "--jobs", "2", "--timeout", "100", "--ramdisk", Guest.ramdisk,
                                  "guard_spin"], timeout: 150) { pid in
            guard machines.isEmpty,
                  let children = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return }
            let found = children.split(separator: " ").compactMap { pid_t($0) }
            guard found.count == 2 else { return }
            machines = found
            kill(pid, SIGTERM)
        }
        defer { for m in machines { kill(m, SIGKILL) } }
        #expect(machines.count == 2 && !r.timedOut, "\(r)")
        #expect(r.status == SIGTERM, "ends by the signal: \(r)")
        #expect(r.stdout.contains("interrupted by SIGTERM after 0 of 4 runs; the machines still running were stopped"), "\(r)")
        for m in machines { #expect(kill(m, 0) == -1 && errno == ESRCH, "machine \(m) was left running") }
    }

    /// `stress --trace FILE` was taken and ignored; it traces the first failing seed (issue
    /// 15, 6), a trace `trace summary` reads.
    @Test func stressTracesTheFirstFailingSeed() throws {
        let dir = try Self.scratch("stresstrace")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("first.json").path
        let r = try Guest.launch(["stress", "--runs", "6", "--seed", "1", "--ramdisk", Guest.ramdisk, "--trace", trace,
                                  "race_broken_deschedule"], timeout: 120)
        #expect(r.status == 1, "\(r)")
        let first = try #require(StressOutput(r.stdout).failures.map(\.seed).min(), "\(r)")
        #expect(r.stdout.contains("trace of seed \(first), the first failing seed (the rerun exited 3): \(trace)"), "\(r)")
        let summary = try Guest.launch(["trace", "summary", trace], timeout: 30)
        #expect(summary.status == 0 && summary.stdout.contains("race_broken_deschedule"), "\(summary)")
    }
}
