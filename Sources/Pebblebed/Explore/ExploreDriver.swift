import Glibc

/// What `pebblebed explore` was asked for.
public struct ExploreConfig {
    public var budgetSeconds: Double = 60
    public var maxPreemptions = 2
    public var scheduleOut: String?
    /// The program on the host (for symbols and DWARF lines in the trace).
    public var elfPath: String
    /// The words of the replay command after `pebblebed run` (machine options, program, args).
    public var replayWords: [String]
    public var runLimitSeconds: Double = 10
    public var maxPoints = 100_000
    /// Print the progress line (stderr) while exploring.
    public var progress = true
    /// Look for data races first and make their instructions preemption points.
    public var races = true
    /// Which later runs have their shared accesses watched too (a race the default
    /// interleaving orders by chance shows in another; new racing instructions restart the
    /// search): a run is watched when it makes a switch (Exploration.switchKey: this thread
    /// preempted at this call, that one running instead) that no watched run made yet, and
    /// the watched runs have so far taken at most this share of the search's time (or fewer
    /// than `watchAtLeast` runs were watched: early on, the share of a short search is no
    /// measure, and the first switches are the likeliest to show a hidden race).
    public var watchShare = 0.05
    public var watchAtLeast = 8
    /// Dynamic partial-order reduction (PartialOrder); without it, every child and the state
    /// cache (Exploration). Shards always search without it.
    public var partialOrder = true
    /// At most this many restarts for new data-race points.
    public var maxRaceRestarts = 4
    /// `--shard K/N` (Exploration.shard).
    public var shard: (k: Int, n: Int)?
    /// Write the outcome as JSON here (merged across shards by `pebblebed stress-merge`).
    public var jsonPath: String?
    /// Write the bug report as Markdown here.
    public var markdownPath: String?
    /// The guest's argv (program name and arguments), written into the schedule file so that
    /// `run --schedule` can refuse a replay on another program (ExploreDriver.run sets it from the boot options).
    public var argv: [String]?

    public init(elfPath: String, replayWords: [String]) {
        self.elfPath = elfPath
        self.replayWords = replayWords
    }
}

/// The depth explore reports, in its progress line and its summary: the deepest level the
/// search has started (Exploration orders schedules by depth, their number of choices), not
/// the level of the run under way. With partial-order reduction a run of depth k can reverse
/// a race at a decision before one of its choices, which keeps fewer of them: a shallower
/// schedule, run next (the lowest level always goes first). Shown as the level under way,
/// the figure went down ("bound 2/4", then "bound 1/4"; `explore --max-preemptions 4
/// explore_cond_if_ok`), and read as iterative deepening starting over. Those runs belong to
/// the depth reached: every schedule of up to that depth is in its space. A new search (new
/// data-race points) starts a new one from 0, and the line says which search it is.
public struct SearchDepth {
    public let maxPreemptions: Int
    /// The deepest level started so far.
    public private(set) var reached = 0
    public init(maxPreemptions: Int) { self.maxPreemptions = maxPreemptions }

    /// `search` has just given its next schedule.
    public mutating func took(from search: Exploration) {
        reached = max(reached, search.depth)
    }

    /// Schedules still queued up to the depth reached, those among them with fewer choices
    /// (reversals deeper runs found), and those queued for the next depth.
    public func queued(_ search: Exploration) -> (upTo: Int, below: Int, next: Int) {
        let below = (0..<reached).reduce(0) { $0 + search.queued(at: $1) }
        return (below + search.queued(at: reached), below, search.queued(at: reached + 1))
    }

    /// What is queued ("L left up to depth D (M with fewer choices...), Q queued for depth
    /// D+1"), for the progress line and the interrupted summary.
    public func describe(_ search: Exploration) -> String {
        let q = queued(search)
        return "\(q.upTo) left up to depth \(reached)" + (q.below > 0 ? " (\(q.below) with fewer choices, found by runs at depth \(reached))" : "")
            + ", \(q.next) queued for depth \(reached + 1)"
    }

    /// How far the search got, for the summaries: "depth D (schedules of up to K preemptions
    /// that make D choices)".
    public var summary: String {
        "depth \(reached) (every schedule of up to \(maxPreemptions) preemption\(maxPreemptions == 1 ? "" : "s") that makes fewer than \(reached) choices ran)"
    }

    /// The progress line (stderr): `restarts`, the searches started again with new data-race
    /// points before this one.
    public func progressLine(program: String, search: Exploration, seconds: Double, restarts: Int = 0) -> String {
        let rate = Double(search.runs) / max(seconds, 1e-9)
        return "explore \(program)\(restarts > 0 ? " (search \(restarts + 1), with the new data-race points)" : ""): depth \(reached), bound \(maxPreemptions), "
            + "\(plural(search.runs, "interleaving")) (\(Int(rate))/s), \(describe(search)), \(search.pruned) pruned"
    }
}

/// `pebblebed explore`: boots the machine once, then runs schedule after schedule on forked
/// copies of it (ForkRunner) in the order Exploration gives, until a run shows a bug, the
/// space within the preemption bound is exhausted, or the budget runs out.
public enum ExploreDriver {
    /// Exit codes: 0 no bug found, 1 a bug, 2 the machine could not boot.
    public static func run(_ options: BootOptions, _ config: ExploreConfig) -> Int32 {
        // The runs' output and log go to a scratch file (each run's is read back); what the
        // user sees goes to the real stdout and stderr, kept here. The guest gets no keyboard.
        let realOut = dup(1), realErr = dup(2)
        let scratch = ForkRunner.scratchFile()
        let null = open("/dev/null", O_RDONLY)
        guard realOut >= 0, realErr >= 0, scratch >= 0, null >= 0 else {
            perror("pebblebed explore: setting up")
            return 2
        }
        dup2(scratch, 1)
        dup2(scratch, 2)
        dup2(null, 0)
        KernelLog.fd = 2
        KernelLog.copyFD = -1   // no ./pebblebed.log copy: each run's log is read back instead
        let say = { (s: String) in ForkRunner.writeAll(realOut, s) }
        let progress = { (s: String) in ForkRunner.writeAll(realErr, s) }

        var o = options
        o.schedule = Schedule()
        var config = config
        config.argv = o.arguments
        let k: Kernel
        let runner: ForkRunner
        do {
            k = try Kernel.prepare(o)
            runner = try ForkRunner(kernel: k, outputFD: scratch)
        } catch {
            progress("pebblebed: \(error.description)\n")
            return 2
        }
        // Ctrl-C (SIGINT; also HUP and TERM) in the middle of a search: the handlers would end
        // the explorer at once, saying nothing of what had run, with the fork server left
        // behind (an orphan zombie where nothing reaps it), and a Ctrl-C at a terminal reaches
        // the whole process group: the run it killed came back as a bug, "the machine died of
        // signal 2". So they are blocked from here (after the machine's init, which empties
        // the mask; the fork server and the runs inherit the block) and looked for between
        // runs (`pendingStop`): the explorer says where it stood, stops and reaps the server,
        // and unblocks, so the pending signal ends it as before (130 for SIGINT), terminal
        // restored by its handler. A run still going finishes first (at most --run-limit).
        var stopSignals = sigset_t(), maskBefore = sigset_t()
        sigemptyset(&stopSignals)
        for sig in [SIGINT, SIGHUP, SIGTERM] { sigaddset(&stopSignals, sig) }
        sigprocmask(SIG_BLOCK, &stopSignals, &maskBefore)
        defer { sigprocmask(SIG_SETMASK, &maskBefore, nil) }
        func pendingStop() -> Int32? {
            var pending = sigset_t()
            sigpending(&pending)
            return [SIGINT, SIGHUP, SIGTERM].first { sigismember(&pending, $0) == 1 }
        }
        // Reaps the fork server: the runs' CPU time is the explorer's only then (make bench).
        // (Deferred after the unblock above, so it runs before it: a signal delivered then
        // finds the server reaped.)
        defer { runner.stopServer() }
        runner.runLimitSeconds = config.runLimitSeconds
        runner.maxPoints = config.maxPoints
        let start = k.machine.nanoseconds
        // A run the host would not make is no finding about the program: say so and stop
        // (exit 2, as for a machine that cannot boot), rather than report it as a bug.
        func hostFailure(_ problem: String, runs: Int) -> Int32 {
            progress("pebblebed: explore: could not run interleaving \(runs + 1): \(problem); \(plural(runs, "interleaving")) had run, no bug found in them\n")
            writeJSON(config, program: o.program, runs: runs, outcome: "host failure: \(problem)", bug: nil, schedule: nil)
            writeCleanMarkdown(config, program: o.program, runs: runs, outcome: "host failure: \(problem)")
            return 2
        }
        var racesNote = ""
        var racePoints: [UInt32] = []
        var detected: [(word: UInt32, eip: UInt32)] = []
        if config.races, let bytes = k.ramdisk.contents(of: o.program), let image = try? ELFImage.parse(bytes) {
            // One run of the default interleaving with every shared access watched
            // (RaceDetector); its racing instructions, and its atomic instructions on shared
            // words, become preemption points of every run.
            runner.library = image.ranges { PreemptionPoints.isLibrary($0, file: $1) }
            var r = runner.run(Schedule(), detectRaces: true)
            if let problem = r.hostProblem { return hostFailure(problem, runs: 0) }
            // Watching makes a run slower (every shared access a fault): a watched run past
            // the step bound proves nothing about the program. The default interleaving runs
            // again unwatched, and that run is judged; the search goes on without data-race
            // points from it.
            var watchGaveUp = false
            if r.kernelBug?.kind == BugKind.stepBound.rawValue {
                r = runner.run(Schedule())
                if let problem = r.hostProblem { return hostFailure(problem, runs: 0) }
                watchGaveUp = true
            }
            if let bug = r.bug {
                let search = Exploration(maxPreemptions: 0)
                _ = search.next()
                search.finished(Schedule(), records: r.records)
                let file = report(bug: bug, result: r, schedule: Schedule(), search: search, runner: runner, config: config,
                                  elapsed: Double(k.machine.nanoseconds - start) / 1e9, say: say)
                writeJSON(config, program: o.program, runs: 1, outcome: "bug", bug: bug, schedule: file)
                return 1
            }
            detected = r.pointWords
            let eips = Array(Set(detected.map(\.eip))).sorted()
            if !eips.isEmpty {
                runner.addPoints(eips)
                racePoints = eips
                let lines = TraceTable(records: [], elfPath: config.elfPath).addr2line(eips)
                let atomics = Set(r.atomics.map(\.eip)).count
                racesNote = "Data races in the default interleaving: \(r.races.count) racing pair\(r.races.count == 1 ? "" : "s")"
                    + (atomics > 0 ? ", \(atomics) atomic instruction\(atomics == 1 ? "" : "s") on shared words" : "") + "; preemption points added at " +
                    zip(eips, lines).map { "\(image.describe($0)) (\($1 ?? "?"))" }.joined(separator: ", ") + "\n"
            } else {
                racesNote = "Data races in the default interleaving: none found (\(r.watchedAccesses) shared accesses watched).\n"
            }
            racesNote += "Race run: \(watchCost(r.watchCounts)).\n"
            if watchGaveUp {
                racesNote = "Data races in the default interleaving: not watched (watched, the run passed the step bound; unwatched it did not: raise --run-limit to watch it).\n"
            }

        }
        if !racesNote.isEmpty && config.progress { progress(racesNote) }
        if let sig = pendingStop() {
            say("Interrupted by \(Kernel.signalName(sig)) before the search began (after the race run): no interleaving explored.\n")
            writeJSON(config, program: o.program, runs: 0, outcome: "interrupted by \(Kernel.signalName(sig))", bug: nil, schedule: nil)
            writeCleanMarkdown(config, program: o.program, runs: 0, outcome: "interrupted by \(Kernel.signalName(sig))")
            return 128 + sig   // the deferred unblock delivers the signal first
        }
        var raceWords: [UInt32: [UInt32]] = [:]
        func learn(_ points: [(word: UInt32, eip: UInt32)]) {
            for (word, e) in points where !(raceWords[e] ?? []).contains(word) { raceWords[e, default: []].append(word) }
        }
        learn(detected)
        var search = Exploration(maxPreemptions: config.maxPreemptions, shard: config.shard, partialOrder: config.partialOrder)
        search.raceWords = raceWords
        // Race watching of later runs (ExploreConfig.watchShare): the switches watched so far,
        // and what watching cost.
        let watching = !racesNote.isEmpty
        var watchedSwitches = Set<String>()
        var watchedNanoseconds: UInt64 = 0
        var watchedRuns = 0
        var watchedCounts = [0, 0]
        let searchStart = k.machine.nanoseconds
        var restarts = 0
        let tty = isatty(realErr) != 0
        var lastShown: UInt64 = 0
        // What the line and the summary call the depth (SearchDepth: never the level of the
        // run under way, which partial-order reduction can make go down).
        var bound = SearchDepth(maxPreemptions: config.maxPreemptions)
        func elapsed() -> Double { Double(k.machine.nanoseconds - start) / 1e9 }
        func showProgress(final: Bool = false) {
            let now = k.machine.nanoseconds
            guard config.progress, final || now - lastShown > (tty ? 200_000_000 : 5_000_000_000) else { return }
            lastShown = now
            let line = bound.progressLine(program: o.program, search: search, seconds: elapsed(), restarts: restarts)
            progress(tty ? "\r\u{1B}[K" + line + (final ? "\n" : "") : line + "\n")
        }

        while true {
            guard let schedule = search.next() else {
                break
            }
            if let sig = pendingStop() {
                showProgress(final: true)
                say("Interrupted by \(Kernel.signalName(sig)) after \(plural(search.runs, "interleaving")) at \(bound.summary) (\(bound.describe(search))): no bug found in them; the space was not exhausted.\n")
                say(costLine(runner, search, elapsed(), watchedCounts))
                writeJSON(config, program: o.program, runs: search.runs, outcome: "interrupted by \(Kernel.signalName(sig))", bug: nil, schedule: nil)
                writeCleanMarkdown(config, program: o.program, runs: search.runs, outcome: "interrupted by \(Kernel.signalName(sig))")
                return 128 + sig   // the deferred unblock delivers the signal first
            }
            if elapsed() >= config.budgetSeconds {
                showProgress(final: true)
                say("No bug found: the budget ran out (\(Int(config.budgetSeconds)) s) after \(plural(search.runs, "interleaving")) at \(bound.summary).\n")
                say(costLine(runner, search, elapsed(), watchedCounts))
                writeJSON(config, program: o.program, runs: search.runs, outcome: "budget ran out", bug: nil, schedule: nil)
                writeCleanMarkdown(config, program: o.program, runs: search.runs, outcome: "budget ran out")
                return 0
            }
            bound.took(from: search)   // its run starts now
            let switches = search.switches(of: schedule)
            let watch = watching && switches.contains { !watchedSwitches.contains($0) }
                && (watchedRuns < config.watchAtLeast
                    || Double(watchedNanoseconds) <= config.watchShare * Double(k.machine.nanoseconds - searchStart))
            let runStart = k.machine.nanoseconds
            var result = runner.run(schedule, detectRaces: watch)
            if let problem = result.hostProblem { return hostFailure(problem, runs: search.runs) }
            // As for the race run: a watched run past the step bound is run again unwatched,
            // and that run is judged (watching slows a run; the limit is the program's).
            if watch && result.kernelBug?.kind == BugKind.stepBound.rawValue {
                result = runner.run(schedule)
                if let problem = result.hostProblem { return hostFailure(problem, runs: search.runs) }
            }
            if watch {
                watchedNanoseconds += k.machine.nanoseconds - runStart
                watchedRuns += 1
                watchedSwitches.formUnion(switches)
                for (i, n) in result.watchCounts.prefix(2).enumerated() { watchedCounts[i] += n }
            }
            runner.watchedRuns = watchedRuns
            runner.watchedNanoseconds = watchedNanoseconds
            search.finished(schedule, records: result.records, states: result.states, served: result.served)
            showProgress()
            if let bug = result.bug {
                showProgress(final: true)
                var schedule = schedule
                schedule.extraPoints = racePoints
                let file = report(bug: bug, result: result, schedule: schedule, search: search, runner: runner,
                                  config: config, elapsed: elapsed(), say: say)
                writeJSON(config, program: o.program, runs: search.runs, outcome: "bug", bug: bug, schedule: file)
                return 1
            }
            // A watched run found racing instructions that are not points yet: they become
            // points, and the search starts again (the points are numbered anew).
            let known = Set(racePoints)
            let new = Set(result.pointWords.map(\.eip)).subtracting(known).sorted()
            if watch {
                learn(result.pointWords)
                search.raceWords = raceWords
            }
            if watch && !new.isEmpty && restarts < config.maxRaceRestarts {
                runner.addPoints(new)
                racePoints += new
                restarts += 1
                if config.progress {
                    let lines = TraceTable(records: [], elfPath: config.elfPath).addr2line(new)
                    progress((tty ? "\n" : "") + "Data races in interleaving \(search.runs): points added at " +
                             zip(new, lines).map { "\(hex($0)) (\($1 ?? "?"))" }.joined(separator: ", ") + "; exploring again with them\n")
                }
                search = Exploration(maxPreemptions: config.maxPreemptions, shard: config.shard, runsBefore: search.runs,
                                     partialOrder: config.partialOrder)
                bound = SearchDepth(maxPreemptions: config.maxPreemptions)
                search.raceWords = raceWords
            }
        }
        showProgress(final: true)
        let how = search.partialOrder
            ? "\(plural(search.runs, "interleaving")); the others are equivalent to one of them (partial-order reduction: \(plural(search.slept, "race reversal")) asleep, \(plural(search.sleepCuts, "run")) cut where a sleeping thread ran), \(plural(search.beyondBound, "race reversal")) would have passed the bound"
            : "\(plural(search.runs, "interleaving")), \(search.pruned) more pruned as reaching known states"
        say("No bug found: space exhausted: every interleaving with up to \(config.maxPreemptions) preemption\(config.maxPreemptions == 1 ? "" : "s") ran\(config.shard.map { " in shard \($0.k)/\($0.n)" } ?? "") (\(how)).\n")
        say(costLine(runner, search, elapsed(), watchedCounts))
        writeJSON(config, program: o.program, runs: search.runs, outcome: "space exhausted", bug: nil, schedule: nil)
        writeCleanMarkdown(config, program: o.program, runs: search.runs, outcome: "space exhausted")
        return 0
    }

    /// What watching a run's accesses took: faults, and how many of them the kernel carried
    /// out itself (AccessEmulation) rather than stepping.
    static func watchCost(_ counts: [Int]) -> String {
        guard counts.count >= 2 else { return "no access faults counted" }
        let share = counts[0] > 0 ? Int((Double(counts[1]) / Double(counts[0]) * 100).rounded()) : 0
        return "\(counts[0]) access faults, \(counts[1]) (\(share)%) carried out by the kernel, the rest stepped"
    }

    static func costLine(_ runner: ForkRunner, _ search: Exploration, _ seconds: Double, _ watched: [Int] = []) -> String {
        let reset = runner.runsDone > 0 ? Double(runner.resetNanoseconds) / Double(runner.runsDone) / 1000 : 0
        let share = seconds > 0 ? Int((Double(runner.watchedNanoseconds) / 1e9 / seconds * 100).rounded()) : 0
        return "\(plural(search.runs, "interleaving")) in \(String(format1(seconds))) s (\(Int(Double(search.runs) / max(seconds, 1e-9)))/s); machine reset \(Int(reset)) us each (\(runner.snapshotFrames) frames restored, fork); accesses watched in \(runner.watchedRuns) later run\(runner.watchedRuns == 1 ? "" : "s") (\(share)% of the time)\(runner.watchedRuns > 0 && !watched.isEmpty ? ": " + watchCost(watched) : "")\n"
    }

    static func format1(_ x: Double) -> String {
        let v = (x * 10).rounded() / 10
        return String(v)
    }

    /// The bug report: message, preemption trace, output tail, schedule file, replay commands.
    /// One JSON object: the shape `pebblebed stress-merge` reads (kind "explore").
    static func writeJSON(_ config: ExploreConfig, program: String, runs: Int, outcome: String, bug: String?, schedule: String?) {
        guard let path = config.jsonPath else { return }
        let shard = config.shard.map { "\($0.k)/\($0.n)" } ?? "1/1"
        var fields = ["\"kind\": \"explore\"", "\"program\": \(jsonString(program))", "\"shard\": \(jsonString(shard))",
                      "\"interleavings\": \(runs)", "\"outcome\": \(jsonString(outcome))",
                      "\"maxPreemptions\": \(config.maxPreemptions)"]
        if let bug { fields.append("\"bug\": \(jsonString(bug))") }
        if let schedule {
            fields.append("\"schedule\": \(jsonString(schedule))")
            fields.append("\"replay\": \(jsonString((["pebblebed", "run", "--schedule", schedule] + config.replayWords).map(shellQuote).joined(separator: " ")))")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        ForkRunner.writeAll(fd, "{\n  " + fields.joined(separator: ",\n  ") + "\n}\n")
        close(fd)
    }

    /// `--markdown FILE` when no bug was found: the outcome, so that the file a CI job
    /// publishes is never the report of an earlier run's bug (it was left as it was).
    static func writeCleanMarkdown(_ config: ExploreConfig, program: String, runs: Int, outcome: String) {
        guard let path = config.markdownPath else { return }
        let shard = config.shard.map { ", shard \($0.k)/\($0.n)" } ?? ""
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        ForkRunner.writeAll(fd, "# pebblebed explore: no bug found in `\(program)`\n\nOutcome: \(outcome), after \(plural(runs, "interleaving")) with up to \(config.maxPreemptions) preemption\(config.maxPreemptions == 1 ? "" : "s")\(shard).\n")
        close(fd)
    }

    /// The schedule's free choices (Schedule.Choice.free: who runs next after a thread
    /// stopped), which are not preemptions, for the report's first line.
    static func freeNote(_ schedule: Schedule) -> String {
        let n = schedule.choices.count - schedule.preemptions
        return n == 0 ? "" : " and \(n) choice\(n == 1 ? "" : "s") of the next thread after one stopped"
    }

    /// Prints the report; returns the schedule file's path.
    @discardableResult
    static func report(bug: String, result: RunResult, schedule: Schedule, search: Exploration, runner: ForkRunner,
                       config: ExploreConfig, elapsed: Double, say: (String) -> Void) -> String {
        var s = ""
        s += "\nBUG FOUND after \(plural(search.runs, "interleaving")) (\(format1(elapsed)) s), with \(schedule.preemptions) preemption\(schedule.preemptions == 1 ? "" : "s")\(freeNote(schedule)):\n"
        s += "  " + bug.split(separator: "\n").joined(separator: "\n  ") + "\n\n"
        s += TraceTable(records: result.records, elfPath: config.elfPath).text
        let tail = result.output.split(separator: "\n").suffix(8)
        if !tail.isEmpty {
            s += "\nLast output of the failing run:\n" + tail.map { "  | " + $0 }.joined(separator: "\n") + "\n"
        }
        let file = config.scheduleOut ?? "explore-\(URLBasename(config.elfPath)).schedule"
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let replay = (["pebblebed", "run", "--schedule", file] + config.replayWords).map(shellQuote).joined(separator: " ")
        if fd >= 0 {
            ForkRunner.writeAll(fd, schedule.text(program: config.replayWords, argv: config.argv, runLimitSeconds: config.runLimitSeconds, maxPoints: config.maxPoints, programHash: Schedule.programHash(atPath: config.elfPath)))
            close(fd)
            s += "\nSchedule: \(file)\n"
        } else {
            s += "\nSchedule: could not write \(file) (\(String(cString: strerror(errno)))); its choices: \(schedule.choices.map { "\($0.free ? "next" : "preempt") \($0.point) \($0.thread)" }.joined(separator: "; "))\n"
        }
        s += "Replay:           \(replay)\n"
        s += "Timeline:         \(replay.replacingFirst("run --schedule", with: "run --trace trace.json --schedule"))   (open trace.json in https://ui.perfetto.dev)\n"
        // Under the gdb stub the replay decides the same points (Debugger/README.md).
        s += "Replay under gdb: \(replay.replacingFirst("run --schedule", with: "run --gdb --schedule"))   (breakpoints and steps leave the interleaving as it is)\n"
        s += costLine(runner, search, elapsed)
        say(s)
        if let md = config.markdownPath {
            let name = URLBasename(config.elfPath)
            var m = "# pebblebed explore: bug in `\(name)`\n\n"
            m += "Found after \(plural(search.runs, "interleaving")) (\(format1(elapsed)) s), with \(schedule.preemptions) preemption\(schedule.preemptions == 1 ? "" : "s")\(freeNote(schedule)).\n\n"
            m += "## The bug\n\n```\n\(bug)\n```\n\n## Preemption trace\n\n```\n"
            m += TraceTable(records: result.records, elfPath: config.elfPath).text
            m += "```\n\n## Last output of the failing run\n\n```\n"
            m += result.output.split(separator: "\n").suffix(20).joined(separator: "\n")
            m += "\n```\n\n## Replay\n\n```sh\n\(replay)\n"
            m += replay.replacingFirst("run --schedule", with: "run --trace trace.json --schedule") + "\n"
            m += replay.replacingFirst("run --schedule", with: "run --gdb --schedule") + "   # step through it in gdb\n```\n\n"
            m += "Schedule file `\(file)`:\n\n```\n" + schedule.text(program: config.replayWords, argv: config.argv, runLimitSeconds: config.runLimitSeconds, maxPoints: config.maxPoints, programHash: Schedule.programHash(atPath: config.elfPath)) + "```\n"
            let fd = open(md, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd >= 0 {
                ForkRunner.writeAll(fd, m)
                close(fd)
            }
        }
        return file
    }

    static func URLBasename(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }

    static func shellQuote(_ w: String) -> String { Schedule.shellQuote(w) }
}

extension String {
    func replacingFirst(_ a: String, with b: String) -> String {
        guard let r = range(of: a) else { return self }
        return replacingCharacters(in: r, with: b)
    }

    func range(of a: String) -> Range<String.Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(a) { return i..<index(i, offsetBy: a.count) }
            i = index(after: i)
        }
        return nil
    }
}

/// "1 interleaving", "2 interleavings": the counts explore reports.
func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
