import ArgumentParser
import Foundation
import Pebblebed

/// `pebblebed stress`: runs a guest program many times, each under its own seed, in parallel
/// host processes, and reports each failing seed with the command that reproduces it.
struct Stress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a program under many seeds of reproducible scheduling chaos.",
        discussion: """
        Each run is `pebblebed run --seed S --points --audit PROGRAM ARGS` with its own seed. \
        A seed drives every scheduling decision. By default the decisions are taken at the \
        preemption points of `pebblebed explore` (system calls and thread-library entries): \
        the guest runs natively in between, the seed says at which points to give way and \
        to which runnable thread, and time (sleep, get_ticks) is counted in points. With \
        --single-step the kernel instead single-steps the guest and preempts after a seeded \
        number of guest instructions (so even a critical section with no call in it can be \
        interrupted anywhere, about 100,000 times slower for compute-bound code), may preempt \
        at any system call or fault, and counts time in guest instructions. Either way the \
        same seed replays the same interleaving. Not reproduced: the timing of keyboard \
        input, and host failures.
        A run fails on a non-zero exit status, a thread killed by a fault, a hang past \
        --timeout, a kernel panic or a failed frame audit. Each failing seed is listed with \
        its last output lines and the command that reruns it; --trace FILE reruns the first \
        failing seed with --trace FILE, a timeline of that interleaving.
        """)

    // (.unconditional: "--runs -5" reaches validate() instead of "Missing value".)
    @Option(parsing: .unconditional, help: "Number of runs.") var runs = 100
    @Option(parsing: .unconditional, help: "Machines run in parallel.") var jobs = 2
    @Option(parsing: .unconditional, help: "Seconds before a run counts as hung.") var timeout: Double = 30
    @Flag(name: .customLong("single-step"), help: "Single-step the guest and preempt after seeded instruction counts (slow), instead of deciding at preemption points.") var singleStep = false
    @Option(help: ArgumentHelp("Also write the results as JSON to FILE (shards' files merge with `pebblebed stress-merge`).", valueName: "FILE")) var json: String?
    @Option(help: ArgumentHelp("Run only shard K of N (1-based): the seeds whose position in the run list is K-1 modulo N. Shards of one run list are disjoint and together cover it, so N machines (a job array) can share a stress run.", valueName: "K/N")) var shard: String?
    @OptionGroup var machine: MachineOptions
    @Argument(help: "The guest program.") var program: String
    @Argument(parsing: .captureForPassthrough, help: "Arguments for the guest program.") var arguments: [String] = []

    /// `--shard K/N` as (K, N), 1 <= K <= N.
    func parsedShard() throws -> (Int, Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else {
            throw ValidationError("--shard must be K/N with 1 <= K <= N, not \(shard)")
        }
        return (k, n)
    }

    func validate() throws {
        _ = try parsedShard()
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard jobs >= 1 && jobs <= 64 else { throw ValidationError("--jobs must be 1...64") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        // Options of one machine that were passed to no run at all: refused, not ignored.
        if machine.gdbPort != nil {
            throw ValidationError("--gdb-port: stress makes many runs; debug a failing seed by rerunning it: pebblebed run --gdb --seed S --points PROGRAM (each failing seed's rerun command is printed)")
        }
        if machine.log != nil {
            throw ValidationError("--log: each run's log goes with its output (failing seeds show their last lines); a rerun takes --log: pebblebed run --log FILE --seed S --points PROGRAM")
        }
        if singleStep && machine.points { throw ValidationError("--single-step and --points exclude each other") }
        // Each job holds an output file and the spawn's pipes; each machine needs its own.
        if let problem = HostProcess.ensureOpenFiles(HostProcess.descriptorsPerMachine + 4 * jobs, for: "stress with --jobs \(jobs)") {
            throw ValidationError(problem + " (lower --jobs or raise the limit)")
        }
    }

    func run() throws {
        // Before the first run, not after the last (issue 18, 5).
        if let json { try CLIError.checkOutputPath(json, option: "--json") }
        if let trace = machine.trace { try CLIError.checkOutputPath(trace, option: "--trace") }
        // A program that cannot be loaded fails every seed the same way: said once, exit 2, as
        // `run` and `explore` do (it was a hundred failing "seeds", each exit status 2).
        let ramdisk = try machine.checkedRAMDisk()
        if program.contains("/") {
            if case .failure(let why) = HostFile.read(program) { throw CLIError.load("cannot load \(program): \(why)") }
        } else {
            let disk: RAMDisk
            do { disk = try RAMDisk(directory: ramdisk) } catch { throw CLIError.load(error.description) }
            guard disk.contents(of: program) != nil else { throw CLIError.load("\(program): no such program in the RAM disk \(ramdisk)") }
        }
        HostProcess.closeDescriptorsAboveLimit()
        // --seed (a machine option) is the first seed here: runs use seed, seed+1, ...
        let first = machine.seed ?? UInt64.random(in: 1...999_999)
        var machineArguments = machine.arguments + ["--audit"]
        if !singleStep && !machineArguments.contains("--points") { machineArguments.append("--points") }
        var runner = StressRunner(executable: StressRunner.selfPath, machineArguments: machineArguments,
                                  program: program, arguments: arguments, timeout: timeout)
        var seeds = (0..<UInt64(runs)).map { first &+ $0 }
        if let (k, n) = try parsedShard() { seeds = seeds.enumerated().filter { $0.offset % n == k - 1 }.map(\.element) }
        let results = runner.runAll(seeds: seeds, jobs: jobs)
        let failures = results.filter { !$0.passed }
        let shardNote = shard.map { ", shard \($0)" } ?? ""
        print("\n\(program): \(results.count) runs, \(results.count - failures.count) passed, \(failures.count) failed (seeds \(first)...\(first &+ UInt64(runs) - 1)\(shardNote))")
        if let sig = runner.interruptedBy {
            print("  interrupted by \(sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP") after \(results.count) of \(seeds.count) runs; the machines still running were stopped")
        }
        // The rerun gets --timeout too: a hang then ends as the same timeout, not forever.
        let rerun = runner.rerunArguments(timeout: timeout).joined(separator: " ")
        for f in failures.sorted(by: { $0.seed < $1.seed }) {
            print("  seed \(f.seed): \(f.reason)")
            for line in f.lastLines { print("    | \(line)") }
            print("    rerun: pebblebed run --seed \(f.seed) \(rerun)")
        }
        if let trace = machine.trace {
            if let first = failures.min(by: { $0.seed < $1.seed }) {
                print(runner.traceRerun(seed: first.seed, trace: trace, timeout: timeout))
            } else {
                print("  no seed failed: no trace written (--trace \(trace) traces the first failing seed)")
            }
        }
        if let json {
            let record: [String: Any] = [
                "program": program, "arguments": arguments, "firstSeed": first, "runs": runs, "shard": shard ?? "1/1",
                "rerun": rerun,
                "results": results.map { ["seed": $0.seed, "passed": $0.passed, "reason": $0.reason] as [String: Any] },
            ]
            let data = try JSONSerialization.data(withJSONObject: record, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
        if let sig = runner.interruptedBy { MachinePool.endBySignal(sig) }
        if let hostFailure = runner.hostFailure {
            // Not a seed's fault: the host could not start a machine at all (issue 17, 5).
            FileHandle.standardError.write(Data("pebblebed stress: stopped after \(results.count) of \(runs) runs: cannot start a machine: \(hostFailure)\n".utf8))
            throw ExitCode(2)
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}

/// One finished run.
struct StressResult {
    let seed: UInt64
    let passed: Bool
    let reason: String
    /// The failing run's last output lines.
    var lastLines: [String] = []
}

/// Starts and watches the machines of a stress run.
struct StressRunner {
    let executable: String
    let machineArguments: [String]
    let program: String
    let arguments: [String]
    let timeout: Double
    /// Set when the host refused to start a machine with none of ours running.
    var hostFailure: String? { pool.hostFailure }
    var interruptedBy: Int32? { pool.interruptedBy }
    private var pool: MachinePool

    init(executable: String, machineArguments: [String], program: String, arguments: [String], timeout: Double) {
        self.executable = executable
        self.machineArguments = machineArguments
        self.program = program
        self.arguments = arguments
        self.timeout = timeout
        pool = MachinePool(executable: executable, timeout: timeout, label: "stress")
    }

    static var selfPath: String { MachinePool.selfPath }

    var rerunArguments: [String] { machineArguments + [program] + arguments }

    func rerunArguments(timeout: Double) -> [String] {
        machineArguments + ["--timeout", String(timeout)] + [program] + arguments
    }

    /// `stress --trace FILE` (issue 15, 6): reruns `seed` with `--trace FILE` (the same
    /// interleaving: the seed decides every choice), and says what came of it.
    func traceRerun(seed: UInt64, trace: String, timeout: Double) -> String {
        let words = ["run", "--seed", String(seed)] + machineArguments + ["--trace", trace, "--timeout", String(timeout)] + [program] + arguments
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = words
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        // (Written afresh: an old file of that name must not pass for this seed's trace.)
        try? FileManager.default.removeItem(atPath: trace)
        do { try p.run() } catch { return "  trace of seed \(seed): not written: cannot start a machine (\(error.localizedDescription))" }
        p.waitUntilExit()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        let command = "pebblebed " + words.joined(separator: " ")
        guard FileManager.default.fileExists(atPath: trace) else {
            return "  trace of seed \(seed): not written (the rerun exited \(status)): \(command)"
        }
        return "  trace of seed \(seed), the first failing seed (the rerun exited \(status)): \(trace) (open it in https://ui.perfetto.dev, or `pebblebed trace summary \(trace)`); made by: \(command)"
    }

    mutating func runAll(seeds: [UInt64], jobs: Int) -> [StressResult] {
        let runs = seeds.map { ["run", "--seed", String($0)] + machineArguments + [program] + arguments }
        let timeout = self.timeout
        var failed = 0
        return pool.runAll(runs, jobs: jobs, progress: { done, finished in
            if let finished, StressRunner.classify(finished, timeout: timeout) != nil { failed += 1 }
            return "\(done - failed) passed, \(failed) failed"
        }).map { outcome in
            let reason = StressRunner.classify(outcome, timeout: timeout)
            let tail = reason == nil ? [] : outcome.output.split(separator: "\n").suffix(5).map(String.init)
            return StressResult(seed: seeds[outcome.index], passed: reason == nil, reason: reason ?? "", lastLines: tail)
        }
    }

    static func classify(_ o: MachinePool.Outcome, timeout: Double) -> String? {
        classify(status: o.status, output: o.output, hung: o.hung, timeout: timeout)
    }

    /// Why a run failed, or nil if it passed.
    static func classify(status: Int32, output: String, hung: Bool, timeout: Double) -> String? {
        let lines = output.split(separator: "\n")
        if hung { return "hang: still running after \(Int(timeout)) s" }
        if status == 70 { return "kernel panic: " + (lines.first { $0.contains("kernel panic") }.map(String.init) ?? "") }
        if status == 71 { return "kernel frame audit failed" }
        if let killed = lines.first(where: { $0.contains(" killed: ") }) { return "fault: " + killed }
        // What the kernel recognises under preemption points (Explore/Kernel+Points.swift).
        if let seen = lines.first(where: { $0.hasPrefix("deadlock: ") || $0.hasPrefix("step bound exceeded: ") }) {
            return String(seen)
        }
        if status != 0 {
            let fail = lines.last { $0.contains("FAIL") }.map { ": " + $0 } ?? ""
            return "exit status \(status)\(fail)"
        }
        return nil
    }
}

/// Machines as subprocesses of this binary (`pebblebed run ...`), up to `jobs` at a time, each
/// with its output (stdout and stderr together) in a temporary file and killed when it runs
/// past `timeout`. `pebblebed stress` and `pebblebed test` run their machines through it.
struct MachinePool {
    let executable: String
    let timeout: Double
    /// Names the temporary output files (pebblebed-LABEL-PID-N).
    let label: String
    /// Set when the host refused to start a machine with none of ours running.
    private(set) var hostFailure: String?
    /// The signal (SIGINT, SIGHUP, SIGTERM) that stopped `runAll` early: the machines still
    /// running were killed and reaped; the caller reports what finished, then `endBySignal`.
    private(set) var interruptedBy: Int32?

    static var selfPath: String { DataDirectory.executable }

    /// Ends the process by `signal`, as it would have ended without the pool's handler (a
    /// shell sees 128+N).
    static func endBySignal(_ sig: Int32) -> Never {
        fflush(stdout)   // the summary, when stdout is a file or a pipe
        signal(sig, SIG_DFL)
        var only = sigset_t()
        sigemptyset(&only)
        sigaddset(&only, sig)
        sigprocmask(SIG_UNBLOCK, &only, nil)
        raise(sig)
        exit(128 + sig)
    }

    /// One finished (or hung, then killed) machine: the index of its argument list.
    struct Outcome {
        let index: Int
        let status: Int32
        let output: String
        let hung: Bool
        let seconds: Double
    }

    private struct Running {
        let index: Int
        let process: Process
        let output: URL
        let started: Date
    }

    /// Runs every argument list; the outcomes in the order they finished (fewer than `runs`
    /// when the host refused to start a machine: hostFailure says why). `progress` gets the
    /// count done and the outcome just finished (nil for the first call) and returns the
    /// progress line's tail.
    mutating func runAll(_ runs: [[String]], jobs: Int, progress: (Int, Outcome?) -> String) -> [Outcome] {
        var pending = Array(runs.indices)[...]
        var running: [Running] = []
        var results: [Outcome] = []
        let tty = isatty(2) != 0
        var shown = -1
        // Ctrl-C (and HUP, TERM) used to end this process alone: the machines run in process
        // groups of their own (Foundation's Process), so a Ctrl-C at the terminal did not reach
        // them, and a hanging one, whose timeout only this process enforced, ran for ever.
        // Now the signal is noted and the loop below kills and reaps them first. (Left
        // ignored where it was ignored: a background job of a non-interactive shell.)
        machinePoolStop = 0
        var previous: [(Int32, sighandler_t?)] = []
        for sig in [SIGINT, SIGHUP, SIGTERM] {
            let old = signal(sig) { machinePoolStop = $0 }
            if unsafeBitCast(old, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { signal(sig, SIG_IGN) }
            previous.append((sig, old))
        }
        defer { for (sig, old) in previous { signal(sig, old) } }
        // And taken even if the parent left them blocked (a test runner's thread may).
        var stops = sigset_t(), maskBefore = sigset_t()
        sigemptyset(&stops)
        for sig in [SIGINT, SIGHUP, SIGTERM] { sigaddset(&stops, sig) }
        sigprocmask(SIG_UNBLOCK, &stops, &maskBefore)
        defer { sigprocmask(SIG_SETMASK, &maskBefore, nil) }
        while !pending.isEmpty || !running.isEmpty {
            if machinePoolStop != 0 {
                for r in running {
                    kill(r.process.processIdentifier, SIGKILL)
                    r.process.waitUntilExit()
                    try? FileManager.default.removeItem(at: r.output)
                }
                interruptedBy = machinePoolStop
                break
            }
            starting: while hostFailure == nil, running.count < jobs, let i = pending.first {
                switch start(index: i, arguments: runs[i]) {
                case .success(let r):
                    pending.removeFirst()
                    running.append(r)
                case .failure(let why):
                    // With runs of ours going, one finishing frees what this start needs: try
                    // again then. With none, the host refuses outright.
                    if running.isEmpty { hostFailure = why.description }
                    break starting
                }
            }
            if hostFailure != nil && running.isEmpty { break }
            var still: [Running] = []
            for r in running {
                if let result = poll(r) {
                    results.append(result)
                    report(done: results.count, total: runs.count, tail: progress(results.count, result), tty: tty)
                } else { still.append(r) }
            }
            if still.count == running.count { usleep(5000) }
            running = still
            if shown < 0 {
                shown = 0
                report(done: 0, total: runs.count, tail: progress(0, nil), tty: tty)
            }
        }
        return results
    }

    /// Why a machine could not be started: the host's doing (descriptors, processes), so no
    /// run is blamed for it.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    private func start(index: Int, arguments: [String]) -> Result<Running, StartFailure> {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-\(label)-\(getpid())-\(index)")
        let fd = open(out.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let e = errno
            let limit = e == EMFILE || e == ENFILE ? " (the open file limit, ulimit -n)" : ""
            return .failure(StartFailure(description: "output file \(out.path): \(String(cString: strerror(e)))\(limit)"))
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: out)
            let e = (error as NSError).code
            let limit = e == Int(EAGAIN) ? " (the process limit, ulimit -u)" : e == Int(EMFILE) ? " (the open file limit, ulimit -n)" : ""
            return .failure(StartFailure(description: "\(error.localizedDescription)\(limit)"))
        }
        try? handle.close()
        return .success(Running(index: index, process: p, output: out, started: Date()))
    }

    /// The outcome of a finished (or hung, then killed) run; nil while it still runs.
    private func poll(_ r: Running) -> Outcome? {
        var hung = false
        if r.process.isRunning {
            guard Date().timeIntervalSince(r.started) > timeout else { return nil }
            kill(r.process.processIdentifier, SIGKILL)
            hung = true
        }
        r.process.waitUntilExit()
        let seconds = Date().timeIntervalSince(r.started)
        let text = (try? String(contentsOf: r.output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: r.output)
        return Outcome(index: r.index, status: r.process.terminationStatus, output: text, hung: hung, seconds: seconds)
    }

    private func report(done: Int, total: Int, tail: String, tty: Bool) {
        let line = "[\(done)/\(total)] \(tail)"
        if tty {
            FileHandle.standardError.write(Data(("\r" + line).utf8))
        } else if done > 0 && (done == total || done % max(total / 10, 1) == 0) {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}

/// The signal that asked MachinePool.runAll to stop (its handler's only write).
nonisolated(unsafe) var machinePoolStop: Int32 = 0

/// `pebblebed stress-merge`: the summary of several shards' `--json` files, as one stress run.
struct StressMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress-merge",
        abstract: "Merge the --json results of stress shards (or of explore runs) into one summary.",
        discussion: "Exit code 1 when any run failed, as `pebblebed stress`.")

    @Argument(help: "JSON files written by `pebblebed stress --json`.") var files: [String]

    func run() throws {
        var all: [(seed: UInt64, passed: Bool, reason: String)] = []
        var explore: [[String: Any]] = []
        var program = "", rerun = ""
        for f in files {
            guard let data = FileManager.default.contents(atPath: f),
                  let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ValidationError("\(f): not a `pebblebed stress --json` or `explore --json` file")
            }
            if obj["kind"] as? String == "explore" {
                explore.append(obj)
                continue
            }
            guard let results = obj["results"] as? [[String: Any]] else {
                throw ValidationError("\(f): not a `pebblebed stress --json` file")
            }
            program = obj["program"] as? String ?? program
            rerun = obj["rerun"] as? String ?? rerun
            for r in results {
                guard let seed = (r["seed"] as? NSNumber)?.uint64Value, let passed = r["passed"] as? Bool else {
                    throw ValidationError("\(f): a result without seed or passed")
                }
                all.append((seed, passed, r["reason"] as? String ?? ""))
            }
        }
        if !explore.isEmpty {
            // Explore shards: the space is exhausted when every shard exhausted its part.
            let runs = explore.reduce(0) { $0 + ($1["interleavings"] as? Int ?? 0) }
            let bugs = explore.filter { $0["outcome"] as? String == "bug" }
            let exhausted = explore.allSatisfy { $0["outcome"] as? String == "space exhausted" }
            // Shards that stopped short of their part without a bug or a host failure: the
            // budget ran out, or a signal interrupted them (each named, with its outcome).
            let short = explore.filter {
                let outcome = $0["outcome"] as? String ?? ""
                return outcome != "space exhausted" && outcome != "bug" && !outcome.hasPrefix("host failure")
            }
            // A shard the host stopped (explore exit 2) did not search its part.
            let failed = explore.filter { ($0["outcome"] as? String ?? "").hasPrefix("host failure") }
            let shards = Set(explore.compactMap { $0["shard"] as? String }).sorted()
            let name = explore.first?["program"] as? String ?? "?"
            print("\(name): \(explore.count) explore shard\(explore.count == 1 ? "" : "s") (\(shards.joined(separator: ", "))), \(runs) interleavings, " +
                  (bugs.isEmpty ? (exhausted ? "no bug, space exhausted in every shard"
                                   : failed.isEmpty ? "no bug, but \(short.count) did not exhaust \(short.count == 1 ? "its" : "their") part" : "no bug, but \(failed.count) could not finish")
                                : "\(bugs.count) found a bug"))
            for f in failed + short { print("  shard \(f["shard"] as? String ?? "?"): \(f["outcome"] as? String ?? "") after \(f["interleavings"] as? Int ?? 0) interleavings") }
            for b in bugs {
                // (A multi-line bug, a deadlock's threads, indented under its shard.)
                let bug = (b["bug"] as? String ?? "").split(separator: "\n").joined(separator: "\n    ")
                print("  shard \(b["shard"] as? String ?? "?"): \(bug)")
                if let r = b["replay"] as? String { print("    replay: \(r)") }
            }
            if !bugs.isEmpty { throw ExitCode(1) }
            if !failed.isEmpty { throw ExitCode(2) }
            if all.isEmpty { return }
        }
        let failures = all.filter { !$0.passed }.sorted { $0.seed < $1.seed }
        print("\(program): \(all.count) runs in \(files.count) file\(files.count == 1 ? "" : "s"), \(all.count - failures.count) passed, \(failures.count) failed")
        for f in failures {
            print("  seed \(f.seed): \(f.reason)")
            print("    rerun: pebblebed run --seed \(f.seed) \(rerun)")
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
