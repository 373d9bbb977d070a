import Foundation
import Testing

/// `pebblebed stress` deciding at preemption points (the default; `--single-step` is the old
/// way), and shards of one stress run merged.
@Suite(.serialized) struct StressAtPointsTests {
    /// The lost wake-up that single-stepped stress missed in 150 seeds (issue 15) is found at
    /// points, and the rerun command (with --points and --timeout) replays the same verdict.
    @Test func findsTheLostWakeupAndTheSeedReplays() throws {
        let (r, summary) = try StressOutput.stress("race_broken_deschedule", runs: 6, seed: 1, timeout: 30, singleStep: false)
        #expect(r.status == 1, "\(r)")
        let failure = try #require(summary.failures.first, "\(r)")
        #expect(failure.rerun.contains("--points") && failure.rerun.contains("--timeout"), "\(failure.rerun)")
        var outputs: [String] = []
        for _ in 0..<2 {
            let again = try Guest.launch(failure.rerun, timeout: 60)
            #expect(again.status != 0, "\(again)")
            outputs.append(again.stdout)
        }
        #expect(outputs[0] == outputs[1], "the seed did not replay the same run")
        #expect(outputs[0].contains("lost wakeup") || outputs[0].contains("deadlock"), "\(outputs[0])")
    }

    @Test func correctProgramPassesAtPoints() throws {
        let (r, summary) = try StressOutput.stress("race_deschedule", runs: 4, seed: 9, singleStep: false)
        #expect(r.status == 0 && summary.passed == 4, "\(r)")
    }

    @Test func shardsSplitTheSeedsAndMergeBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for k in 1...2 {
            let file = dir.appendingPathComponent("\(k).json").path
            files.append(file)
            let r = try Guest.launch(["stress", "--runs", "5", "--seed", "40", "--timeout", "60", "--ramdisk", Guest.ramdisk,
                                      "--shard", "\(k)/2", "--json", file, "exitcode", "3"], timeout: 300)
            let summary = StressOutput(r.stdout)
            #expect(r.status == 1, "\(r)")
            #expect(summary.runs == (k == 1 ? 3 : 2), "\(r)")
        }
        let merged = try Guest.launch(["stress-merge"] + files, timeout: 30)
        #expect(merged.status == 1, "\(merged)")
        #expect(merged.stdout.contains("5 runs in 2 files, 0 passed, 5 failed"), "\(merged)")
        let seeds = StressOutput(merged.stdout).failures.map(\.seed)
        #expect(seeds == [40, 41, 42, 43, 44], "\(merged)")
        let bad = try Guest.launch(["stress", "--shard", "3/2", "exitcode"], timeout: 30)
        #expect(bad.status != 0 && bad.stderr.contains("--shard"), "\(bad)")
    }
}
