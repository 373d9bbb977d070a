import Foundation
import Testing
@testable import Pebblebed

@Suite struct ChaosTests {
    @Test func sameSeedSameDecisions() {
        var a = Chaos(seed: 42), b = Chaos(seed: 42), c = Chaos(seed: 43)
        let da = (0..<100).map { _ in a.pick(7) }, db = (0..<100).map { _ in b.pick(7) }
        let dc = (0..<100).map { _ in c.pick(7) }
        #expect(da == db)
        #expect(da != dc)
    }

    /// The same seed replays the same interleaving: the whole timeline (every switch, trap and
    /// wakeup, stamped in guest instructions) is identical, and another seed's is not.
    @Test func seededRunsReplayExactly() throws {
        let dir = FileManager.default.temporaryDirectory
        let paths = (0..<3).map { _ in dir.appendingPathComponent("trace-\(UUID().uuidString).json").path }
        defer { for p in paths { try? FileManager.default.removeItem(atPath: p) } }
        for (i, seed) in [7, 7, 8].enumerated() {
            let r = try Guest.run("thr_join_exit", options: ["--seed", String(seed), "--trace", paths[i]], timeout: 120)
            #expect(r.status == 0, "\(r)")
        }
        let traces = try paths.map { try String(contentsOfFile: $0, encoding: .utf8) }
        #expect(traces[0].contains(#""ph":"X""#))
        #expect(traces[0] == traces[1])
        #expect(traces[0] != traces[2])
    }

    @Test func stressReportsPassingRuns() throws {
        let r = try Guest.launch(["stress", "--runs", "3", "--seed", "100", "--jobs", "2", "--timeout", "120",
                                  "--ramdisk", Guest.ramdisk, "exitcode", "0"], timeout: 300)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("3 runs, 3 passed, 0 failed"), "\(r)")
    }

    @Test func stressReportsFailingSeedsWithARerunCommand() throws {
        let r = try Guest.launch(["stress", "--runs", "2", "--seed", "5", "--timeout", "120",
                                  "--ramdisk", Guest.ramdisk, "exitcode", "3"], timeout: 300)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("seed 5: exit status 3"), "\(r)")
        #expect(r.stdout.contains("rerun: pebblebed run --seed 6"), "\(r)")
    }
}
