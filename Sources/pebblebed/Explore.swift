import ArgumentParser
import Foundation
import Pebblebed

/// `pebblebed explore`: systematic search of a program's interleavings (Explore/ in the
/// kernel sources).
struct Explore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search a program's thread interleavings systematically for a bug.",
        discussion: """
        The program runs natively between preemption points: its system calls and the entries \
        of the thread library's functions (mutex_lock, mutex_unlock, cond_wait, cond_signal, \
        sem_*, rwlock_*, thr_create, thr_join, thr_exit, ...), where the kernel plants int3 \
        breakpoints, and the program's instructions that race, or are atomic operations on a \
        word several threads use, found by watching every shared access of a run (first the \
        default interleaving, then a few later ones; --no-races skips this). Every run starts \
        from the same booted, loaded machine (a fork of it); a schedule says at which points \
        the running thread gives way to which thread, and which thread runs after one blocked, \
        ended or yielded. Schedules run by depth, their number of such choices: the default \
        run, then those with one, then two (iterative deepening), each with at most \
        --max-preemptions preemptions (picks after a thread stopped are free). Which schedules: \
        dynamic partial-order reduction reverses the races between the operations of each \
        run, aiming at one run per equivalence class (--no-dpor: every preemption at every \
        point, slower but without the reduction's assumptions and known gaps, which the README \
        lists); a run that reaches a machine state an earlier run reached with no more \
        preemptions is not extended (its future was already explored).

        A run fails on: a non-zero exit status (a failed assert or panic), a thread killed by \
        a fault, a FAIL or END__FAIL line, a deadlock (every thread blocked, or spinning in \
        yield, with nothing to wake one), a step bound (too many points, or --run-limit \
        seconds), a kernel panic or failed audit. The report shows the preemption trace, the \
        schedule file and the command that replays it exactly.

        Exit code: 0 no bug found (space exhausted or budget ran out), 1 a bug, 2 the machine \
        could not boot or the host would not make a run (a fork refused, the fork server \
        killed). Ctrl-C stops the search after the run under way, says how far it got, and \
        ends by the signal (130).
        """)

    // (.unconditional numbers: "--budget -5" reaches validate() instead of "Missing value".)
    @Option(parsing: .unconditional, help: "Stop after this many seconds (no bug found: \"budget ran out\").") var budget: Double = 60
    @Option(name: .customLong("max-preemptions"), parsing: .unconditional, help: "The largest number of preemptions in one interleaving.") var maxPreemptions = 2
    @Option(name: .customLong("schedule-out"), help: ArgumentHelp("Write the failing schedule here (default: explore-PROGRAM.schedule; with --shard K/N, explore-PROGRAM-K-of-N.schedule).", valueName: "FILE")) var scheduleOut: String?
    @Option(name: .customLong("run-limit"), parsing: .unconditional, help: "Seconds one run may take before it counts as an endless loop.") var runLimit: Double = 10
    @Option(name: .customLong("max-points"), parsing: .unconditional, help: "Preemption points one run may reach before it counts as an endless loop.") var maxPoints = 100_000
    @Flag(name: .customLong("no-progress"), help: "No progress line on stderr.") var noProgress = false
    @Option(help: ArgumentHelp("Explore only shard K of N (1-based): the schedules whose first preemption is the K-th of every N, and their descendants. Shards are disjoint and together cover the space.", valueName: "K/N")) var shard: String?
    @Option(help: ArgumentHelp("Also write the outcome as JSON to FILE (`pebblebed stress-merge` sums shards).", valueName: "FILE")) var json: String?
    @Option(name: .customLong("markdown"), help: ArgumentHelp("Write the bug report as Markdown to FILE too (with no bug, the outcome).", valueName: "FILE")) var markdown: String?
    @Flag(name: .customLong("no-races"), help: "Skip the data-race run: preemption points only at system calls and thread-library entries.") var noRaces = false
    @Flag(name: .customLong("no-dpor"), help: "Search without dynamic partial-order reduction: every preemption at every later point, pruned by a cache of machine states (as --shard always does).") var noDPOR = false
    @OptionGroup var machine: MachineOptions
    @Argument(help: "The guest program.") var program: String
    @Argument(parsing: .captureForPassthrough, help: "Arguments for the guest program.") var arguments: [String] = []

    /// `--shard K/N` as (K, N), 1 <= K <= N.
    func parsedShard() throws -> (k: Int, n: Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else {
            throw ValidationError("--shard must be K/N with 1 <= K <= N, not \(shard)")
        }
        return (k, n)
    }

    /// Where the failing schedule goes: --schedule-out, else a name of the program's, one per
    /// shard (shards of a job array share a folder; one name would leave every shard's replay
    /// command pointing at the schedule of whichever shard wrote last).
    func scheduleFile() throws -> String {
        if let scheduleOut { return scheduleOut }
        let base = "explore-\(URL(fileURLWithPath: program).lastPathComponent)"
        if let (k, n) = try parsedShard() { return "\(base)-\(k)-of-\(n).schedule" }
        return base + ".schedule"
    }

    func validate() throws {
        _ = try parsedShard()
        guard budget > 0 else { throw ValidationError("--budget must be positive") }
        guard maxPreemptions >= 0 && maxPreemptions <= 20 else { throw ValidationError("--max-preemptions must be 0...20") }
        guard runLimit > 0 else { throw ValidationError("--run-limit must be positive") }
        guard maxPoints >= 1 else { throw ValidationError("--max-points must be at least 1") }
        guard machine.seed == nil && !machine.points else { throw ValidationError("explore makes its own schedules; --seed and --points do not apply") }
        // Options of one machine that explore's many runs would all share: refused, rather
        // than a trace file every run writes into at once or runs that wait for gdb forever.
        if machine.trace != nil {
            throw ValidationError("--trace: explore makes many runs; trace the failing one by replaying its schedule: pebblebed run --trace FILE --schedule SCHEDULE PROGRAM (the report prints this command)")
        }
        if machine.gdbPort != nil {
            throw ValidationError("--gdb-port: explore makes many runs; debug the failing one by replaying its schedule: pebblebed run --gdb --schedule SCHEDULE PROGRAM (the report prints this command)")
        }
        if machine.log != nil {
            throw ValidationError("--log: explore reads each run's log itself (the report quotes the failing run's); the replay takes --log: pebblebed run --log FILE --schedule SCHEDULE PROGRAM")
        }
    }

    func run() throws {
        ForkRunner.bindSymbolsNow()
        // Before the first run (issue 18, 5): a search of minutes must not end unable to write
        // what it found.
        let scheduleFile = try scheduleFile()
        try CLIError.checkOutputPath(scheduleFile, option: "--schedule-out")
        if let json { try CLIError.checkOutputPath(json, option: "--json") }
        if let markdown { try CLIError.checkOutputPath(markdown, option: "--markdown") }
        var o = try machine.bootOptions()
        // As `pebblebed run` starts it (without --init), which is how its schedule replays:
        // the program is not init, and orphans go to the kernel. Run as init it adopted its
        // grandchildren, and orphan_wait's second wait() got one back (a bug `run` never shows).
        o.firstTaskIsInit = false
        let ramdisk = o.ramdisk
        var name = program
        var elfPath = ramdisk + "/" + program
        if program.contains("/") {
            guard let data = FileManager.default.contents(atPath: program) else { throw CLIError.load("cannot load \(program): missing or unreadable") }
            name = URL(fileURLWithPath: program).lastPathComponent
            o.hostProgram = [UInt8](data)
            elfPath = program
        }
        o.program = name
        o.arguments = [name] + arguments
        var replay: [String] = []
        if machine.memory != 128 { replay += ["--memory", String(machine.memory)] }
        if let r = machine.ramdisk { replay += ["--ramdisk", r] }
        // What changes the run besides the schedule: the replay must have it too.
        if machine.audit { replay.append("--audit") }
        if machine.noFastcall { replay.append("--no-fastcall") }
        if machine.debugPanicVector { replay.append("--debug-panic-vector") }
        replay += [program] + arguments
        var config = ExploreConfig(elfPath: elfPath, replayWords: replay)
        config.budgetSeconds = budget
        config.maxPreemptions = maxPreemptions
        config.scheduleOut = scheduleFile
        config.runLimitSeconds = runLimit
        config.maxPoints = maxPoints
        config.progress = !noProgress
        config.races = !noRaces
        config.partialOrder = !noDPOR
        config.jsonPath = json
        config.markdownPath = markdown
        config.shard = try parsedShard()
        let code = ExploreDriver.run(o, config)
        if code != 0 { throw ExitCode(code) }
    }
}
