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
        // Free choices: `next POINT THREAD`, after a `preempt` at the same point, not counted
        // against the bound; a file without them reads as before.
        let free = Schedule([.init(point: 3, thread: 2), .init(point: 3, thread: 4, free: true), .init(point: 9, thread: 1, free: true)])
        let freeText = free.text(program: ["prog"])
        #expect(freeText.contains("preempt 3 2\nnext 3 4\nnext 9 1\n"), "\(freeText)")
        #expect(try Schedule.parse(freeText) == free)
        #expect(free.preemptions == 1)
        // After a yield the yielder going on (`after-yield`) counts against the bound.
        let goesOn = Schedule([.init(point: 3, thread: 2, free: true), .init(point: 9, thread: 1, paid: true)])
        let goesOnText = goesOn.text(program: ["prog"])
        #expect(goesOnText.contains("next 3 2\nafter-yield 9 1\n"), "\(goesOnText)")
        #expect(try Schedule.parse(goesOnText) == goesOn)
        #expect(goesOn.preemptions == 1)
        #expect(try Schedule.parse(Schedule.header + "\npreempt 3 2\npreempt 17 4\n") == Schedule([.init(point: 3, thread: 2), .init(point: 17, thread: 4)]))
        do {
            _ = try Schedule.parse(Schedule.header + "\nnext 5 2\npreempt 5 3\n")
            Issue.record("a preempt after a next at the same point accepted")
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

    /// What a forked run reports (RunReport) decodes to what it encoded, and a report cut short
    /// decodes as far as it is whole.
    @Test func runReportsRoundTrip() {
        var r = RunReport()
        r.records = [
            PointRecord(index: 0, thread: 1, eip: 5, caller: 0, label: "gettid", alternatives: [], switchedTo: nil),
            PointRecord(index: 1, thread: 3, eip: 0x0100_1234, caller: 0x0100_2000, label: "mutex_lock",
                        alternatives: [1, 2], switchedTo: 2, footprint: [0x0100_5000, Footprint.everything]),
            PointRecord(index: 2, thread: 2, eip: 7, caller: 0, label: "yield", alternatives: [1, 3], switchedTo: nil,
                        stopAlternatives: [1, 3], stopPaid: [4, 2]),
        ]
        r.served = [PartialOrder.Event(point: 0, decision: 0, thread: 1), PartialOrder.Event(point: 1, decision: 4, thread: 3)]
        r.states = [4: 0xDEAD_BEEF_0123_4567, 8: 1]
        r.races = [RunReport.Race(word: 0x0100_6000, first: 0x0100_1077, second: 0x0100_1099)]
        r.watchedAccesses = 162
        r.watchCounts = [504, 494]
        r.status = -2
        #expect(RunReport(r.bytes) == r)
        var bug = RunReport()
        bug.bug = ("deadlock", "thread 2 waits\nthread 3 waits")
        #expect(RunReport(bug.bytes) == bug)
        let cut = RunReport(Array(r.bytes.prefix(56)))   // the count, the first record (42 bytes), part of the second
        #expect(cut.records.count == 1 && cut.records[0] == r.records[0] && cut.status == nil)
        #expect(RunReport([]) == RunReport())
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
        // A paid choice after a yield (`after-yield`) is a row marked as a preemption, also
        // where the yielder itself goes on (no switch between its records).
        let yielding = [
            PointRecord(index: 0, thread: 1, eip: 1, caller: 0, label: "yield", alternatives: [2], switchedTo: nil,
                        stopAlternatives: [2], stopPaid: [1]),
            PointRecord(index: 1, thread: 1, eip: 1, caller: 0, label: "yield", alternatives: [2, 3], switchedTo: nil,
                        stopAlternatives: [2], stopPaid: [3, 1]),
            PointRecord(index: 2, thread: 3, eip: 1, caller: 0, label: "vanish", alternatives: [], switchedTo: nil),
        ]
        let table = TraceTable(records: yielding, elfPath: "/nonexistent")
        #expect(table.rows.map(\.how) == ["went on after its yield", "yielded, picked", "last point"])
        #expect(table.rows.map(\.paid) == [true, true, false])
        #expect(table.text.contains("* yield in "), "\(table.text)")
    }

    /// Partial-order reduction: two threads, each with `ops` points on its own object (or all
    /// on one shared object); thread 1 runs first, thread 2 when 1 ends or a schedule switches.
    /// The run is computed from the schedule as the kernel would run it: a switch at a point
    /// leaves that point's operation pending until thread 1 runs again (after 2 is done).
    static func twoThreads(_ s: Schedule, ops: Int, shared: Bool) -> ([PointRecord], [PartialOrder.Event]) {
        var records: [PointRecord] = []
        var served: [PartialOrder.Event] = []
        var next: [Int32: Int] = [1: 0, 2: 0]
        var running: Int32 = 1
        var pending: (point: Int, thread: Int32)?
        func object(_ t: Int32) -> UInt64 { shared ? 0x0100_5000 : 0x0100_5000 + UInt64(t) * 4 }
        while next[1]! < ops || next[2]! < ops || pending != nil {
            if next[running]! >= ops {
                // The running thread is done: the other one goes on, its pending operation first.
                running = running == 1 ? 2 : 1
                if let p = pending, p.thread == running {
                    served.append(PartialOrder.Event(point: p.point, decision: records.count - 1, thread: running))
                    pending = nil
                }
                continue
            }
            let i = records.count
            let other: Int32 = running == 1 ? 2 : 1
            let alternatives = next[other]! < ops || pending?.thread == other ? [other] : []
            let choice = s.choices.first { $0.point == i }
            records.append(PointRecord(index: i, thread: running, eip: 0x0100_0000, caller: 0, label: "mutex_lock",
                                       alternatives: alternatives, switchedTo: choice?.thread, footprint: [object(running)]))
            next[running]! += 1
            if let c = choice, c.thread != running {
                pending = (i, running)
                running = c.thread
                if let p = pending, p.thread == running { pending = nil; served.append(PartialOrder.Event(point: p.point, decision: i, thread: running)) }
            } else {
                served.append(PartialOrder.Event(point: i, decision: i, thread: running))
            }
        }
        return (records, served)
    }

    @Test func independentThreadsNeedOneInterleaving() {
        let e = Exploration(maxPreemptions: 2, partialOrder: true)
        while let s = e.next() {
            let (records, served) = Self.twoThreads(s, ops: 3, shared: false)
            e.finished(s, records: records, served: served)
        }
        #expect(e.runs == 1, "no two events are dependent: the default interleaving stands for all")
    }

    @Test func dependentThreadsAreReversedWithinTheBound() {
        let dpor = Exploration(maxPreemptions: 1, partialOrder: true)
        var ran: [[Schedule.Choice]] = []
        while let s = dpor.next() {
            ran.append(s.choices)
            let (records, served) = Self.twoThreads(s, ops: 3, shared: true)
            dpor.finished(s, records: records, served: served)
        }
        // The last event of thread 1 before thread 2 races with thread 2's first: thread 2
        // runs there instead, and so on back; each schedule once.
        #expect(ran.count > 1 && Set(ran.map { $0.map(\.point) }).count == ran.count, "\(ran)")
        #expect(ran.contains([Schedule.Choice(point: 2, thread: 2)]), "\(ran)")
        let full = Exploration(maxPreemptions: 1)
        while let s = full.next() {
            let (records, served) = Self.twoThreads(s, ops: 3, shared: true)
            full.finished(s, records: records, served: served)
        }
        #expect(dpor.runs <= full.runs)
    }

    @Test func footprintsOfRecords() {
        let r = PointRecord(index: 4, thread: 2, eip: 1, caller: 2, label: "cond_wait", alternatives: [1], switchedTo: nil,
                            footprint: [0x0100_5000, Footprint.everything])
        let f = PartialOrder.footprint(of: r, raceWords: [:])
        #expect(f.all && f.objects == [0x0100_5000])
        let race = PointRecord(index: 5, thread: 1, eip: 0x0100_1077, caller: 0, label: ForkRunner.racePointLabel,
                               alternatives: [2], switchedTo: nil)
        #expect(PartialOrder.footprint(of: race, raceWords: [0x0100_1077: [0x0100_6002]]).objects == [0x0100_6000])
        #expect(PartialOrder.footprint(of: race, raceWords: [:]).all, "a race point with no known word touches everything")
    }

    /// Shared uses of an object (Footprint.shared: two non-last vanishes lowering the count of
    /// live threads, two deschedules reading one word) commute; an exclusive use after them
    /// races with each (a thread_fork reading the count).
    @Test func sharedUsesCommuteAndAnExclusiveUseRacesWithEach() {
        let o: UInt64 = 0x0100_5000
        let fps: [[UInt64]] = [[Footprint.shared(o)], [Footprint.shared(o)], [o]]
        let alternatives: [[Int32]] = [[2, 3], [3], []]
        let records = (0..<3).map { i in
            PointRecord(index: i, thread: Int32(i + 1), eip: 0x0100_0000, caller: 0, label: "vanish",
                        alternatives: alternatives[i], switchedTo: nil, footprint: fps[i])
        }
        let served = records.map { PartialOrder.Event(point: $0.index, decision: $0.index, thread: $0.thread) }
        let b = Set(PartialOrder.backtracks(records: records, served: served, raceWords: [:]).map { "\($0.node >> 32)>\($0.thread)" })
        // Thread 3's use against thread 2's: thread 3 at point 1, and (a conservative branch:
        // the run went on at point 1) at point 0. Against thread 1's: thread 2 at point 0,
        // the initial of that reversal (thread 3's use comes after thread 2's).
        #expect(b == ["0>2", "0>3", "1>3"], "\(b.sorted())")
        let f = PartialOrder.footprint(of: records[0], raceWords: [:])
        #expect(!f.all && f.objects.isEmpty && f.shared == [o])
    }

    /// Race watching picks runs by the switches they make (ExploreDriver): a child carries
    /// its parent's switches and its own, named by call site and threads, not point numbers.
    @Test func schedulesCarryTheirSwitches() {
        let e = Exploration(maxPreemptions: 2)
        let root = e.next()!
        #expect(e.switches(of: root).isEmpty)
        e.finished(root, records: Self.records(root, points: 3))
        let child = e.next()!
        let keys = e.switches(of: child)
        #expect(keys == ["yield@0 1>2"], "\(keys)")
        e.finished(child, records: Self.records(child, points: 3))
        #expect(e.switches(of: child).isEmpty, "forgotten once its run is finished")
        var grandchild: Schedule?
        while let s = e.next() { if s.choices.count == 2 { grandchild = s; break } }
        let g = try! #require(grandchild)
        #expect(e.switches(of: g).count == 2)
    }

    /// Threads 1...n, thread t doing `ops[t-1]` (each op the objects it touches), run as the
    /// kernel runs them: thread 1 first, a thread that ends gives way to the head of the run
    /// queue, and a switch at a point leaves that point's operation pending (the thread goes
    /// to the back of the queue) until its thread runs again. Returns the run's records, its
    /// served order, and its Mazurkiewicz trace: the order of every two dependent operations.
    ///
    /// Two kinds of operation make threads that are runnable but not stopped at a point (a
    /// switch to one runs its own code up to its next point, serving nothing): one whose
    /// footprint has `Footprint.creating(u)` makes thread u (which is not on the run queue
    /// before: a thread_fork), and `deschedule(t)` blocks its thread t until `wake(t)` (a
    /// make_runnable: t goes to the back of the run queue; one that comes first leaves a
    /// token, as a reject word would). A thread that is made later is not on the queue at
    /// the start.
    ///
    /// An operation with the `yields` tag is a yield: its thread goes to the back of the run
    /// queue and the head runs, as the kernel does, or the thread a free choice there names
    /// among the others it is fair to run (the record's `stopAlternatives`), or at a
    /// preemption's cost the yielder or a thread fairness holds back (`stopPaid`,
    /// `after-yield`; Kernel.freePick, PointController.owed).
    static func threads(_ s: Schedule, ops: [[[UInt64]]]) -> ([PointRecord], [PartialOrder.Event], [String]) {
        var records: [PointRecord] = []
        var served: [PartialOrder.Event] = []
        var op: [(thread: Int32, k: Int)] = []   // by point
        var next = [Int](repeating: 0, count: ops.count + 1)
        var pending: [Int32: Int] = [:]           // thread -> its pending point
        var made: Set<Int32> = []
        for o in ops.joined().joined() where o >> 32 == Footprint.creation >> 32 {
            made.insert(Int32(truncatingIfNeeded: o & 0xFFFF_FFFF))
        }
        var queue = (2...Int32(ops.count)).filter { !made.contains($0) }
        var blocked: Set<Int32> = []
        var tokens: Set<Int32> = []
        var running: Int32? = 1
        // The last point served, until a point is noted: a thread that stops now stops after it.
        var lastServed: Int?
        func live(_ t: Int32) -> Bool { next[Int(t)] < ops[Int(t) - 1].count || pending[t] != nil }
        func serve(_ point: Int, decision: Int) {
            let t = records[point].thread
            lastServed = point
            served.append(PartialOrder.Event(point: point, decision: decision, thread: t))
            for o in records[point].footprint {
                if o >> 32 == Footprint.creation >> 32 { queue.append(Int32(truncatingIfNeeded: o & 0xFFFF_FFFF)) }
                if o >> 32 == deschedules >> 32, Int32(truncatingIfNeeded: o & 0xFFFF) == t {
                    if tokens.remove(t) == nil { blocked.insert(t) }
                }
                if o >> 32 == yields >> 32 { yielded = true }
                if o >> 32 == wakes >> 32 {
                    let u = Int32(truncatingIfNeeded: o & 0xFFFF)
                    if blocked.remove(u) != nil { queue.append(u) } else { tokens.insert(u) }
                }
            }
        }
        var yielded = false
        var owed: [Int32: Set<Int32>] = [:]
        // A yield (the model's `yields` tag) puts its thread at the back of the queue and runs
        // the head, or the thread a free choice names among the others, or goes on by a paid
        // one (Kernel.freePick).
        func yieldIfAsked(_ r: Int32) -> Bool {
            guard yielded else { return false }
            yielded = false
            queue.removeAll { !live($0) }
            guard !queue.isEmpty, live(r) else { return false }
            if let d = lastServed {
                lastServed = nil
                // Only the threads it is fair to run next (PointController.owed).
                owed[r] = Set(queue)
                let runnable = Set(queue + [r])
                let fair = queue.enumerated().compactMap { i, u in i == 0 || (owed[u]?.isDisjoint(with: runnable) ?? true) ? u : nil }
                records[d].stopAlternatives = fair
                records[d].stopPaid = queue.filter { !fair.contains($0) } + [r]
                if let c = s.choices.first(where: { $0.free && $0.point == d }) {
                    // `after-yield` the yielder itself: it goes on.
                    if c.thread == r { return true }
                    if let at = queue.firstIndex(of: c.thread) {
                        running = queue.remove(at: at)
                        queue.append(r)
                        return true
                    }
                }
            }
            lastServed = nil
            queue.append(r)
            running = queue.removeFirst()
            return true
        }
        while let r = running {
            if let p = pending.removeValue(forKey: r) { serve(p, decision: records.count - 1) }
            if yieldIfAsked(r) { continue }
            guard next[Int(r)] < ops[Int(r) - 1].count, !blocked.contains(r) else {
                queue.removeAll { !live($0) }
                // The free decision after the point whose serving stopped r (the kernel's
                // freePick): the queue is its branches, a `next` choice picks among them.
                if let d = lastServed, !queue.isEmpty {
                    lastServed = nil
                    records[d].stopAlternatives = queue
                    if let c = s.choices.first(where: { $0.free && $0.point == d }) {
                        guard let at = queue.firstIndex(of: c.thread) else {
                            fatalError("\(s.choices): next \(d) \(c.thread) not runnable in \(queue); \(records.map { "\($0.index):\($0.thread) \($0.alternatives) \($0.stopAlternatives ?? [])" })")
                        }
                        running = queue.remove(at: at)
                        continue
                    }
                }
                running = queue.isEmpty ? nil : queue.removeFirst()
                continue
            }
            lastServed = nil
            for (u, w) in owed { owed[u] = w.subtracting([r]) }
            let i = records.count
            let k = next[Int(r)]
            next[Int(r)] += 1
            let choice = s.choices.first { $0.point == i && !$0.free }
            records.append(PointRecord(index: i, thread: r, eip: 0x0100_0000, caller: 0, label: "mutex_lock",
                                       alternatives: queue.filter(live), switchedTo: choice?.thread,
                                       footprint: ops[Int(r) - 1][k]))
            op.append((r, k))
            if let c = choice, c.thread != r {
                pending[r] = i
                queue.append(r)
                queue.removeAll { $0 == c.thread }
                running = c.thread
            } else {
                serve(i, decision: i)
                _ = yieldIfAsked(r)
            }
        }
        var trace: [String] = []
        for (a, x) in served.enumerated() {
            for y in served[(a + 1)...] where x.thread != y.thread {
                if !Set(records[x.point].footprint).isDisjoint(with: records[y.point].footprint) {
                    trace.append("\(op[x.point].thread).\(op[x.point].k)<\(op[y.point].thread).\(op[y.point].k)")
                }
            }
        }
        return (records, served, trace.sorted())
    }

    /// The model's deschedule and make_runnable of thread t (`threads`): both touch t, as
    /// the kernel's footprints do (Footprint.thread), and carry a tag the model acts on.
    static let deschedules: UInt64 = 0x7D << 32
    static let wakes: UInt64 = 0x7E << 32
    static let yields: UInt64 = 0x7F << 32
    static func deschedule(_ t: Int32) -> [UInt64] { [Footprint.thread(t), deschedules | UInt64(t)] }
    static func wake(_ t: Int32) -> [UInt64] { [Footprint.thread(t), wakes | UInt64(t)] }

    /// The traces of every run of a search over `ops`.
    static func search(_ ops: [[[UInt64]]], bound: Int, sleepSets: Bool) -> (runs: [[String]], search: Exploration) {
        let e = Exploration(maxPreemptions: bound, partialOrder: true, sleepSets: sleepSets)
        var runs: [[String]] = []
        while let s = e.next() {
            let (records, served, trace) = threads(s, ops: ops)
            runs.append(trace)
            e.finished(s, records: records, served: served)
        }
        return (runs, e)
    }

    /// Sleep sets: every equivalence class (Mazurkiewicz trace) the search without them reaches
    /// is still reached, with fewer runs (and within every bound since bounded sleep sets:
    /// boundedPartialOrderReachesEveryClassWithinTheBound); each class runs once on some
    /// models, also where a branch switches to a thread not stopped at a point (every thread
    /// but the first at the start, a thread created mid-run): its node is where that switch
    /// was decided (PartialOrder.chosenAt), not the thread's first point. Counts unbounded
    /// (bound 6); the conservative branches and the sleepers a bound does not let sleep
    /// (Exploration.sleepSets) run some classes again, also where the bound cuts nothing.
    @Test(arguments: [
        // Three threads, each one operation on a lock of its own and one on a shared lock: 20
        // runs for the 6 classes (8 before bounded sleep sets and conservative branches, 6
        // before free choices: a reversal at the free decision after a thread ends runs a
        // class again that a later branch of an earlier node covers).
        ([[[0x10], [0x99]], [[0x20], [0x99]], [[0x30], [0x99]]], false),
        // Three threads on two locks: 1 and 3 share one, 2 and 3 the other: 4 runs for the 4
        // classes (5 before conservative branches ran every initial, 4 before the conservative
        // branches, when bound 1 missed one of them).
        ([[[0xA0]], [[0xB0]], [[0xA0], [0xB0]]], false),
        // Three threads, two operations each, all on one lock: 90 runs for the 90 classes
        // (every order of the six operations; 68 runs for 68 classes before free choices,
        // which is all the search of every preemption reaches).
        ([[[0x99], [0x99]], [[0x99], [0x99]], [[0x99], [0x99]]], true),
        // Thread 3 is created by thread 1's first operation (a thread_fork), then all three
        // contend for one lock: 31 runs for 30 classes (30 for 30 before the conservative
        // branches, 24 for 24 before free choices).
        ([[[Footprint.creating(3), Footprint.tids], [0x99]], [[0x99], [0x99]], [[0x99], [0x99]]], false),
        // Thread 2 deschedules until thread 1 makes it runnable (woken, it is not at a point),
        // all three contend for one lock: 19 runs for 12 classes (24 before conservative
        // branches ran every initial, 17 before bounded sleep sets
        // and conservative branches, 10 runs for 9 before free choices, when a tenth class the
        // search of every preemption reaches was missed).
        ([[[0x99], wake(2)], [deschedule(2), [0x99]], [[0x99], [0x99]]], false),
    ] as [([[[UInt64]]], Bool)])
    func sleepSetsRunEachEquivalenceClassOnce(ops: [[[UInt64]]], exact: Bool) {
        for bound in 1...6 {
            let (with, e) = Self.search(ops, bound: bound, sleepSets: true)
            let (without, e0) = Self.search(ops, bound: bound, sleepSets: false)
            // Within a bound that cut reversals off, sleep sets lose nothing either (bounded
            // sleep sets and conservative branches; they were a known hole before).
            #expect(Set(without).isSubset(of: Set(with)), "bound \(bound): sleep sets lost \(Set(without).subtracting(with).count) of \(Set(without).count) classes")
            if e.beyondBound == 0 && e0.beyondBound == 0 {
                #expect(Set(with) == Set(without), "bound \(bound): \(Set(with).count) classes with sleep sets, \(Set(without).count) without")
            }
            if exact {
                #expect(Set(with).count == with.count, "bound \(bound): a class ran twice: \(with.count) runs, \(Set(with).count) classes")
            }
            if bound >= 2 && Set(without).count < without.count {
                // DPOR alone ran a class twice: sleep sets must have taken some of it away.
                #expect(e.slept + e.sleepCuts > 0,
                        "bound \(bound): nothing for sleep sets to remove? \(without.count) runs without, \(with.count) with")
            }
        }
    }

    /// Threads created or woken mid-run (issue 15; these were known holes): DPOR with sleep
    /// sets reaches every class the search of every preemption reaches, and every class DPOR
    /// without sleep sets reaches, with no bound cutting reversals off. Two changes closed
    /// them: free decisions after a thread stops (a thread that runs next after another
    /// blocks or ends had no decision before its operation: "T1 blocks, then T3's operation,
    /// then T2's" could not be chosen), and trying the awake branches of a node where a
    /// sleeping thread ran by default (a sleep cut lost "T1 wakes T2, then T2, then T3"
    /// where T3, asleep, was the queue's head).
    @Test func knownHolesWithThreadsCreatedOrWokenMidRun() {
        let created: [[[UInt64]]] = [[[Footprint.creating(3), Footprint.tids], [0x99]], [[0x99], [0x99]], [[0x99], [0x99]]]
        let woken: [[[UInt64]]] = [[[0x99], Self.wake(2)], [Self.deschedule(2), [0x99]], [[0x99], [0x99]]]
        let both: [[[UInt64]]] = [[[0x99], Self.wake(2), [0x99]], [Self.deschedule(2), [0x99]], [[Footprint.creating(4)], [0x99]], [[0x99]]]
        let ends: [[[UInt64]]] = [[[0x99], [0x99], [0x99]], [[0x99], [0x99]], [[0x10], [0x99]]]
        for ops in [created, woken, both, ends] {
            let (with, e) = Self.search(ops, bound: 6, sleepSets: true)
            let (without, e0) = Self.search(ops, bound: 6, sleepSets: false)
            #expect(e.beyondBound == 0 && e0.beyondBound == 0, "bound 6 passed: not the whole space")
            let all = Self.everyPreemption(ops, bound: 6)
            // Counts, not the sets: Swift Testing would print every class of both.
            let missed = all.subtracting(with).count
            #expect(missed == 0, "missed \(missed) of \(all.count) classes")
            let lost = Set(without).subtracting(with).count
            #expect(lost == 0, "sleep sets lost \(lost) of \(Set(without).count) classes")
        }
    }

    /// Within a preemption bound that cuts reversals off, sleep sets lost classes the search
    /// without them reached within the same bound (a known hole until bounded sleep sets and
    /// the conservative branches, Exploration and PartialOrder.backtracks): a branch that put
    /// a thread to sleep may reach a class only with more preemptions than the branch it
    /// sleeps in needs (Coons, Musuvathi and McKinley, "Bounded partial-order reduction",
    /// OOPSLA 2013). With the woken thread at bound 2: 9 classes with sleep sets, 11 without
    /// (12 unbounded), before; now every class of both searches and of the search of every
    /// preemption at that bound.
    @Test func sleepSetsLoseNoClassWithinABound() {
        let woken: [[[UInt64]]] = [[[0x99], Self.wake(2)], [Self.deschedule(2), [0x99]], [[0x99], [0x99]]]
        let (with, e) = Self.search(woken, bound: 2, sleepSets: true)
        let (without, _) = Self.search(woken, bound: 2, sleepSets: false)
        #expect(e.beyondBound > 0, "bound 2 cuts nothing off: not the case this is about")
        let lost = Set(without).subtracting(with).count
        #expect(lost == 0, "lost \(lost) of \(Set(without).count) classes")
        let missed = Self.everyPreemption(woken, bound: 2).subtracting(with).count
        #expect(missed == 0, "missed \(missed) classes of the search of every preemption")
    }

    /// Every model of this suite, for the bounded checks.
    static let models: [[[[UInt64]]]] = [
        [[[0x10], [0x99]], [[0x20], [0x99]], [[0x30], [0x99]]],
        [[[0xA0]], [[0xB0]], [[0xA0], [0xB0]]],
        [[[0x99], [0x99]], [[0x99], [0x99]], [[0x99], [0x99]]],
        [[[Footprint.creating(3), Footprint.tids], [0x99]], [[0x99], [0x99]], [[0x99], [0x99]]],
        [[[0x99], wake(2)], [deschedule(2), [0x99]], [[0x99], [0x99]]],
        [[[0x99], wake(2), [0x99]], [deschedule(2), [0x99]], [[Footprint.creating(4)], [0x99]], [[0x99]]],
        [[[0x99], [0x99], [0x99]], [[0x99], [0x99]], [[0x10], [0x99]]],
        [[[0x99], [0x99], [0x99]], [[0x99], [0x99]], [[0x99]]],
        [[[0x99], [0x99], [0x99]], [[0x99], [0x99], [0x99]]],
        [[[0xA0], [0xC0]], [[0xB0], [0xA0]], [[0xB0], [0xC0]]],
    ]

    /// Bounded partial-order reduction: at every bound from 1 to 4, on every model (threads
    /// created, woken, ending while others contend; private and shared locks), DPOR with sleep
    /// sets reaches every class DPOR without them reaches, and every class the search of every
    /// preemption reaches (before the conservative branches and bounded sleep sets: 1 of 4
    /// classes missed with two locks at bound 1, 1 of 6 and of 16 with a created thread at
    /// bounds 1 and 2, and sleep sets lost up to 6 of 54 classes the search without them
    /// reached, with threads ending at bound 3).
    @Test(arguments: 0..<models.count)
    func boundedPartialOrderReachesEveryClassWithinTheBound(model: Int) {
        let ops = Self.models[model]
        for bound in 1...4 {
            let (with, _) = Self.search(ops, bound: bound, sleepSets: true)
            let (without, _) = Self.search(ops, bound: bound, sleepSets: false)
            let all = Self.everyPreemption(ops, bound: bound)
            let lost = Set(without).subtracting(with).count
            #expect(lost == 0, "bound \(bound): sleep sets lost \(lost) of \(Set(without).count) classes")
            let missed = all.subtracting(with).count
            #expect(missed == 0, "bound \(bound): missed \(missed) of \(all.count) classes of the search of every preemption")
            let missedWithout = all.subtracting(without).count
            #expect(missedWithout == 0, "bound \(bound): without sleep sets, missed \(missedWithout) of \(all.count) classes")
        }
    }

    /// Yields (the thread library's mutex yields to the holder on every failed try): within a
    /// bound, DPOR reaches every class the search of every preemption reaches (T1 [yield,
    /// yield, A], T2 [A, yield, A], T3 [A]). Before free decisions after yields, the thread
    /// that ran after a yield was the queue's head, another one cost a preemption, and which
    /// was the head depended on the earlier preemptions' side effects on the queue: DPOR
    /// missed 3 of 38 classes at bound 2, 1 of 71 at bound 4 (a known issue until then).
    /// Free choices there that could pick the yielder again (or cost a preemption, or only
    /// one per streak of yields) did not close it or blew up spinning programs; the free
    /// choice among the *other* threads, with the yielder going on by a preemption at the
    /// next point (PartialOrder.yielderFirst), closes it.
    @Test func yieldsWithinABound() {
        let y: [UInt64] = [Self.yields, 0x99]
        let ops: [[[UInt64]]] = [[y, y, [0x99]], [[0x99], y, [0x99]], [[0x99]]]
        for bound in 1...4 {
            let (with, _) = Self.search(ops, bound: bound, sleepSets: true)
            let all = Self.everyPreemption(ops, bound: bound)
            #expect(all.isSubset(of: Set(with)), "bound \(bound): missed \(all.subtracting(with).count) of \(all.count) classes")
        }
        #expect(Self.everyPreemption(ops, bound: 8).isSubset(of: Set(Self.search(ops, bound: 8, sleepSets: true).runs)))
    }

    /// Random models (a fixed generator: 2 to 4 threads of 1 to 3 operations on three locks,
    /// some with a thread created or woken mid-run): at bounds 1 to 3, DPOR with sleep sets
    /// reaches every class the search of every preemption reaches. Before initials, bounded
    /// sleep sets and conservative branches, 34 of these 120 searches missed classes.
    @Test func randomModelsReachEveryClassOfTheBoundedSearch() {
        Self.expectEveryClassReached(Self.randomModel(seed:))
    }

    /// Seeds 1 to 40 of `model` at bounds 1 to 3: DPOR with sleep sets reaches every class the
    /// search of every preemption reaches (each miss recorded with its model).
    static func expectEveryClassReached(_ model: (Int) -> [[[UInt64]]]) {
        var missedSearches = 0
        for seed in 1...40 {
            let ops = model(seed)
            for bound in 1...3 {
                let (with, _) = Self.search(ops, bound: bound, sleepSets: true)
                let missed = Self.everyPreemption(ops, bound: bound).subtracting(with).count
                if missed > 0 { missedSearches += 1 }
                #expect(missed == 0, "seed \(seed), bound \(bound): missed \(missed) classes of \(ops)")
            }
        }
        #expect(missedSearches == 0)
    }

    /// A random model (a fixed generator: 2 to 4 threads of 1 to 3 operations on three locks,
    /// 0x10, 0x20 and 0x99, twice as often the last; some with a thread created or woken mid-run).
    static func randomModel(seed: Int) -> [[[UInt64]]] {
        var g = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        func r(_ n: Int) -> Int { g ^= g << 13; g ^= g >> 7; g ^= g << 17; return Int(g % UInt64(n)) }
        let n = 2 + r(3)
        var ops: [[[UInt64]]] = (1...n).map { _ in (0..<(1 + r(3))).map { _ in [[0x10, 0x20, 0x99, 0x99][r(4)]] } }
        if r(3) == 0 && n >= 3 { ops[0].insert([Footprint.creating(Int32(n)), Footprint.tids], at: r(ops[0].count + 1)) }
        if r(3) == 0 && n >= 3 {
            ops[1].insert(Self.deschedule(2), at: 0)
            ops[0].insert(Self.wake(2), at: r(ops[0].count + 1))
        }
        return ops
    }

    /// A random model with yields (2 to 4 threads of 1 to 4 operations: locks, plain yields,
    /// and yields inside a lock's retry, which touch the lock).
    static func randomYieldModel(seed: Int) -> [[[UInt64]]] {
        var g = UInt64(seed) &* 0xD1B5_4A32_D192_ED03 | 1
        func r(_ n: Int) -> Int { g ^= g << 13; g ^= g >> 7; g ^= g << 17; return Int(g % UInt64(n)) }
        let n = 2 + r(3)
        let kinds: [[UInt64]] = [[0x10], [0x20], [0x99], [Self.yields], [Self.yields, 0x99]]
        return (1...n).map { _ in (0..<(1 + r(4))).map { _ in kinds[r(kinds.count)] } }
    }

    /// The classes DPOR without sleep sets reaches within `bound` that DPOR with them does not.
    static func sleepSetLosses(_ ops: [[[UInt64]]], bound: Int) -> Int {
        let (with, _) = Self.search(ops, bound: bound, sleepSets: true)
        let (without, _) = Self.search(ops, bound: bound, sleepSets: false)
        return Set(without).subtracting(with).count
    }

    /// A thread picked freely right after a yield is awake there (Exploration.finished's walk
    /// and Exploration.next): its branch's equivalent run may need a paid pick (the yielder
    /// going on, `after-yield`) where the later branch's was free. T1 [L], T2 [L], T3 [yield,
    /// yield+L, L], bound 1: in T3's branch (a switch at T1's L) T3 yields, T2 (asleep) is
    /// picked and ends, T3 goes on for free; from T2's branch the same class needs T3 to go
    /// on after its yield, a second preemption, and "T3.0 T2.0 T3.1 T1.0 T3.2" was lost (a
    /// sleep cut). T1 [B], T2 [B, A, yield, B], T3 [yield, A], T4 [B] (locks L = 0x99, A,
    /// B), bound 1: the same where the sleeper's pick is a reversal (it slept at its node),
    /// "T3.0 T4.0 T3.1 ..." lost.
    @Test func sleepersPickedAfterAYieldStayAwake() {
        let y = Self.yields
        let cut: [[[UInt64]]] = [[[0x99]], [[0x99]], [[y], [y, 0x99], [0x99]]]
        #expect(Self.sleepSetLosses(cut, bound: 1) == 0)
        let reversal: [[[UInt64]]] = [[[0x20]], [[0x20], [0x10], [y], [0x20]], [[y], [0x10]], [[0x20]]]
        #expect(Self.sleepSetLosses(reversal, bound: 1) == 0)
    }

    /// A conservative branch tries every initial that can go first at its node
    /// (PartialOrder.backtracks): random model 68, T1 [L, L, L, wake T2], T2 [deschedule, L,
    /// L], T3 [B, L], T4 [B, A], at bounds 1 and 2 lost with sleep sets the class "T2 blocks,
    /// T1 runs its three locks and wakes T2, T2 its two before T3's second" (which the search
    /// of every preemption does not reach: free choices do). It was the README's "one random
    /// model of 100" whose loss was not understood: T1 sleeps in T2's branch at the start
    /// rightly (its equivalent run costs one preemption too), but T1's own branch never ran
    /// it: the one initial tried at the conservative branch after T2's block was T4, from
    /// whose branch the class is one preemption over the bound.
    @Test func conservativeBranchesTryEveryInitial() {
        let ops = Self.randomModel(seed: 68)
        #expect(ops == [[[0x99], [0x99], [0x99], Self.wake(2)], [Self.deschedule(2), [0x99], [0x99]], [[0x20], [0x99]], [[0x20], [0x10]]])
        for bound in 1...2 { #expect(Self.sleepSetLosses(ops, bound: bound) == 0, "bound \(bound)") }
    }

    /// Random models: sleep sets lose no class DPOR without them reaches within the bound.
    /// Before the two rules above: random models 1-300 at bounds 1-3, 2 of 900 searches lost
    /// a class (model 68, bounds 1 and 2), and with yields, models 1-98, 41 of 294 searches
    /// lost 2,081 classes (here: models 2 and 9 at bound 1). After them, none of the 900 and
    /// 11 of the 294 (91 classes: `knownHoleSleepSetsAfterYields`).
    @Test func randomModelsSleepSetsLoseNoClass() {
        for seed in 41...100 {
            for bound in 1...2 {
                let lost = Self.sleepSetLosses(Self.randomModel(seed: seed), bound: bound)
                #expect(lost == 0, "model \(seed), bound \(bound): lost \(lost)")
            }
        }
        for seed in 1...24 {
            let lost = Self.sleepSetLosses(Self.randomYieldModel(seed: seed), bound: 1)
            #expect(lost == 0, "model with yields \(seed), bound 1: lost \(lost)")
        }
    }

    /// Known hole: with yields, sleep sets still lose classes within a bound (random models
    /// with yields 1-98, bounds 1-3: 11 of 294 searches, 91 classes, none that the search of
    /// every preemption reaches). The smallest, model 73 at bound 1: T1 [L], T2 [B, yield,
    /// yield, A], T3 [A], T4 [yield+L, yield+L, A]. The class lost starts "T4.0 T3.0 T4.1" and
    /// runs T1's L after T4's second: without sleep sets it comes from the run where T1 is
    /// picked at the free decision after T3's end, as the *initial* of the race of T2's
    /// yield with T4's second (T4's L there follows T1's), and then the reversal of T1's L
    /// with T4's. With them T1 sleeps there (its branch at the free decision after T4's
    /// yield covers every class where T1's L goes first, rightly), so that run is not made;
    /// and the class itself, with T1's L *after* T4's, is reached from no other run within
    /// the bound: its other reversals put T4 after a yield that fairness holds it back from
    /// (paid). Source-set DPOR needs an initial that is not asleep (Abdulla et al.); here
    /// T1 is the only one.
    @Test func knownHoleSleepSetsAfterYields() {
        let ops = Self.randomYieldModel(seed: 73)
        #expect(ops == [[[0x99]], [[0x20], [Self.yields], [Self.yields], [0x10]], [[0x10]],
                        [[Self.yields, 0x99], [Self.yields, 0x99], [0x10]]])
        withKnownIssue("sleep sets lose a class after yields within a bound (README, Not done yet)") {
            #expect(Self.sleepSetLosses(ops, bound: 1) == 0)
        }
    }

    /// The fair choice after a yield (PointController.owed, after CHESS): a thread that
    /// yielded is held back from free choices while a thread it owed a turn is runnable and
    /// has not reached a point since; the queue's head is always free. Without it two
    /// threads spinning with yield(-1) picked each other freely for ever while a third could
    /// run (the student library's explore_lock_order_ok ran out of 60 s at bound 1).
    @Test func aYielderIsHeldBackUntilTheThreadsItOwesHadATurn() {
        let p = PointController(schedule: Schedule(), program: "model")
        #expect(p.fairAfterYield(of: 2, others: [3, 1]) == ([3, 1], []))
        // 3 yields: 2 still owes 1 (3 had its turn by yielding at a point, noted below).
        p.reachedPoint(3)
        let afterThree = p.fairAfterYield(of: 3, others: [1, 2])
        #expect(afterThree.fair == [1] && afterThree.heldBack == [2])
        // 2 at the queue's head is free all the same (the default).
        #expect(p.fairAfterYield(of: 1, others: [2, 3]).fair.first == 2)
        p.restart(with: Schedule())
        _ = p.fairAfterYield(of: 2, others: [3, 1])
        p.reachedPoint(3)
        p.reachedPoint(1)
        #expect(p.fairAfterYield(of: 3, others: [1, 2]) == ([1, 2], []), "2 had nobody left to wait for")
    }

    /// Random models with yields (2 to 4 threads of 1 to 4 operations: locks, plain yields,
    /// and yields inside a lock's retry, which touch the lock as the kernel's footprint of a
    /// yield inside mutex_lock does): at bounds 1 to 3, DPOR with sleep sets reaches every
    /// class the search of every preemption reaches (free decisions after yields).
    @Test func randomModelsWithYieldsReachEveryClassOfTheBoundedSearch() {
        Self.expectEveryClassReached(Self.randomYieldModel(seed:))
    }

    /// A race reversal runs an *initial* of the reversed sequence (source-set DPOR), not the
    /// second event's thread when that thread must wait for another one there. Three threads
    /// on locks A, B, C: T1 [A, C], T2 [B, A], T3 [B, C]. Before, unbounded, sleep sets lost
    /// "T3.0 T2.0 T2.1 T1.0 T1.1 T3.1": the race of T3's C with T1's C in the run where T3 goes
    /// first went to T1 at T3's second point, where T1 slept, when T2 must go first there.
    @Test func reversalsRunAnInitialOfTheReversedSequence() {
        let ops: [[[UInt64]]] = [[[0xA0], [0xC0]], [[0xB0], [0xA0]], [[0xB0], [0xC0]]]
        let (with, e) = Self.search(ops, bound: 6, sleepSets: true)
        let (without, _) = Self.search(ops, bound: 6, sleepSets: false)
        #expect(e.beyondBound == 0, "bound 6 passed: not the whole space")
        let lost = Set(without).subtracting(with).count
        #expect(lost == 0, "sleep sets lost \(lost) of \(Set(without).count) classes")
        let missed = Self.everyPreemption(ops, bound: 6).subtracting(with).count
        #expect(missed == 0, "missed \(missed) classes")
    }

    /// Free decisions reach orders no preemption reaches: with three threads of two operations
    /// each on one lock, every order of the six operations (90) is a class, and the search of
    /// every preemption reaches 68 of them (a thread given way at a point goes on with that
    /// point's operation as soon as the thread before it ends: nothing can run between).
    @Test func freeDecisionsReachEveryOrderOnOneLock() {
        let ops: [[[UInt64]]] = [[[0x99], [0x99]], [[0x99], [0x99]], [[0x99], [0x99]]]
        let (with, e) = Self.search(ops, bound: 6, sleepSets: true)
        #expect(Set(with).count == 90 && with.count == 90, "\(with.count) runs, \(Set(with).count) classes")
        #expect(e.beyondBound == 0)
        #expect(Self.everyPreemption(ops, bound: 6).count == 68)
    }

    /// The classes the search of every preemption (no DPOR) reaches, by bound.
    static func everyPreemption(_ ops: [[[UInt64]]], bound: Int) -> Set<[String]> {
        let e = Exploration(maxPreemptions: bound)
        var traces = Set<[String]>()
        while let s = e.next() {
            let (records, served, trace) = threads(s, ops: ops)
            traces.insert(trace)
            e.finished(s, records: records, served: served)
        }
        return traces
    }

    /// DPOR with sleep sets, with a bound no reversal passes, reaches every class the search of
    /// every preemption reaches, on the models where every thread but the first is runnable
    /// from the start and none blocks (the reversals put at the node where a switch to a
    /// thread not at a point was decided, PartialOrder.chosenAt, lose nothing); on most, with
    /// one run per class.
    @Test(arguments: [
        ([[[0x10], [0x99]], [[0x20], [0x99]], [[0x30], [0x99]]], false),   // 20 runs, 6 classes
        ([[[0xA0]], [[0xB0]], [[0xA0], [0xB0]]], false),                     // 4 runs, 4 classes
        ([[[0x99], [0x99]], [[0x99], [0x99]], [[0x99], [0x99]]], true),
        ([[[0x99], [0x99], [0x99]], [[0x99], [0x99]], [[0x99]]], true),
        ([[[0x99], [0x99], [0x99]], [[0x99], [0x99], [0x99]]], true),
    ] as [([[[UInt64]]], Bool)])
    func unboundedPartialOrderReachesEveryClass(ops: [[[UInt64]]], exact: Bool) {
        let (with, e) = Self.search(ops, bound: 6, sleepSets: true)
        #expect(e.beyondBound == 0, "bound 6 passed: not the whole space")
        let all = Self.everyPreemption(ops, bound: 6)
        #expect(all.isSubset(of: Set(with)), "DPOR missed \(all.subtracting(with).count) of \(all.count) classes")
        if exact { #expect(Set(with).count == with.count, "\(with.count) runs for \(Set(with).count) classes") }
    }
}
