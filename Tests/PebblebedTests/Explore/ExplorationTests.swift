import Testing
@testable import Pebblebed

/// The search order and the schedule format, without a machine: a scripted "program" whose
/// runs are computed from the schedule stands in for the forked machine.
@Suite struct ExplorationTests {
    /// A run of `n` points by two threads; at every point the other thread could run.
    static func records(_ s: Schedule, points n: Int) -> [PointRecord] {
        var running: Int32 = 1
        var out: [PointRecord] = []
        for i in 0..<n {
            let choice = s.choices.first { $0.point == i }
            out.append(PointRecord(index: i, thread: running, eip: 0x0100_0000, caller: 0, label: "yield",
                                   alternatives: [running == 1 ? 2 : 1], switchedTo: choice?.thread))
            if let c = choice { running = c.thread }
        }
        return out
    }

    @Test func iterativeDeepeningRunsEverySchedulePerBoundOnce() {
        let e = Exploration(maxPreemptions: 2)
        var seen = Set<[Schedule.Choice]>()
        var byBound = [0, 0, 0]
        var last = 0
        while let s = e.next() {
            #expect(seen.insert(s.choices).inserted, "schedule \(s.choices) ran twice")
            #expect(s.choices.count >= last, "a schedule with fewer preemptions came after more")
            last = s.choices.count
            byBound[s.choices.count] += 1
            e.finished(s, records: Self.records(s, points: 5))
        }
        // 5 points, one alternative each: C(5,1) and C(5,2) schedules.
        #expect(byBound == [1, 5, 10])
        #expect(e.runs == 16)
    }

    @Test func shardsAreDisjointAndCoverTheSpace() {
        func all(_ shard: (k: Int, n: Int)?) -> [[Schedule.Choice]] {
            let e = Exploration(maxPreemptions: 2, shard: shard)
            var out: [[Schedule.Choice]] = []
            while let s = e.next() {
                out.append(s.choices)
                e.finished(s, records: Self.records(s, points: 6))
            }
            return out
        }
        let whole = Set(all(nil))
        let parts = (1...3).map { Set(all((k: $0, n: 3)).filter { !$0.isEmpty }) }
        #expect(parts[0].isDisjoint(with: parts[1]) && parts[1].isDisjoint(with: parts[2]) && parts[0].isDisjoint(with: parts[2]))
        #expect(parts[0].union(parts[1]).union(parts[2]).union([[]]) == whole)
    }

    @Test func aKnownStateAfterTheLastPreemptionStopsTheChildren() {
        let e = Exploration(maxPreemptions: 1)
        let zero = e.next()!
        // Every point of the first run has its own state; the first child's run reaches the
        // state of point 3 again at its point 2: it adds nothing there or later.
        e.finished(zero, records: Self.records(zero, points: 5), states: [0: 10, 1: 11, 2: 12, 3: 13, 4: 14])
        var ran: [Schedule] = []
        while let s = e.next() {
            ran.append(s)
            e.finished(s, records: Self.records(s, points: 5), states: [2: 13])
        }
        #expect(ran.count == 5)
        #expect(e.pruned == 0, "bound 1 is the last: no children to prune")

        let deeper = Exploration(maxPreemptions: 2)
        let root = deeper.next()!
        deeper.finished(root, records: Self.records(root, points: 5), states: [0: 10, 1: 11, 2: 12, 3: 13, 4: 14])
        let first = deeper.next()!   // preempt at point 0
        #expect(first.choices == [Schedule.Choice(point: 0, thread: 2)])
        deeper.finished(first, records: Self.records(first, points: 5), states: [2: 13])
        // Children of `first` at points 1 only: from point 2 on its run is in a known state.
        #expect(deeper.pruned == 3)
    }

    @Test func scheduleFileRoundTripsAndBadLinesAreNamed() throws {
        let s = Schedule([.init(point: 3, thread: 2), .init(point: 17, thread: 4)], extraPoints: [0x0100_1234])
        let text = s.text(program: ["prog", "a b"])
        #expect(try Schedule.parse(text) == s)
        #expect(throws: ScheduleError.self) { try Schedule.parse("preempt 1 2\n") }
        do {
            _ = try Schedule.parse(Schedule.header + "\npreempt 5 2\npreempt 4 3\n")
            Issue.record("decreasing points accepted")
        } catch {
            #expect(error.message.contains("line 3"))
        }
        do {
            _ = try Schedule.parse(Schedule.header + "\nswitch 5 2\n")
            Issue.record("a bad line accepted")
        } catch {
            #expect(error.message.contains("line 2"))
        }
    }

    @Test func pointRecordLinesRoundTrip() {
        let r = PointRecord(index: 9, thread: 3, eip: 0x0100_1234, caller: 0x0100_2000, label: "mutex_lock",
                            alternatives: [1, 2], switchedTo: 2)
        #expect(PointRecord(line: Substring(r.line)) == r)
        let q = PointRecord(index: 0, thread: 1, eip: 5, caller: 0, label: "gettid", alternatives: [], switchedTo: nil)
        #expect(PointRecord(line: Substring(q.line)) == q)
    }

    @Test func traceRowsNamePreemptionsAndVoluntarySwitches() {
        let recs = [
            PointRecord(index: 0, thread: 1, eip: 1, caller: 0, label: "thr_create", alternatives: [], switchedTo: nil),
            PointRecord(index: 1, thread: 1, eip: 1, caller: 0, label: "mutex_lock", alternatives: [2], switchedTo: 2),
            PointRecord(index: 2, thread: 2, eip: 1, caller: 0, label: "deschedule", alternatives: [1], switchedTo: nil),
            PointRecord(index: 3, thread: 1, eip: 1, caller: 0, label: "vanish", alternatives: [], switchedTo: nil),
        ]
        let rows = TraceTable(records: recs, elfPath: "/nonexistent").rows
        #expect(rows.map(\.point) == [1, 2, 3])
        #expect(rows.map(\.how) == ["preempted", "blocked", "last point"])
        #expect(rows.map(\.to) == [2, 1, nil])
    }
}
