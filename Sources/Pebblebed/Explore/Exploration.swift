/// Which schedules to run, in what order: preemption bounding with iterative deepening
/// (Musuvathi and Qadeer's iterative context bounding, as Landslide uses it). Every schedule
/// of depth k is run before any of depth k+1, since most real bugs need only one or two
/// preemptions; the depth of a schedule is its number of choices (`Schedule.choices`:
/// preemptions, and with DPOR the free picks of the next thread after one stopped), and
/// only preemptions count against the bound. Ordered by preemptions alone, the free choices
/// (which cost nothing) made the level of 0 preemptions of a longer program endless:
/// race_broken_deschedule (60 rounds of a ping-pong, a watchdog yielding) ran 2,440 runs
/// with free choices in 20 s and never got to the one preemption its lost wake-up needs;
/// by depth it is found after 58 runs (0.6 s). The textbook programs pay with some more
/// runs before their bug (explore_cond_if 278 to 528, explore_lock_order 10 to 26,
/// explore_unlock_error 2 to 7; their twins exhaust in about the same number).
///
/// A schedule with k preemptions whose last one is at point L has as children every schedule
/// that adds one preemption at a later point P > L to a thread that was runnable at P in the
/// parent's run (its run is the same up to P, so the alternatives recorded there are exactly
/// the threads that could run). Each schedule is generated once, by its parent (the schedule
/// without its last choice), so no interleaving runs twice.
///
/// The reduction (StateCache): a run that reaches, after its last preemption, a machine state
/// that an earlier run with no more preemptions already reached after *its* last preemption
/// has the same future (the machine is deterministic between decisions, and the default is to
/// keep running), so the preemptions it would add from there were already tried: children at
/// that point and after are not generated. This prunes interleavings that only reorder
/// independent steps (they meet again in the same state), without knowing which steps are
/// independent.
public final class Exploration {
    public let maxPreemptions: Int
    /// Schedules still to run, by depth (number of choices).
    private var levels: [[Schedule]]
    /// The depth of the schedule `next` gave last (its number of choices).
    public private(set) var depth = 0
    public private(set) var runs = 0
    /// Children skipped because their run had reached a known state.
    public private(set) var pruned = 0
    private var seen: [UInt64: Int] = [:]
    /// The switches each queued schedule makes (`switchKey`), for choosing the runs whose
    /// shared accesses are watched (ExploreDriver): its parent's and its own last one.
    private var switchKeys: [Schedule: [String]] = [:]

    /// `--shard K/N`: this machine takes the schedules whose first preemption is the K-th of
    /// every N (in the order the first run generates them) and all their descendants. Shards
    /// are disjoint and cover the space; each runs the first (preemption-free) run itself.
    public let shard: (k: Int, n: Int)?

    /// Dynamic partial-order reduction (PartialOrder) instead of every child and the state
    /// cache: a run's successors are the runs that reverse its races, within the bound,
    /// wherever in the run they are (also before its last preemption); each runs once.
    public let partialOrder: Bool
    /// The words of the data-race points, by instruction (their events' footprints).
    public var raceWords: [UInt32: [UInt32]] = [:]
    private var generated: Set<Schedule> = [Schedule()]
    /// Race reversals that would have passed the preemption bound.
    public private(set) var beyondBound = 0

    /// Sleep sets (with DPOR; Godefroid 1996, Flanagan and Godefroid 2005). A *node* is the
    /// state at decision `point` (PartialOrder.chosenAt) of the runs whose choices before it
    /// are `prefix`, a decision where the state after a served event is first decided on (the
    /// free decision after a point whose thread blocked or ended there, else the next
    /// point's, and not the first point of a thread switched to there, where nothing was
    /// served since);
    /// its branches are the threads that can run there, each told by the event it serves
    /// first (a thread not stopped at a point serves its next point's operation). A branch
    /// explored from a node puts its thread to sleep in the branches explored from it later,
    /// until an event dependent with that thread's next operation runs: a run in which the
    /// sleeping thread goes first is equivalent to one that ran it at the node, which the
    /// earlier branch covered.
    ///
    /// Within a preemption bound, only if the earlier branch covered it *within the bound*:
    /// the equivalent run of the earlier branch p runs p's operation first and then switches
    /// back to the later branch q, a preemption unless that operation stopped p; so it costs
    /// what p paid at the node, less what q paid, plus one unless p stopped there. A branch
    /// run earlier puts its thread to sleep in a later one only when that is at most zero
    /// (the running thread run on first sleeps in the switches away from it; two switches, or
    /// two picks at a free decision, do not sleep each other). With every branch asleep, the
    /// runs one preemption over the bound that a sleeper stood for left their classes at the
    /// bound out (woken thread, bound 2: 9 classes with sleep sets, 11 without).
    ///
    /// That cost holds while the rest of the later branch's run costs the same without the
    /// sleeper's event in it. Not after a yield: a thread picked freely right after one is
    /// never asleep there (`next`, and the walk in `finished`), since without its event the
    /// pick after that yield can be the yielder's own, which is paid.
    public let sleepSets: Bool
    struct Node: Hashable {
        let prefix: [Schedule.Choice]
        /// A decision node of the run (PartialOrder.chosenAt): preemptive at a point, or free
        /// after a served event.
        let point: Int
    }
    /// The node each queued schedule branches from, the thread it runs there (for the
    /// schedule without its node's choice, the thread that was running), and the preemptions
    /// its choice there costs (bounded sleep sets, above).
    /// `afterYield`: the node is the free decision after a yield (its thread is never asleep
    /// there, `next`).
    private var branchOf: [Schedule: (node: Node, thread: Int32, cost: Int, afterYield: Bool)] = [:]
    /// The threads asleep at a node, inherited from the run that reached it (known when a run
    /// walked through it after its own decision; unknown, so none, otherwise).
    private var nodeSleep: [Node: [PartialOrder.Sleeper]] = [:]
    /// The branches already run from a node, with their thread's next operation.
    private var nodeRan: [Node: [PartialOrder.Sleeper]] = [:]
    /// The sleep set each schedule starts from at its node (taken when it is dequeued).
    private var asleep: [Schedule: [PartialOrder.Sleeper]] = [:]
    /// Reversals not run because their thread was asleep at their node.
    public private(set) var slept = 0
    /// Runs in which a sleeping thread ran: their races from there on were not reversed.
    public private(set) var sleepCuts = 0

    /// `runsBefore`: runs of an earlier search this one continues the count of (explore starts
    /// again when it finds new data-race points, ExploreDriver).
    public init(maxPreemptions: Int, shard: (k: Int, n: Int)? = nil, runsBefore: Int = 0, partialOrder: Bool = false,
                sleepSets: Bool = true) {
        self.maxPreemptions = maxPreemptions
        self.shard = shard
        // Shards split the tree by first preemption; a race reversal can land in another
        // shard's part, which that shard may never be shown: shards search without DPOR.
        self.partialOrder = partialOrder && shard == nil
        self.sleepSets = sleepSets
        runs = runsBefore
        levels = Array(repeating: [], count: maxPreemptions + 2)
        levels[0] = [Schedule()]
    }

    /// The next schedule to run, or nil when every schedule within the bound has run.
    public func next() -> Schedule? {
        if partialOrder {
            // A reversal can have fewer choices than the run that found it: the lowest
            // level first, always.
            depth = 0
        }
        while depth < levels.count {
            guard let s = levels[depth].popLast() else {
                depth += 1
                continue
            }
            if sleepSets, let b = branchOf[s] {
                // Its sleep set: what slept at the node, and the branches run from it so far
                // (they ran before this one: the order of runs is the order of exploration).
                var z = nodeSleep[b.node] ?? []
                for r in nodeRan[b.node] ?? [] where !z.contains(where: { $0.thread == r.thread }) {
                    // Bounded: only a branch whose equivalent runs cost no more than this one's
                    // (above). The same thread's branch again (another way to run it first)
                    // needs no switch back.
                    if r.cost - b.cost + (r.thread == b.thread || r.stops ? 0 : 1) > 0 { continue }
                    z.append(r)
                }
                // A thread picked freely right after a yield is awake there (`finished`, where
                // the walk meets one: its branch's equivalent runs may need a paid pick).
                if b.afterYield { z.removeAll { $0.thread == b.thread } }
                if z.contains(where: { $0.thread == b.thread }) {
                    slept += 1
                    branchOf[s] = nil
                    switchKeys[s] = nil
                    continue
                }
                asleep[s] = z
            }
            return s
        }
        return nil
    }

    /// Schedules queued at depth `level` (explore's progress line, SearchDepth).
    public func queued(at level: Int) -> Int { levels.indices.contains(level) ? levels[level].count : 0 }

    /// Notes that the branch of `op.thread` ran from `node` (the cheapest way it ran, if more
    /// than one: that one's runs had the most of the bound left).
    private func ran(_ op: PartialOrder.Sleeper, at node: Node) {
        if let i = (nodeRan[node] ?? []).firstIndex(where: { $0.thread == op.thread }) {
            if op.cost < nodeRan[node]![i].cost { nodeRan[node]![i] = op }
        } else {
            nodeRan[node, default: []].append(op)
        }
    }

    /// The switch keys of `choices`, from the records of a run that shares them.
    private func switchKeys(_ choices: [Schedule.Choice], _ records: [PointRecord]) -> [String] {
        // A free choice is not the preemption at its point: told apart.
        choices.compactMap { c in
            c.point < records.count ? (c.free ? "next " : "") + Exploration.switchKey(records[c.point], to: c.thread) : nil
        }
    }

    /// The switches `schedule` makes, as `switchKey`s (forgotten when its run is finished).
    public func switches(of schedule: Schedule) -> [String] {
        switchKeys[schedule] ?? []
    }

    /// One switch, independent of point numbers (which change when data-race points are
    /// added): the call or race point where thread T is preempted (function and call site, or
    /// the racing instruction), T, and the thread that runs instead. Two schedules that make the
    /// same switches put the same pieces of code side by side, only at other repetitions.
    static func switchKey(_ r: PointRecord, to u: Int32) -> String {
        "\(r.label)@\(r.label == ForkRunner.racePointLabel ? r.eip : r.caller) \(r.thread)>\(u)"
    }

    /// Takes the run of `schedule`: generates its children (one more preemption at a later
    /// point), unless that would pass the bound. `states` are the run's state fingerprints by
    /// point index (StateCache), where it took them.
    public func finished(_ schedule: Schedule, records: [PointRecord], states: [Int: UInt64] = [:],
                         served: [PartialOrder.Event] = []) {
        if partialOrder {
            runs += 1
            // The state cache still holds: from the first point where this run meets a state
            // an earlier run with no more preemptions reached after its last choice, the
            // future is that run's, and so are the reversals of the races within it (both
            // events after the meeting, so their decision point too): only reversals decided
            // before it are new. (Preemptions left decide the future within the bound; free
            // choices cost nothing.)
            let k = schedule.preemptions
            var meeting = Int.max
            for (i, h) in states.sorted(by: { $0.key < $1.key }) {
                if let k0 = seen[h], k0 <= k { meeting = i; break }
                seen[h] = k
            }
            // Sleep sets: walk this run from its node's decision with the threads asleep
            // there. The first event of a sleeping thread ends the run as far as the search
            // is concerned (from there it is equivalent to a run of an earlier branch): only
            // the races before it are reversed.
            let branch = branchOf.removeValue(forKey: schedule)
            let start = branch?.node.point ?? 0
            var racing = served
            // The awake branches of the node where a sleeping thread ran (below).
            var cut: [(node: Int, thread: Int32)] = []
            // The node each event was chosen at (PartialOrder.chosenAt): nodes are the states
            // between two served events, each at the first decision point after the earlier
            // one was served, and a branch is told by the event it serves first.
            let chosen = PartialOrder.chosenAt(served, records: records)
            if sleepSets {
                if let branch, var op = PartialOrder.nextOperation(of: branch.thread, from: start, records: records,
                                                                    served: served, chosen: chosen, raceWords: raceWords) {
                    op.cost = PartialOrder.cost(at: start, records: records, served: served, chosen: chosen)
                    ran(op, at: branch.node)
                }
                var z = asleep.removeValue(forKey: schedule) ?? []
                var k = chosen.firstIndex { $0 >= start } ?? served.count
                while k < served.count && !z.isEmpty {
                    let e = served[k]
                    // What sleeps at each later node: before the first event chosen there
                    // (every node after `start` has one: it is where one was); where nothing
                    // is noted, nothing sleeps.
                    if chosen[k] > start && (k == 0 || chosen[k - 1] != chosen[k]) {
                        nodeSleep[Node(prefix: schedule.choices, point: chosen[k])] = z
                    }
                    if z.contains(where: { $0.thread == e.thread }),
                       case let (point, true, _) = PartialOrder.decision(of: chosen[k], served), records[point].stopYielded {
                        // A sleeper picked freely after a yield is woken, not a cut: its
                        // branch's equivalent run may cost more than `Sleeper.cost` says. That
                        // run serves the sleeper's event first and then this run's events
                        // without it, so after this yield it must pick the event that came
                        // after the sleeper's here, and when that is the yielder's own (or a
                        // thread's that fairness holds back) the pick is paid (`after-yield`)
                        // where this run's was free. T1 [L], T2 [L], T3 [yield, yield+L, L],
                        // bound 1: in T3's branch (a switch at T1's L), T3 yields, T2 (asleep,
                        // its branch ran) is picked freely and ends, T3 goes on freely; the
                        // same class from T2's branch needs T3 to go on after its yield, a
                        // second preemption. As a cut, the class "T3.0 T2.0 T3.1 T1.0 T3.2"
                        // was lost (ExplorationTests.sleepersPickedAfterAYieldStayAwake).
                        z.removeAll { $0.thread == e.thread }
                    }
                    if z.contains(where: { $0.thread == e.thread }) {
                        sleepCuts += 1
                        racing = Array(served[..<k])
                        // The run took a sleeping thread's branch at this node only because
                        // its schedule said nothing there (the default ran): a search with
                        // sleep sets takes an awake thread there instead. Every awake branch
                        // of the node is tried (its races after the cut are not known).
                        // Without them, a class in which an awake thread goes first there and
                        // the sleeping one later was lost: "T1 wakes T2, T3 (asleep, its
                        // branch ran) is the queue's head, T2 goes first, then T3" (issue 15).
                        let (point, free, _) = PartialOrder.decision(of: chosen[k], served)
                        let r = records[point]
                        let branches: [Int32] = free ? r.stopAlternatives ?? [] : [r.thread] + r.alternatives
                        let byDefault = free ? branches.first : r.thread
                        for u in branches where u != e.thread && !z.contains(where: { $0.thread == u }) {
                            cut.append((chosen[k], u == byDefault ? -1 : u))
                        }
                        // After a yield, the paid ones too (the yielder, those held back).
                        for u in free ? r.stopPaid ?? [] : [] where u != e.thread && !z.contains(where: { $0.thread == u }) {
                            cut.append((chosen[k], u))
                        }
                        break
                    }
                    let f = PartialOrder.footprint(of: records[e.point], raceWords: raceWords)
                    z.removeAll { $0.wokenBy(all: f.all, objects: f.objects, shared: f.shared) }
                    k += 1
                }
            }
            var added: [Schedule] = []
            var order: [Schedule: Int] = [:]
            // Where this run's choices were taken (PartialOrder.chosenAt's nodes): a reversal
            // keeps those before its node.
            let taken = schedule.choices.map { PartialOrder.node(of: $0, served, records: records) }
            for (node, thread) in PartialOrder.backtracks(records: records, served: racing, raceWords: raceWords) + cut {
                // The decision: preemptive at a point, or the free one after a point is served.
                // The state at point `noted` (a preemption there is decided in it) or after it
                // (a free decision after an event served there) is before the meeting.
                let (point, free, noted) = PartialOrder.decision(of: node, served)
                guard noted < meeting else { pruned += 1; continue }
                var choices = zip(schedule.choices, taken).filter { $0.1.map { $0 < node } ?? false }.map(\.0)
                let branch = Node(prefix: choices, point: node)
                // After a yield, the yielder or a thread held back costs a preemption (Choice.paid).
                let choice = thread >= 0 ? Schedule.Choice(point: point, thread: thread, free: free,
                                                           paid: free && records[point].stopPaid?.contains(thread) == true) : nil
                if let choice {
                    choices.append(choice)
                    choices.sort { $0.fileOrder < $1.fileOrder }
                }
                let s = Schedule(choices)
                // Free choices preempt no one: only preemptions count against the bound.
                guard s.preemptions <= maxPreemptions else { beyondBound += 1; continue }
                if sleepSets, let first = chosen.firstIndex(where: { $0 >= node }), chosen[first] == node {
                    // This run took a branch at the node too: the thread whose event it served
                    // first from there (the one it switched to there, or the one that went on).
                    let here = served[first].thread
                    if var op = PartialOrder.nextOperation(of: here, from: node, records: records, served: served,
                                                           chosen: chosen, raceWords: raceWords) {
                        op.cost = PartialOrder.cost(at: node, records: records, served: served, chosen: chosen)
                        ran(op, at: branch)
                    }
                }
                guard generated.insert(s).inserted else { continue }
                // The default's thread: the one running at the point, or the queue's head.
                let byDefault = free ? records[point].stopAlternatives?.first ?? records[point].thread : records[point].thread
                if sleepSets {
                    branchOf[s] = (branch, thread >= 0 ? thread : byDefault, choice.map { $0.free && !$0.paid ? 0 : 1 } ?? 0,
                                   free && records[point].stopYielded)
                }
                order[s] = node
                switchKeys[s] = switchKeys(choices, records)
                added.append(s)
            }
            // Earliest decision first (popLast takes from the end), as the search without DPOR
            // runs its children: a switch early in the run reorders the most.
            added.sort { order[$0]! > order[$1]! }
            // By depth (the schedules with free choices, which the bound does not count, come
            // after those with fewer choices: above).
            for s in added {
                while levels.count <= s.choices.count { levels.append([]) }
                levels[s.choices.count].append(s)
            }
            switchKeys[schedule] = nil
            return
        }
        defer { switchKeys[schedule] = nil }
        runs += 1
        let k = schedule.choices.count
        guard k < maxPreemptions else { return }
        let last = schedule.choices.last?.point ?? -1
        var children: [Schedule] = []
        for r in records where r.index > last {
            if let h = states[r.index] {
                // Seen after the last preemption of a run with no more preemptions: its
                // future, with at least as many preemptions left, was explored from there.
                if let k0 = seen[h], k0 <= k {
                    pruned += records.count(where: { $0.index >= r.index && !$0.alternatives.isEmpty })
                    break
                }
                seen[h] = k
            }
            for u in r.alternatives {
                let child = Schedule(schedule.choices + [Schedule.Choice(point: r.index, thread: u)])
                children.append(child)
                switchKeys[child] = (switchKeys[schedule] ?? []) + [Exploration.switchKey(r, to: u)]
            }
        }
        if k == 0, let shard {
            let kept = children.enumerated().filter { $0.offset % shard.n == shard.k - 1 }.map(\.element)
            for c in Set(children).subtracting(kept) { switchKeys[c] = nil }
            children = kept
        }
        // popLast takes from the end: reversed, the earliest preemption points run first.
        levels[k + 1].append(contentsOf: children.reversed())
    }
}
