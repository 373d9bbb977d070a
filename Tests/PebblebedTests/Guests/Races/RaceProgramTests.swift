import Foundation
import Testing

/// The race suite's correct programs (examples/tests/race_*.c) under the ordinary timer-driven
/// machine: each must pass every time. `pebblebed stress` runs the same programs under seeded
/// chaos (RaceStressTests); here they run natively, at two timer rates.
@Suite(.serialized) struct RaceProgramTests {
    static let correctPrograms = [
        "race_mutex_counter", "race_bounded_buffer", "race_rwlock", "race_deschedule",
        "race_fork_storm", "race_thread_storm", "race_print",
    ]

    @Test(arguments: correctPrograms)
    func correctProgramPasses(program: String) throws {
        for hz in ["100", "1000", "1000"] {
            let r = try Guest.run(program, options: ["--hz", hz], timeout: 30)
            #expect(!r.timedOut, "\(program) hung at --hz \(hz): \(r)")
            #expect(r.status == 0, "\(program) at --hz \(hz): \(r)")
            #expect(r.stdout.contains("PASS \(program)\n"), "\(program) at --hz \(hz): \(r)")
            #expect(!r.stdout.contains("FAIL"), "\(program) at --hz \(hz): \(r)")
        }
    }

    /// The scalable programs run a longer workload too (argv[1] multiplies their rounds), so
    /// that timer interrupts land inside their critical sections and handshakes many times.
    @Test(arguments: ["race_mutex_counter", "race_deschedule"])
    func correctProgramPassesALongerRun(program: String) throws {
        let r = try Guest.run(program, ["20"], options: ["--hz", "1000"], timeout: 30)
        #expect(r.status == 0 && r.stdout.contains("PASS \(program)\n"), "\(r)")
    }

    /// Timer-driven runs, then seeded runs that can preempt a printer anywhere, even in the
    /// middle of its print system call's way in or out.
    @Test(arguments: [["--hz", "1000"], ["--hz", "1000"], ["--seed", "11"], ["--seed", "12"]])
    func concurrentPrintCallsComeOutUnbroken(options: [String]) throws {
        let r = try Guest.run("race_print", options: options, timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(RacePrintOutput.problems(in: r.stdout) == [], "\(r)")
    }

    /// Three threads read 18 keyboard lines at once: each line reaches exactly one reader whole
    /// (race_readline checks that and prints the verdict).
    @Test func concurrentReadlinesGetWholeLines() throws {
        let input = (0..<18).map { n in
            "rl " + (n < 10 ? "0" : "") + "\(n) " + String(repeating: String(UnicodeScalar(UInt8(97 + n % 26))), count: 30) + "\n"
        }.joined()
        for options in [["--hz", "100"], ["--hz", "1000"], ["--seed", "21"]] {
            let r = try Guest.run("race_readline", options: options, stdin: input, timeout: 60)
            #expect(r.status == 0 && r.stdout.contains("PASS race_readline\n"), "\(options): \(r)")
        }
    }

    /// The checker itself must notice a broken print: text of one call split by another's.
    @Test func printCheckerCatchesInterleavedCalls() {
        let (a0, b0) = RacePrintOutput.pair(thread: 0, number: 0)
        let (a1, b1) = RacePrintOutput.pair(thread: 1, number: 0)
        let whole = RacePrintOutput.expectedOutput(threads: 2, prints: 1)
        #expect(RacePrintOutput.problems(in: whole, threads: 2, prints: 1) == [])
        let split = a0 + "\n" + a1 + "\n" + b1 + "\n" + b0 + "\nPASS race_print\n"
        #expect(!RacePrintOutput.problems(in: split, threads: 2, prints: 1).isEmpty)
        let torn = String(a0.prefix(30)) + a1 + "\n" + String(a0.dropFirst(30)) + "\n" + b0 + "\n" + b1 + "\nPASS race_print\n"
        #expect(!RacePrintOutput.problems(in: torn, threads: 2, prints: 1).isEmpty)
        let missing = a0 + "\n" + b0 + "\nPASS race_print\n"
        #expect(!RacePrintOutput.problems(in: missing, threads: 2, prints: 1).isEmpty)
    }
}

/// What race_print must print: for each thread T and call N, the call's two lines together,
/// each thread's calls in order, then the verdict. Anything else on stdout is foreign.
enum RacePrintOutput {
    static let threads = 4, prints = 20, payload = 40

    static func pair(thread: Int, number: Int) -> (String, String) {
        let letter = String(UnicodeScalar(UInt8(65 + thread)))
        let head = "race_print t\(thread) n" + (number < 10 ? "0" : "") + "\(number)"
        let body = String(repeating: letter, count: payload)
        return (head + " a:" + body, head + " b:" + body)
    }

    static func expectedOutput(threads: Int, prints: Int) -> String {
        var s = ""
        for n in 0..<prints {
            for t in 0..<threads {
                let (a, b) = pair(thread: t, number: n)
                s += a + "\n" + b + "\n"
            }
        }
        return s + "PASS race_print\n"
    }

    /// Every problem found, empty when the output is exactly a valid interleaving of whole calls.
    static func problems(in stdout: String, threads: Int = threads, prints: Int = prints) -> [String] {
        var lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.last == "PASS race_print" else { return ["no PASS verdict as the last line"] }
        lines.removeLast()
        var next = Array(repeating: 0, count: threads), problems: [String] = []
        var i = 0
        while i < lines.count {
            guard let t = (0..<threads).first(where: { next[$0] < prints && pair(thread: $0, number: next[$0]).0 == lines[i] }) else {
                problems.append("line \(i + 1) is not the next call's first line: \(lines[i])")
                i += 1
                continue
            }
            let b = pair(thread: t, number: next[t]).1
            if i + 1 >= lines.count || lines[i + 1] != b {
                problems.append("line \(i + 2) should be \(b)")
                i += 1
            } else {
                i += 2
            }
            next[t] += 1
        }
        for t in 0..<threads where next[t] != prints {
            problems.append("thread \(t) printed \(next[t]) of \(prints) calls")
        }
        return problems
    }
}
