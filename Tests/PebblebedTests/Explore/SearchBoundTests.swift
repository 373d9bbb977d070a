import Foundation
import Testing
@testable import Pebblebed

/// The bound in explore's progress line and summary (SearchBound): with partial-order
/// reduction the search can run a schedule with fewer preemptions after one with more (a
/// reversal at a decision before one of the run's choices), and the line showed the level of
/// the run under way: "bound 2/4", then "bound 1/4", read as iterative deepening starting
/// over. It shows the deepest bound reached, which never goes down (issue 15).
@Suite struct SearchBoundTests {
    /// "bound R/K" in a progress line.
    static func shown(_ line: String) -> (Int, Int)? {
        guard let r = line.range(of: ": bound ") else { return nil }
        let words = line[r.upperBound...].prefix { $0 != "," }.split(separator: "/")
        guard words.count == 2, let a = Int(words[0]), let b = Int(words[1]) else { return nil }
        return (a, b)
    }

    /// A random model (ExplorationTests.randomModels' generator, seed 238: four threads on
    /// three locks) whose search at bound 2 takes a 1-preemption reversal after 2-preemption
    /// runs; the line's bound never goes down and ends at the maximum.
    @Test func theBoundShownNeverGoesDownWhenTheSearchRunsALowerLevel() throws {
        let ops: [[[UInt64]]] = [[[0x10], [0x99], [0x10]], [[0x20]], [[0x10]], [[0x99], [0x10], [0x10]]]
        let search = Exploration(maxPreemptions: 2, partialOrder: true, sleepSets: true)
        var bound = SearchBound(maxPreemptions: 2)
        var levels: [Int] = [], lines: [String] = []
        while let s = search.next() {
            bound.took(from: search)
            levels.append(search.bound)
            lines.append(bound.progressLine(program: "model", search: search, seconds: 1))
            let (records, served, _) = ExplorationTests.threads(s, ops: ops)
            search.finished(s, records: records, served: served)
            lines.append(bound.progressLine(program: "model", search: search, seconds: 1))   // as after a run
        }
        bound.took(from: search, exhausted: true)
        lines.append(bound.progressLine(program: "model", search: search, seconds: 1))
        // The model shows what the line must not: the level of the run under way goes down.
        #expect(zip(levels, levels.dropFirst()).contains { $0 > $1 }, "levels \(levels): the model no longer runs a lower level after a higher one")
        let values = lines.compactMap(Self.shown)
        #expect(values.count == lines.count, "\(lines)")
        #expect(zip(values, values.dropFirst()).allSatisfy { $0.0 <= $1.0 }, "\(values.map(\.0))")
        #expect(values.allSatisfy { $0.1 == 2 } && values.last?.0 == 2, "\(lines.last ?? "")")
        // Runs left with fewer preemptions than the bound reached are named as such.
        #expect(lines.contains { $0.contains(" with fewer preemptions, found by runs at bound 2)") }, "\(lines)")
    }

    @Test func theBoundReachedIsTheDeepestLevelStarted() {
        // A search without DPOR never goes down; a fresh one's `bound` is 0 and its first
        // schedule is at level 0.
        let search = Exploration(maxPreemptions: 3)
        var bound = SearchBound(maxPreemptions: 3)
        _ = search.next()
        bound.took(from: search)
        #expect(bound.reached == 0)
        bound.took(from: search, exhausted: true)
        #expect(bound.reached == 3)
        #expect(bound.describe(search) == "0 left up to bound 3")
    }

    /// The summary of a search the budget ended names the bound the last progress line shows.
    @Test func theSummaryAgreesWithTheProgressLine() throws {
        let r = try Guest.launch(["explore", "--budget", "2", "--max-preemptions", "4", "--ramdisk", Guest.ramdisk,
                                  "explore_cond_if_ok"], timeout: 120)
        #expect(r.status == 0, "\(r)")
        let last = try #require(r.stderr.split(separator: "\n").last { $0.hasPrefix("explore explore_cond_if_ok: bound ") }, "\(r)")
        let (reached, max) = try #require(Self.shown(String(last)), "\(last)")
        #expect(max == 4)
        #expect(r.stdout.contains("No bug found: the budget ran out (2 s) at preemption bound \(reached) of 4 after "), "\(r)")
    }
}
