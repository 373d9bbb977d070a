import ArgumentParser
import Foundation

/// `pebblebed stress`: runs a guest program many times, each under its own seed, in parallel
/// host processes, and reports each failing seed with the command that reproduces it.
struct Stress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a program under many seeds of reproducible scheduling chaos.",
        discussion: """
        Each run is `pebblebed run --seed S --audit PROGRAM ARGS` with its own seed. A seed \
        drives every scheduling decision: with a seed the kernel single-steps the guest and \
        preempts after a seeded number of guest instructions (so even a critical section with \
        no system call in it can be interrupted anywhere), may preempt at any system call or \
        fault, picks the next thread among all runnable ones, and counts time (sleep, \
        get_ticks) in guest instructions. The same seed therefore replays the same \
        interleaving. Not reproduced: the timing of keyboard input, and host failures.
        A run fails on a non-zero exit status, a thread killed by a fault, a hang past \
        --timeout, a kernel panic or a failed frame audit.
        """)

    @Option(help: "Number of runs.") var runs = 100
    @Option(help: "Machines run in parallel.") var jobs = 2
    @Option(help: "Seconds before a run counts as hung.") var timeout: Double = 30
    @OptionGroup var machine: MachineOptions
    @Argument(help: "The guest program.") var program: String
    @Argument(parsing: .captureForPassthrough, help: "Arguments for the guest program.") var arguments: [String] = []

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard jobs >= 1 && jobs <= 64 else { throw ValidationError("--jobs must be 1...64") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() throws {
        // --seed (a machine option) is the first seed here: runs use seed, seed+1, ...
        let first = machine.seed ?? UInt64.random(in: 1...999_999)
        var runner = StressRunner(executable: StressRunner.selfPath, machineArguments: machine.arguments + ["--audit"],
                                  program: program, arguments: arguments, timeout: timeout)
        let results = runner.runAll(seeds: (0..<UInt64(runs)).map { first &+ $0 }, jobs: jobs)
        let failures = results.filter { !$0.passed }
        print("\n\(program): \(results.count) runs, \(results.count - failures.count) passed, \(failures.count) failed (seeds \(first)...\(first &+ UInt64(runs) - 1))")
        for f in failures.sorted(by: { $0.seed < $1.seed }) {
            print("  seed \(f.seed): \(f.reason)")
            print("    rerun: pebblebed run --seed \(f.seed) \(runner.rerunArguments.joined(separator: " "))")
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}

/// One finished run.
struct StressResult {
    let seed: UInt64
    let passed: Bool
    let reason: String
}

/// Starts and watches the machines of a stress run.
struct StressRunner {
    let executable: String
    let machineArguments: [String]
    let program: String
    let arguments: [String]
    let timeout: Double

    static var selfPath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    var rerunArguments: [String] { machineArguments + [program] + arguments }

    private struct Running {
        let seed: UInt64
        let process: Process
        let output: URL
        let started: Date
    }

    mutating func runAll(seeds: [UInt64], jobs: Int) -> [StressResult] {
        var pending = seeds[...]
        var running: [Running] = []
        var results: [StressResult] = []
        let tty = isatty(2) != 0
        var shown = -1
        while !pending.isEmpty || !running.isEmpty {
            while running.count < jobs, let s = pending.popFirst() {
                if let r = start(seed: s) { running.append(r) } else {
                    results.append(StressResult(seed: s, passed: false, reason: "could not start the machine"))
                }
            }
            var still: [Running] = []
            for r in running {
                if let result = poll(r) { results.append(result) } else { still.append(r) }
            }
            if still.count == running.count { usleep(5000) }
            running = still
            if results.count != shown {
                shown = results.count
                progress(done: shown, total: seeds.count, failed: results.filter { !$0.passed }.count, tty: tty)
            }
        }
        return results
    }

    private func start(seed: UInt64) -> Running? {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-stress-\(getpid())-\(seed)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        guard let handle = try? FileHandle(forWritingTo: out) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["run", "--seed", String(seed)] + machineArguments + [program] + arguments
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        try? handle.close()
        return Running(seed: seed, process: p, output: out, started: Date())
    }

    /// The result of a finished (or hung, then killed) run; nil while it still runs.
    private func poll(_ r: Running) -> StressResult? {
        var hung = false
        if r.process.isRunning {
            guard Date().timeIntervalSince(r.started) > timeout else { return nil }
            kill(r.process.processIdentifier, SIGKILL)
            hung = true
        }
        r.process.waitUntilExit()
        let text = (try? String(contentsOf: r.output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: r.output)
        let reason = StressRunner.classify(status: r.process.terminationStatus, output: text, hung: hung, timeout: timeout)
        return StressResult(seed: r.seed, passed: reason == nil, reason: reason ?? "")
    }

    /// Why a run failed, or nil if it passed.
    static func classify(status: Int32, output: String, hung: Bool, timeout: Double) -> String? {
        let lines = output.split(separator: "\n")
        if hung { return "hang: still running after \(Int(timeout)) s" }
        if status == 70 { return "kernel panic: " + (lines.first { $0.contains("kernel panic") }.map(String.init) ?? "") }
        if status == 71 { return "kernel frame audit failed" }
        if let killed = lines.first(where: { $0.contains(" killed: ") }) { return "fault: " + killed }
        if status != 0 {
            let fail = lines.last { $0.contains("FAIL") }.map { ": " + $0 } ?? ""
            return "exit status \(status)\(fail)"
        }
        return nil
    }

    private func progress(done: Int, total: Int, failed: Int, tty: Bool) {
        let line = "[\(done)/\(total)] \(done - failed) passed, \(failed) failed"
        if tty {
            FileHandle.standardError.write(Data(("\r" + line).utf8))
        } else if done > 0 && (done == total || done % max(total / 10, 1) == 0) {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}
