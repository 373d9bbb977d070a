/// Which schedules to run, in what order: preemption bounding with iterative deepening
/// (Musuvathi and Qadeer's iterative context bounding, as Landslide uses it). Every schedule
/// with k preemptions is run before any with k+1, since most real bugs need only one or two.
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
    /// Schedules still to run, by number of preemptions.
    private var levels: [[Schedule]]
    /// The preemption bound being explored now.
    public private(set) var bound = 0
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

    /// `runsBefore`: runs of an earlier search this one continues the count of (explore starts
    /// again when it finds new data-race points, ExploreDriver).
    public init(maxPreemptions: Int, shard: (k: Int, n: Int)? = nil, runsBefore: Int = 0, partialOrder: Bool = false) {
        self.maxPreemptions = maxPreemptions
        self.shard = shard
        // Shards split the tree by first preemption; a race reversal can land in another
        // shard's part, which that shard may never be shown: shards search without DPOR.
        self.partialOrder = partialOrder && shard == nil
        runs = runsBefore
        levels = Array(repeating: [], count: maxPreemptions + 2)
        levels[0] = [Schedule()]
    }

    /// The next schedule to run, or nil when every schedule within the bound has run.
    public func next() -> Schedule? {
        if partialOrder {
            // A reversal can have fewer preemptions than the run that found it: the lowest
            // level first, always.
            bound = 0
        }
        while bound <= maxPreemptions {
            if let s = levels[bound].popLast() { return s }
            bound += 1
        }
        return nil
    }

    /// Schedules left at the current bound, and generated for the next one so far.
    public var leftAtBound: Int { bound <= maxPreemptions ? levels[bound].count : 0 }
    public var queuedNext: Int { bound + 1 <= maxPreemptions ? levels[bound + 1].count : 0 }

    /// The switch keys of `choices`, from the records of a run that shares them.
    private func switchKeys(_ choices: [Schedule.Choice], _ records: [PointRecord]) -> [String] {
        choices.compactMap { c in c.point < records.count ? Exploration.switchKey(records[c.point], to: c.thread) : nil }
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
            // before it are new.
            let k = schedule.choices.count
            var meeting = Int.max
            for (i, h) in states.sorted(by: { $0.key < $1.key }) {
                if let k0 = seen[h], k0 <= k { meeting = i; break }
                seen[h] = k
            }
            var added: [Schedule] = []
            for (point, thread) in PartialOrder.backtracks(records: records, served: served, raceWords: raceWords) {
                guard point < meeting else { pruned += 1; continue }
                var choices = schedule.choices.filter { $0.point < point }
                if thread >= 0 { choices.append(Schedule.Choice(point: point, thread: thread)) }
                guard choices.count <= maxPreemptions else { beyondBound += 1; continue }
                let s = Schedule(choices)
                guard generated.insert(s).inserted else { continue }
                switchKeys[s] = switchKeys(choices, records)
                added.append(s)
            }
            // Earliest decision first (popLast takes from the end), as the search without DPOR
            // runs its children: a switch early in the run reorders the most.
            added.sort { ($0.choices.last?.point ?? -1) > ($1.choices.last?.point ?? -1) }
            for s in added { levels[s.choices.count].append(s) }
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
