import Foundation
import Testing

/// `pebblebed stress` on the race suite: the deliberately broken variants are caught and the
/// reported seed replays the same failure; the correct programs pass a fixed set of seeds.
/// (`make soak` runs the correct programs under hundreds of seeds.)
@Suite(.serialized) struct RaceStressTests {
    static let brokenVariants: [(program: String, verdict: String)] = [
        ("race_broken_lock", "two threads hold the lock at once"),
        ("race_broken_cond", "a consumer woke from cond_wait to an empty buffer"),
        ("race_broken_deschedule", "lost wakeup: the game stopped"),
    ]

    /// race_readline is left out: stress runs have no keyboard input.
    static let correctPrograms = RaceProgramTests.correctPrograms

    @Test(arguments: brokenVariants.map(\.program))
    func brokenVariantIsCaughtAndItsSeedReproduces(program: String) throws {
        let verdict = Self.brokenVariants.first { $0.program == program }!.verdict
        let (r, summary) = try StressOutput.stress(program, runs: 4, seed: 1000)
        #expect(r.status == 1, "stress must report the failure in its exit status: \(r)")
        let failure = try #require(summary.failures.first, "no failing seed reported: \(r)")
        #expect(summary.runs == 4 && summary.failed == summary.failures.count, "\(r)")
        let failLine = try #require(failure.failLine, "the reason names no FAIL verdict: \(failure.reason)")
        #expect(failLine.hasPrefix("FAIL \(program): \(verdict)"), "\(r)")
        #expect(failure.rerun.starts(with: ["run", "--seed", String(failure.seed)]), "\(failure.rerun)")

        // The reported command replays the interleaving: the very same verdict, twice.
        for _ in 0..<2 {
            let again = try Guest.launch(failure.rerun, timeout: 60)
            #expect(again.status == 1, "rerun of seed \(failure.seed): \(again)")
            #expect(again.stdout.split(separator: "\n").map(String.init).contains(failLine),
                    "rerun of seed \(failure.seed) should print \(failLine): \(again)")
        }
    }

    @Test(arguments: correctPrograms)
    func correctProgramPassesFixedSeeds(program: String) throws {
        let (r, summary) = try StressOutput.stress(program, runs: 2, seed: 77)
        #expect(r.status == 0, "\(r)")
        #expect(summary.runs == 2 && summary.passed == 2 && summary.failures.isEmpty, "\(r)")
    }

    @Test func summaryParserReadsFailures() {
        let text = """

        race_x: 3 runs, 1 passed, 2 failed (seeds 5...7)
          seed 5: exit status 1: FAIL race_x: broke (step 3)
            rerun: pebblebed run --seed 5 --memory 128 --audit race_x
          seed 7: hang: still running after 30 s
            rerun: pebblebed run --seed 7 --memory 128 --audit race_x

        """
        let s = StressOutput(text)
        #expect(s.runs == 3 && s.passed == 1 && s.failed == 2)
        #expect(s.failures.map(\.seed) == [5, 7])
        #expect(s.failures[0].failLine == "FAIL race_x: broke (step 3)")
        #expect(s.failures[1].failLine == nil)
        #expect(s.failures[1].rerun == ["run", "--seed", "7", "--memory", "128", "--audit", "race_x"])
    }
}

/// The summary `pebblebed stress` prints on stdout.
struct StressOutput {
    struct Failure {
        let seed: UInt64
        let reason: String
        var rerun: [String] = []
        /// The program's own verdict line, when the reason quotes one.
        var failLine: String? { reason.range(of: "FAIL ").map { String(reason[$0.lowerBound...]) } }
    }

    var runs = -1, passed = -1, failed = -1
    var failures: [Failure] = []

    init(_ stdout: String) {
        for line in stdout.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.contains(" runs, "), line.contains(" passed, ") {
                let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
                if numbers.count >= 3 { (runs, passed, failed) = (numbers[0], numbers[1], numbers[2]) }
            } else if line.hasPrefix("seed "), let colon = line.firstIndex(of: ":"),
                      let seed = UInt64(line[line.index(line.startIndex, offsetBy: 5)..<colon]) {
                failures.append(Failure(seed: seed, reason: String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            } else if line.hasPrefix("rerun: pebblebed "), !failures.isEmpty {
                failures[failures.count - 1].rerun = line.dropFirst("rerun: pebblebed ".count).split(separator: " ").map(String.init)
            }
        }
    }

    /// `pebblebed stress --runs N --seed S --jobs 2 PROGRAM` on the test RAM disk.
    /// Single-stepped by default: race_broken_lock's window has no preemption point in it.
    static func stress(_ program: String, runs: Int, seed: Int, timeout: Int = 60, singleStep: Bool = true,
                       extra: [String] = []) throws -> (GuestRun, StressOutput) {
        let r = try Guest.launch(["stress", "--runs", String(runs), "--seed", String(seed), "--jobs", "2",
                                  "--timeout", String(timeout), "--ramdisk", Guest.ramdisk] + (singleStep ? ["--single-step"] : [])
                                  + extra + [program],
                                 timeout: Double(runs * timeout + 30))
        return (r, StressOutput(r.stdout))
    }
}
