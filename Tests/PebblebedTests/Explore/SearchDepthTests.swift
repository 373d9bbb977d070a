import Foundation
import Testing
@testable import Pebblebed

/// The depth in explore's progress line and summary (SearchDepth): with partial-order
/// reduction the search can run a schedule with fewer choices after one with more (a
/// reversal at a decision before one of the run's choices), and the line showed the level of
/// the run under way: "bound 2/4", then "bound 1/4", read as iterative deepening starting
/// over. It shows the deepest level reached, which never goes down (issue 15).
@Suite struct SearchDepthTests {
    /// "depth D, bound K" in a progress line.
    static func shown(_ line: String) -> (Int, Int)? {
        guard let r = line.range(of: ": depth ") else { return nil }
        let words = line[r.upperBound...].split(separator: ",").prefix(2).map { $0.trimmingCharacters(in: .whitespaces) }
        guard words.count == 2, words[1].hasPrefix("bound "), let a = Int(words[0]), let b = Int(words[1].dropFirst(6)) else { return nil }
        return (a, b)
    }

    /// A random model (ExplorationTests.randomModel, seed 59: three threads on three locks,
    /// the third created by the first; seed 238 was, until conservative branches ran every
    /// initial) whose search runs a shallower reversal after deeper runs; the line's
    /// depth never goes down.
    @Test func theDepthShownNeverGoesDownWhenTheSearchRunsALowerLevel() throws {
        let ops: [[[UInt64]]] = [[[0x20], [0x20], [0x10], [Footprint.creating(3), Footprint.tids]], [[0x20], [0x99], [0x99]], [[0x99], [0x10]]]
        #expect(ops == ExplorationTests.randomModel(seed: 59))
        let search = Exploration(maxPreemptions: 2, partialOrder: true, sleepSets: true)
        var depth = SearchDepth(maxPreemptions: 2)
        var levels: [Int] = [], lines: [String] = []
        while let s = search.next() {
            depth.took(from: search)
            levels.append(search.depth)
            #expect(search.depth == s.choices.count)
            lines.append(depth.progressLine(program: "model", search: search, seconds: 1))
            let (records, served, _) = ExplorationTests.threads(s, ops: ops)
            search.finished(s, records: records, served: served)
            lines.append(depth.progressLine(program: "model", search: search, seconds: 1))   // as after a run
        }
        // The model shows what the line must not: the level of the run under way goes down.
        #expect(zip(levels, levels.dropFirst()).contains { $0 > $1 }, "levels \(levels): the model no longer runs a lower level after a higher one")
        let values = lines.compactMap(Self.shown)
        #expect(values.count == lines.count, "\(lines)")
        #expect(zip(values, values.dropFirst()).allSatisfy { $0.0 <= $1.0 }, "\(values.map(\.0))")
        #expect(values.allSatisfy { $0.1 == 2 } && values.last?.0 == levels.max(), "\(lines.last ?? "")")
        // Runs left with fewer choices than the depth reached are named as such.
        #expect(lines.contains { $0.contains(" with fewer choices, found by runs at depth ") }, "\(lines)")
    }

    /// Free choices (picks of the next thread after one stopped) make a schedule deeper but
    /// not costlier, and the search runs by depth: no schedule runs while a shallower one is
    /// queued, so a schedule of one preemption runs before one of two free choices (ordered
    /// by preemptions, a longer program's free choices kept the search at 0 preemptions for
    /// ever: Exploration).
    @Test func schedulesRunByTheirNumberOfChoices() {
        let y: [UInt64] = [ExplorationTests.yields, 0x99]
        let ops: [[[UInt64]]] = [[y, y, [0x99]], [[0x99], y, [0x99]], [[0x99], y]]
        let search = Exploration(maxPreemptions: 2, partialOrder: true, sleepSets: true)
        var sawFreeOnly = false, sawPreemptionAfterFreeOnly = false
        while let s = search.next() {
            #expect(search.depth == s.choices.count)
            #expect((0..<s.choices.count).allSatisfy { search.queued(at: $0) == 0 }, "\(s.choices) ran before a shallower one")
            if s.preemptions == 0 && s.choices.count >= 2 { sawFreeOnly = true }
            if sawFreeOnly && s.preemptions > 0 { sawPreemptionAfterFreeOnly = true }
            let (records, served, _) = ExplorationTests.threads(s, ops: ops)
            search.finished(s, records: records, served: served)
        }
        #expect(sawFreeOnly && sawPreemptionAfterFreeOnly, "the model mixes free choices and preemptions")
    }

    @Test func theDepthReachedIsTheDeepestLevelStarted() {
        // A search without DPOR never goes down; a fresh one's depth is 0 and its first
        // schedule is at level 0.
        let search = Exploration(maxPreemptions: 3)
        var depth = SearchDepth(maxPreemptions: 3)
        _ = search.next()
        depth.took(from: search)
        #expect(depth.reached == 0)
        #expect(depth.describe(search) == "0 left up to depth 0, 0 queued for depth 1")
    }

    /// The summary of a search the budget ended names the depth the last progress line shows.
    @Test func theSummaryAgreesWithTheProgressLine() throws {
        let r = try Guest.launch(["explore", "--budget", "2", "--max-preemptions", "4", "--ramdisk", Guest.ramdisk,
                                  "explore_cond_if_ok"], timeout: 120)
        #expect(r.status == 0, "\(r)")
        let last = try #require(r.stderr.split(separator: "\n").last { $0.hasPrefix("explore explore_cond_if_ok: depth ") }, "\(r)")
        let (reached, max) = try #require(Self.shown(String(last)), "\(last)")
        #expect(max == 4)
        #expect(r.stdout.contains("No bug found: the budget ran out (2 s) after "), "\(r)")
        #expect(r.stdout.contains(" at depth \(reached) (every schedule of up to 4 preemptions that makes fewer than \(reached) choices ran)."), "\(r)")
    }
}
