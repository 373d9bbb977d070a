import ArgumentParser
import Foundation
import Pebblebed

/// `pebblebed test`: runs several 15-410-style test programs, each as
/// `pebblebed run --report --timeout S PROG ARGS` in a machine of its own (MachinePool, as
/// stress runs its seeds), and prints one table of verdicts; `--junit FILE` writes the same as
/// JUnit XML for CI systems.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run 15-410-style test programs and print a table of verdicts (exit 0 only if all pass).",
        discussion: """
        Each TEST is a program (a RAM-disk name or a host path with a '/'), optionally with its \
        arguments in the same word: `pebblebed test fork_wait "simics_report fail" ./mytest`. \
        Each runs as `pebblebed run --report --timeout S TEST` (see `pebblebed run --help` for \
        how report lines become verdicts: complete-type tests pass with END__SUCCESS, abort-type \
        tests when their task ends before an END line, forever-type tests when still running \
        at --timeout). A test whose machine panics (70), fails its audit (71), cannot be loaded \
        (2) or does not halt after its timeout fails too. The table lists each test, its \
        verdict and its time, and each failure's reason and a command that reruns it. \
        Exit code 0 when every test passed, 1 when any failed.
        """)

    @Option(parsing: .unconditional, help: "Seconds each test may run (forever-type tests pass when still running then).", transform: NumberArgument.seconds("--timeout"))
    var timeout: Double = 30

    @Option(parsing: .unconditional, help: "Tests run in parallel, each in its own machine.", transform: NumberArgument.int("--jobs", 1...64))
    var jobs: Int = 2

    @Option(help: ArgumentHelp("Also write the results as JUnit XML to FILE.", valueName: "FILE"))
    var junit: String?

    @Option(help: "RAM disk directory (as for `pebblebed run`).")
    var ramdisk: String?

    @Option(parsing: .unconditional, help: "Physical memory size in MiB of each machine.", transform: NumberArgument.int("--memory", 1...4096, unit: " MiB"))
    var memory: Int = 128

    @Argument(help: ArgumentHelp("Test programs, each with its arguments in one word.", valueName: "TEST"))
    var tests: [String] = []

    /// One test's result.
    struct Result {
        let index: Int
        let name: String
        let passed: Bool
        /// The verdict lines' reasons, or why the machine itself failed.
        let reason: String
        let seconds: Double
        let output: String
    }

    func run() throws {
        guard !tests.isEmpty else {
            throw ValidationError("name the test programs to run: pebblebed test [--timeout S] [--jobs N] [--junit FILE] PROG...")
        }
        let words = try tests.map { test -> [String] in
            let w = test.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !w.isEmpty else { throw ValidationError("an empty TEST word; give a program name") }
            return w
        }
        // Before the first test runs (issue 18, 5).
        if let junit { try CLIError.checkOutputPath(junit, option: "--junit") }
        if let problem = HostProcess.ensureOpenFiles(HostProcess.descriptorsPerMachine + 4 * jobs, for: "test with --jobs \(jobs)") {
            throw CLIError.load(problem + " (lower --jobs or raise the limit)")
        }
        HostProcess.closeDescriptorsAboveLimit()
        let machineWords = rerunWords()
        // The machine halts itself at --timeout; the pool kills it only if it does not (a
        // host-side hang), after a margin for boot and the verdict.
        var pool = MachinePool(executable: MachinePool.selfPath, timeout: timeout * 2 + 10, label: "test")
        var failed = 0
        let outcomes = pool.runAll(words.map { ["run"] + machineWords + ["--"] + $0 }, jobs: jobs, progress: { done, o in
            if let o, !TestCommand.judge(o, timeout: timeout).passed { failed += 1 }
            return "\(done - failed) passed, \(failed) failed"
        })
        if isatty(2) != 0 { FileHandle.standardError.write(Data("\n".utf8)) }
        var results = outcomes.map { o -> Result in
            let (passed, reason) = TestCommand.judge(o, timeout: timeout)
            return Result(index: o.index, name: tests[o.index], passed: passed, reason: reason, seconds: o.seconds, output: o.output)
        }
        // In the order given, not the order they finished.
        results.sort { $0.index < $1.index }
        print(TestCommand.table(results))
        for r in results where !r.passed {
            print("  \(r.name): \(r.reason)")
            print("    rerun: pebblebed run \(machineWords.joined(separator: " ")) \(r.name)")
        }
        if let junit {
            do { try Data(TestCommand.junitXML(results).utf8).write(to: URL(fileURLWithPath: junit)) } catch {
                throw CLIError.usage("--junit \(junit): cannot write it (\(error.localizedDescription))")
            }
        }
        if let sig = pool.interruptedBy {
            print("  interrupted after \(results.count) of \(tests.count) tests; the machines still running were stopped")
            MachinePool.endBySignal(sig)
        }
        if let hostFailure = pool.hostFailure {
            throw CLIError.load("test: stopped after \(results.count) of \(tests.count) tests: cannot start a machine: \(hostFailure)")
        }
        if results.contains(where: { !$0.passed }) { throw ExitCode(ExitStatus.failed) }
    }

    /// The machine options each test runs with (also the rerun command's).
    func rerunWords() -> [String] {
        var w = ["--report", "--timeout", String(format: "%g", timeout)]
        if memory != 128 { w += ["--memory", String(memory)] }
        if let ramdisk { w += ["--ramdisk", ramdisk] }
        return w
    }

    /// Passed, and why: the verdict lines (`verdict: PASS|FAIL NAME (TYPE type): REASON`) when
    /// the machine reported, else what ended it.
    static func judge(_ o: MachinePool.Outcome, timeout: Double) -> (passed: Bool, reason: String) {
        let lines = o.output.split(separator: "\n").map(String.init)
        if o.hung { return (false, "still running \(Int(timeout * 2 + 10)) s after its start: the machine did not halt at --timeout") }
        switch o.status {
        case ExitStatus.panic: return (false, "kernel panic" + (lines.first { $0.contains("kernel panic") }.map { ": " + $0 } ?? ""))
        case ExitStatus.audit: return (false, "kernel audit failed")
        case ExitStatus.load, ExitStatus.usage:
            let why = lines.last { $0.hasPrefix("pebblebed: ") || $0.hasPrefix("Error: ") } ?? "exit \(o.status)"
            return (false, "could not run: " + why)
        default: break
        }
        // Each verdict goes to stdout and to the kernel log (stderr), both in this output.
        var verdicts: [String] = []
        for line in lines where line.hasPrefix("verdict: ") {
            let v = String(line.dropFirst("verdict: ".count))
            if !verdicts.contains(v) { verdicts.append(v) }
        }
        if verdicts.isEmpty { return (false, "no verdict (exit status \(o.status))") }
        return (o.status == 0, verdicts.joined(separator: "; "))
    }

    /// TEST  VERDICT  TIME, then the counts.
    static func table(_ results: [Result]) -> String {
        let width = max(4, results.map(\.name.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        var lines = [pad("TEST", width) + "  VERDICT  TIME"]
        for r in results {
            lines.append(pad(r.name, width) + "  " + pad(r.passed ? "PASS" : "FAIL", 7) + "  " + String(format: "%.2f s", r.seconds))
        }
        let failed = results.filter { !$0.passed }.count
        lines.append("\(results.count) test\(results.count == 1 ? "" : "s"): \(results.count - failed) passed, \(failed) failed")
        return lines.joined(separator: "\n")
    }

    /// JUnit XML (the schema Jenkins, GitLab and GitHub's reporters read): one testsuite, one
    /// testcase per test, a <failure> with the reason and the machine's output for each failure.
    static func junitXML(_ results: [Result]) -> String {
        let failed = results.filter { !$0.passed }.count
        let total = results.reduce(0) { $0 + $1.seconds }
        var x = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        x += #"<testsuites name="pebblebed test" tests="\#(results.count)" failures="\#(failed)" errors="0" time="\#(String(format: "%.3f", total))">"# + "\n"
        x += #"  <testsuite name="pebblebed" tests="\#(results.count)" failures="\#(failed)" errors="0" skipped="0" time="\#(String(format: "%.3f", total))">"# + "\n"
        for r in results {
            let head = #"    <testcase classname="pebblebed" name="\#(xmlEscape(r.name))" time="\#(String(format: "%.3f", r.seconds))""#
            if r.passed {
                x += head + "/>\n"
            } else {
                x += head + ">\n"
                x += #"      <failure message="\#(xmlEscape(r.reason))" type="FAIL">\#(xmlEscape(r.output))</failure>"# + "\n"
                x += "    </testcase>\n"
            }
        }
        x += "  </testsuite>\n</testsuites>\n"
        return x
    }

    /// Text for XML attributes and content; control characters other than tab and newline are
    /// not allowed in XML 1.0 at all, so they become '?' (guest output may contain any byte).
    static func xmlEscape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n": out.unicodeScalars.append(u)
            case "\r": out += "&#13;"
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { out += "?" } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}
