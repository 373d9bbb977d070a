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

    /// `--shard K/N`: this machine takes the schedules whose first preemption is the K-th of
    /// every N (in the order the first run generates them) and all their descendants. Shards
    /// are disjoint and cover the space; each runs the first (preemption-free) run itself.
    public let shard: (k: Int, n: Int)?

    /// `runsBefore`: runs of an earlier search this one continues the count of (explore starts
    /// again when it finds new data-race points, ExploreDriver).
    public init(maxPreemptions: Int, shard: (k: Int, n: Int)? = nil, runsBefore: Int = 0) {
        self.maxPreemptions = maxPreemptions
        self.shard = shard
        runs = runsBefore
        levels = Array(repeating: [], count: maxPreemptions + 2)
        levels[0] = [Schedule()]
    }

    /// The next schedule to run, or nil when every schedule within the bound has run.
    public func next() -> Schedule? {
        while bound <= maxPreemptions {
            if let s = levels[bound].popLast() { return s }
            bound += 1
        }
        return nil
    }

    /// Schedules left at the current bound, and generated for the next one so far.
    public var leftAtBound: Int { bound <= maxPreemptions ? levels[bound].count : 0 }
    public var queuedNext: Int { bound + 1 <= maxPreemptions ? levels[bound + 1].count : 0 }

    /// Takes the run of `schedule`: generates its children (one more preemption at a later
    /// point), unless that would pass the bound. `states` are the run's state fingerprints by
    /// point index (StateCache), where it took them.
    public func finished(_ schedule: Schedule, records: [PointRecord], states: [Int: UInt64] = [:]) {
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
                children.append(Schedule(schedule.choices + [Schedule.Choice(point: r.index, thread: u)]))
            }
        }
        if k == 0, let shard {
            children = children.enumerated().filter { $0.offset % shard.n == shard.k - 1 }.map(\.element)
        }
        // popLast takes from the end: reversed, the earliest preemption points run first.
        levels[k + 1].append(contentsOf: children.reversed())
    }
}
