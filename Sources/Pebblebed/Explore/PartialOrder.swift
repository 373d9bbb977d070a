/// Dynamic partial-order reduction over the preemption points (issue 15, item 2): Flanagan and
/// Godefroid's DPOR (POPL 2005), in the race-reversal form of source-set DPOR (Abdulla et al.,
/// POPL 2014), run on the record of each finished run instead of during it.
///
/// An *event* is the operation at one preemption point, served when its thread goes on past
/// the point (at once, or after the thread was switched away there). Its *footprint* is what
/// it touches that another thread can see (`Footprint`, recorded by the kernel at the point):
/// the mutex, condition, semaphore or rwlock a thread-library call names (for a system call
/// made inside a blocking library call, that call's object too: the mutex's yield-and-retry
/// loop re-reads the mutex), the thread that make_runnable names, the console, the word of a
/// data-race point, the thread and the word a deschedule reads, the tid allocator and the new
/// thread of a thread_fork, the thread a vanish ends (Kernel.footprint argues each); and
/// *everything* for the calls whose effects reach further (the last thread's vanish, which
/// ends the task, memory mapping, time, fork, exec, wait, readline...). Two events of
/// different threads are dependent when their footprints meet: an object one of them uses
/// *exclusively*, or an object both use and one exclusively; two *shared* uses of an object
/// (updates that commute, such as two non-last vanishes lowering the count of live threads,
/// or two reads) are not dependent.
///
/// The code between two points of a thread is not watched in an ordinary run: it is taken to
/// be ordered by the points around it, which holds when the program is data-race free apart
/// from the data-race points explore found (their racing accesses are points of their own,
/// with their words). That is the assumption of DPOR over synchronisation events; a race
/// that race watching never saw is a pair this reduction takes for independent.
///
/// For every pair of events in a run that race (dependent, of different threads, and not
/// ordered by happens-before through other events), the run that reverses them is scheduled:
/// at the decision point where the first of them was *chosen* (`chosenAt`), an initial of the
/// reversal runs instead (the second's thread when it is one, `backtracks`). Where that costs
/// a preemption the run did not make, the same reversal also goes to the latest earlier node
/// where the run paid for its thread already (a conservative branch: Coons, Musuvathi and
/// McKinley's bounded partial-order reduction). Schedules keep the preemption bound; each is
/// run once, and not at all when its thread sleeps at its node (sleep sets, Exploration).
public enum PartialOrder {
    /// One served event: its point, the point whose decision let it be served, its thread.
    public struct Event: Equatable, Sendable {
        public let point: Int
        public let decision: Int
        public let thread: Int32
        public init(point: Int, decision: Int, thread: Int32) {
            self.point = point
            self.decision = decision
            self.thread = thread
        }
    }

    /// The decision at which each served event was *chosen*: the node of the search (the
    /// state between two served events) that the event leaves, as a number in the order of
    /// the run (`preemptive`, `free`): the preemptive decision at point P (taken before P's
    /// trap is served), or the free decision taken when the thread of a served event stopped
    /// running right after it (`Schedule.Choice.free`: the run queue's head, or a thread a
    /// schedule names, runs next).
    ///
    /// An event is served at its decision point (`Event.decision`), but when the decisions
    /// before it switched to threads that were not stopped at a point (a thread just created,
    /// woken from a block, or back from a yield: it runs code of its own up to its next point,
    /// and only there is a decision taken again), nothing was served at those earlier
    /// decisions: the state after the previous event is the one at the first of them, the
    /// point right after the previous event's decision, and the threads that could go first
    /// from that state are the ones runnable there (that point's thread and its
    /// alternatives). The decisions after it up to the event's own only moved threads through
    /// code of their own (which touches nothing another thread sees, the assumption above)
    /// and changed the run queue's order. So "switch to u at d, then, at u's first point p,
    /// give way to v" (nothing served in between) is a way of running v first from the node
    /// at d, as "switch to v at d" is: a race reversal of such an event goes to d, where it
    /// costs one preemption instead of two, and the branches of a node (sleep sets,
    /// Exploration) are told apart by the thread whose event they serve first.
    ///
    /// When the previous event's thread stopped running as it was served (its record has
    /// `stopAlternatives`), the state after it is the free decision's: every thread on the run
    /// queue then can go first from there, without a preemption, whether it was stopped at a
    /// point (its pending operation is served at once) or not (it runs to its next point, as
    /// above); after a yield, the threads fairness holds back and the yielder itself too, at a
    /// preemption's cost (`PointRecord.stopPaid`). Before free decisions, such an event was chosen where the previous one was (a
    /// thread given way at a point went on with it) or at the next point's decision, where
    /// running another thread first cost a preemption, or was not possible at all when that
    /// thread's first operation came right after the stop: "T1 blocks, then T3, then T2" was
    /// out of reach (issue 15, the holes with threads created or woken mid-run). Reports
    /// without stop queues keep that rule.
    static func chosenAt(_ served: [Event], records: [PointRecord]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(served.count)
        for (k, e) in served.enumerated() {
            if k == 0 {
                out.append(0)
                continue
            }
            let previous = served[k - 1]
            if previous.point < records.count, records[previous.point].stopAlternatives != nil {
                out.append(free(after: k - 1, served))
            } else if e.decision == previous.decision {
                out.append(out[k - 1])
            } else {
                out.append(preemptive(previous.decision + 1))
            }
        }
        return out
    }

    /// The node of the preemptive decision at point `p`.
    static func preemptive(_ p: Int) -> Int { p << 32 }
    /// The node of the free decision after served event `k` (its thread stopped there): after
    /// the last point noted before it (the event's decision: a thread given way at a point is
    /// served when it runs again, after later points) and after the events served before it
    /// since then, before the next point. Every served event stops its thread at most once.
    static func free(after k: Int, _ served: [Event]) -> Int { served[k].decision << 32 | (k + 1) }
    /// A node's decision as a schedule's choice names it: the point (P for a preemptive one, D
    /// for the free one after point D is served) and whether it is free; `noted`, the last
    /// point noted when it is taken (P, or the stopped event's decision), whose successor's
    /// state comes after it (the state cache's meeting point is compared with it).
    static func decision(of node: Int, _ served: [Event]) -> (point: Int, free: Bool, noted: Int) {
        let k = node & 0xFFFF_FFFF
        return k == 0 ? (node >> 32, false, node >> 32) : (served[k - 1].point, true, node >> 32)
    }
    /// Where `choice` of a run's schedule was taken in the run (a node, as `chosenAt`); nil
    /// for a free choice after a point whose thread did not stop there.
    static func node(of choice: Schedule.Choice, _ served: [Event], records: [PointRecord]) -> Int? {
        guard choice.free else { return preemptive(choice.point) }
        guard choice.point < records.count, records[choice.point].stopAlternatives != nil,
              let k = served.firstIndex(where: { $0.point == choice.point }) else { return nil }
        return free(after: k, served)
    }

    /// The alternatives to try for the races of one run: (decision node, as `chosenAt`;
    /// thread to run there, -1 for the default). `served` is the run's events in the order
    /// they were served (Served.parse).
    static func backtracks(records: [PointRecord], served: [Event], raceWords: [UInt32: [UInt32]]) -> [(node: Int, thread: Int32)] {
        guard !served.isEmpty else { return [] }
        let chosen = chosenAt(served, records: records)
        // Dense thread numbers for the vector clocks.
        var slot: [Int32: Int] = [:]
        for r in records where slot[r.thread] == nil { slot[r.thread] = slot.count }
        for r in records { for u in r.alternatives where slot[u] == nil { slot[u] = slot.count } }
        for e in served where slot[e.thread] == nil { slot[e.thread] = slot.count }
        let n = slot.count
        typealias Clock = [Int]
        func join(_ a: inout Clock, _ b: Clock) { for i in 0..<n where b[i] > a[i] { a[i] = b[i] } }

        struct Last { let position: Int; let thread: Int; let count: Int }
        var clocks = [Clock](repeating: Clock(repeating: 0, count: n), count: n)
        var eventClock: [Clock] = []
        eventClock.reserveCapacity(served.count)
        // Per object: the last exclusive use, and the shared uses since it (the last per thread).
        var lastOn: [UInt64: Last] = [:]
        var sharedOn: [UInt64: [Int: Last]] = [:]
        var lastEvent = [Last?](repeating: nil, count: n)
        var lastAll = [Last?](repeating: nil, count: n)
        var created: [Int32: Clock] = [:]
        var started = [Bool](repeating: false, count: n)
        var out: [(node: Int, thread: Int32)] = []
        // (A node and a thread packed in an Int64 lost the node when the thread was -1.)
        struct Pair: Hashable { let node: Int; let thread: Int32 }
        var seen = Set<Pair>()
        func add(_ node: Int, _ thread: Int32) {
            if seen.insert(Pair(node: node, thread: thread)).inserted { out.append((node, thread)) }
        }
        // A thread a yield's free choice may not pick (the yielder, one fairness holds back)
        // goes first from there by a paid choice after the yield, or by a preemption at the
        // next point when nothing was served before it: the same cost, other side effects
        // (the thread that reached that point had its turn, and waits at the queue's back),
        // and the search of every preemption takes the second.
        func addWays(_ node: Int, _ thread: Int32) {
            add(node, thread)
            let (at, free, noted) = decision(of: node, served)
            let k = node & 0xFFFF_FFFF
            guard free, records[at].stopPaid?.contains(thread) == true, noted + 1 < records.count,
                  k == served.count || served[k].decision > noted,
                  records[noted + 1].alternatives.contains(thread) else { return }
            add(preemptive(noted + 1), thread)
        }
        // The threads that can go first from a node: a preemptive one's alternatives, and the
        // thread stopped at its point when the run switched away there (it goes first by not
        // switching: -1); a free one's, the run queue when the thread stopped (its head is the
        // default: -1). A thread chosen at the node by a switch to a thread not at a point
        // leaves the thread given way at the node its next event pending, and that event (the
        // second of a race) is reversed by going on there.
        // After a yield, the paid ones too (`first`).
        func branches(_ node: Int) -> [Int32] {
            let (at, free, _) = decision(of: node, served)
            let r = records[at]
            return free ? (r.stopAlternatives ?? []) + (r.stopPaid ?? [])
                        : (r.switchedTo != nil ? [r.thread] : []) + r.alternatives
        }
        // The thread to name at `node` for `u` to go first from it (-1: the default, nil: it
        // cannot). After a yield the yielder and those fairness holds back are named too
        // (Exploration makes those choices paid: `after-yield`).
        func first(_ u: Int32, at node: Int) -> Int32? {
            let (at, free, _) = decision(of: node, served)
            let r = records[at]
            if free {
                let queue = r.stopAlternatives ?? []
                if queue.contains(u) { return u == queue.first ? -1 : u }
                // After a yield, the yielder or a thread held back, by a paid choice.
                return r.stopPaid?.contains(u) == true ? u : nil
            }
            if r.alternatives.contains(u) { return u }
            return u == r.thread && r.switchedTo != nil ? -1 : nil
        }
        // Whether the run paid for its thread at a node already: a free decision (nothing to
        // pay), or a preemptive one where it switched (another thread there costs the same).
        func paid(_ node: Int) -> Bool {
            let (at, free, _) = decision(of: node, served)
            return free || records[at].switchedTo != nil
        }

        for (k, e) in served.enumerated() {
            let p = slot[e.thread]!
            if !started[p] {
                started[p] = true
                if let c = created[e.thread] { join(&clocks[p], c) }
            }
            let fp = footprint(of: records[e.point], raceWords: raceWords)
            // The earlier events this one is dependent with and not already ordered after.
            var candidates: [Last] = []
            if fp.all {
                for q in 0..<n where q != p { if let l = lastEvent[q], l.count > clocks[p][q] { candidates.append(l) } }
            } else {
                for o in fp.objects + fp.shared { if let l = lastOn[o], l.thread != p, l.count > clocks[p][l.thread] { candidates.append(l) } }
                for o in fp.objects { for l in (sharedOn[o] ?? [:]).values where l.thread != p && l.count > clocks[p][l.thread] { candidates.append(l) } }
                for q in 0..<n where q != p { if let l = lastAll[q], l.count > clocks[p][q] { candidates.append(l) } }
            }
            // Its clock: program order, then everything it depends on.
            if fp.all {
                for q in 0..<n { if let l = lastEvent[q] { join(&clocks[p], eventClock[l.position]) } }
            } else {
                for o in fp.objects + fp.shared { if let l = lastOn[o] { join(&clocks[p], eventClock[l.position]) } }
                for o in fp.objects { for l in (sharedOn[o] ?? [:]).values { join(&clocks[p], eventClock[l.position]) } }
                for q in 0..<n { if let l = lastAll[q] { join(&clocks[p], eventClock[l.position]) } }
            }
            clocks[p][p] += 1
            let me = Last(position: k, thread: p, count: clocks[p][p])
            eventClock.append(clocks[p])
            lastEvent[p] = me
            if fp.all { lastAll[p] = me }
            for o in fp.objects {
                lastOn[o] = me
                sharedOn[o] = nil
            }
            for o in fp.shared { sharedOn[o, default: [:]][p] = me }
            if let c = fp.creates { created[c] = clocks[p] }
            // Only the races that are direct: one ordered before another candidate is not.
            for a in candidates where !candidates.contains(where: { $0.position > a.position && eventClock[$0.position][a.thread] >= a.count }) {
                let node = chosen[a.position]
                // The thread to run at the node must be an *initial* of what the reversal runs
                // from there (source-set DPOR, Abdulla et al. 2014): of the events after the
                // first that do not happen after it, then the second, one whose thread has no
                // event before it among them that it happens after. A thread that is no initial
                // first runs an event that needs another one of them before it, so its branch
                // is not the reversed order; with sleep sets that loses classes even unbounded:
                // T1 [A, C], T2 [B, A], T3 [B, C] (A, B, C locks); T3 first, then T2, then T1
                // ("T3.0 T2.0 T2.1 T1.0 T1.1 T3.1") was lost: the race of T3's C with T1's C
                // in the run "T3 T3 T2 T2 T1 T1" reversed to T1 at T3's second point, where T1
                // slept (its A runs after T2's A there), when the initial is T2.
                // An event follows one of thread q's there iff it follows q's first one there
                // (program order): one pass with each thread's first count.
                let v = (a.position + 1..<k).filter({ j in eventClock[j][a.thread] < a.count }) + [k]
                var firstIn = [Int](repeating: .max, count: n)
                for x in v where firstIn[slot[served[x].thread]!] == .max { firstIn[slot[served[x].thread]!] = eventClock[x][slot[served[x].thread]!] }
                let initials: [Int32] = v.compactMap { x in
                    let q = slot[served[x].thread]!
                    guard eventClock[x][q] == firstIn[q], (0..<n).allSatisfy({ $0 == q || eventClock[x][$0] < firstIn[$0] }) else { return nil }
                    return served[x].thread
                }
                // The second's thread, if it is an initial and can go first from the node, else
                // the first initial that can; if none can, every branch, as FG05 does. At a
                // conservative branch (below), every initial that can go first there.
                func reverse(at node: Int, everyInitial: Bool = false) {
                    let able = initials.compactMap { first($0, at: node) }
                    if everyInitial, !able.isEmpty {
                        for u in able { addWays(node, u) }
                    } else if initials.contains(e.thread), let u = first(e.thread, at: node) {
                        addWays(node, u)
                    } else if let u = able.first {
                        addWays(node, u)
                    } else {
                        for u in branches(node) { if let w = first(u, at: node) { addWays(node, w) } }
                    }
                }
                reverse(at: node)
                // The run without the decision's own switch, when it had one (the reversal may
                // need the thread that was running there to go on, or the queue's head).
                let (at, free, _) = decision(of: node, served)
                if free ? served[a.position].thread != records[at].stopAlternatives?.first : records[at].switchedTo != nil { add(node, -1) }
                // Bounded partial-order reduction (Coons, Musuvathi and McKinley, OOPSLA 2013):
                // a reversal at a node where the run went on costs a preemption its class may
                // not need. A class in which the second's thread ran first from the latest
                // earlier node where the run *paid* for its thread already (a free decision,
                // or a switch: another thread there costs no more) may be within the bound
                // while every way DPOR would reach it from this run is one preemption over.
                // So the same reversal also goes to that node: a *conservative* branch.
                // There every initial that can go first, not one: unbounded, one initial is
                // enough (the others are reached by later reversals from its branch), bounded
                // those later reversals can cost a preemption each. T1 [L, L, L, wake T2], T2
                // [deschedule, L, L], T3 [B, L], T4 [B, A] (locks L, A, B), bound 1: in T1's
                // branch, T2 (switched to at T1's wake) blocks and T3 runs; the race of T3's L
                // with T2's later L went to the free decision after T2's block with the first
                // initial, T4 (independent of both), and from T4's branch the race needs
                // another preemption; the initial T1 (whose wake T2's L follows) goes on to
                // the class where T2 runs its locks before T3's L, at no cost. With sleep sets
                // that class was lost (T1 sleeps in T2's branch at the start, where the search
                // without them reached it: ExplorationTests.conservativeBranchesTryEveryInitial).
                if !paid(node) {
                    reverse(at: chosen[..<a.position].last { $0 < node && paid($0) } ?? 0, everyInitial: true)
                }
            }
        }
        return out
    }

    /// A thread asleep in a sleep set (Godefroid; Flanagan and Godefroid 2005): its branch was
    /// already explored from a node the search is at again, so it may run here only after
    /// an event dependent with its next operation (whose footprint this is).
    struct Sleeper: Equatable {
        let thread: Int32
        let all: Bool
        let objects: [UInt64]
        var shared: [UInt64] = []
        /// The preemptions its branch paid at its node (`cost(at:)`), and whether the operation
        /// stopped its thread (it blocked or ended there): a run of that branch equivalent to
        /// one of a later branch in which this operation runs later costs that, less what the
        /// later branch paid, plus a switch back unless it stopped (bounded sleep sets,
        /// Exploration.next).
        var cost = 0
        var stops = false

        /// Whether an event with footprint (`all`, `objects`, `shared`) is dependent with this
        /// one's next operation (an event that "wakes" it): an exclusive use on either side of
        /// an object both touch.
        func wokenBy(all a: Bool, objects o: [UInt64], shared s: [UInt64] = []) -> Bool {
            all || a || objects.contains { o.contains($0) || s.contains($0) } || shared.contains { o.contains($0) }
        }
    }

    /// The next operation of `thread` from decision node `point` on in a run (`chosenAt`):
    /// the first of its events chosen there or later (`chosen`: `chosenAt(served)`; the point
    /// it stopped at, or, for a thread not stopped at one, the next point it reaches: the
    /// code before it touches nothing another thread sees, PartialOrder's assumption). Nil if
    /// the run served none.
    static func nextOperation(of thread: Int32, from point: Int, records: [PointRecord], served: [Event], chosen: [Int],
                              raceWords: [UInt32: [UInt32]]) -> Sleeper? {
        guard let start = chosen.firstIndex(where: { $0 >= point }),
              let e = served[start...].first(where: { $0.thread == thread }) else { return nil }
        let f = footprint(of: records[e.point], raceWords: raceWords)
        // A yield is taken not to stop its thread here: after it, running the later branch's
        // thread may be a paid choice (the fair choice can hold it back), so its runs may cost
        // one more (conservative: the sleeper then sleeps in fewer branches).
        return Sleeper(thread: thread, all: f.all, objects: f.objects, shared: f.shared,
                       stops: records[e.point].stopAlternatives != nil && !records[e.point].stopYielded)
    }

    /// The preemptions a run paid at node `node` before the first event chosen there: its
    /// switches at the points from the node's own (a free decision's: after the stopped event's
    /// decision) to that event's decision (a switch to a thread not at a point and one at that
    /// thread's first point are two).
    static func cost(at node: Int, records: [PointRecord], served: [Event], chosen: [Int]) -> Int {
        guard let f = chosen.firstIndex(of: node) else { return 0 }
        let (point, free, noted) = decision(of: node, served)
        let lo = free ? noted + 1 : point
        let hi = served[f].decision
        // After a yield, a paid pick (the thread at the next point is one of those) costs one.
        let goesOn = free && lo < records.count && records[point].stopPaid?.contains(records[lo].thread) == true ? 1 : 0
        guard lo <= hi, hi < records.count else { return goesOn }
        return goesOn + records[lo...hi].count { $0.switchedTo != nil }
    }

    /// What an event touches, from its record: everything, the objects it uses exclusively,
    /// those it uses shared (Footprint.shared), and the thread it creates.
    static func footprint(of r: PointRecord, raceWords: [UInt32: [UInt32]])
        -> (all: Bool, objects: [UInt64], shared: [UInt64], creates: Int32?) {
        if r.label == ForkRunner.racePointLabel {
            guard let words = raceWords[r.eip] else { return (true, [], [], nil) }
            return (false, words.map { UInt64($0 & ~3) }, [], nil)
        }
        var objects: [UInt64] = []
        var shared: [UInt64] = []
        var all = false
        var creates: Int32?
        for o in r.footprint {
            if o & Footprint.sharedFlag != 0 {
                shared.append(o & ~Footprint.sharedFlag)
                continue
            }
            switch o >> 32 {
            case Footprint.everything >> 32: all = true
            case Footprint.creation >> 32: creates = Int32(truncatingIfNeeded: o & 0xFFFF_FFFF)
            case Footprint.unmapLength >> 32:
                // remove_pages: the region, and the data-race words in it (Kernel.footprint).
                if let region = r.footprint.first(where: { $0 >> 32 == Footprint.unmapping >> 32 }) {
                    let base = UInt64(region & 0xFFFF_FFFF), end = base + (o & 0xFFFF_FFFF)
                    for words in raceWords.values { for w in words where UInt64(w) >= base && UInt64(w) < end { objects.append(UInt64(w & ~3)) } }
                }
            default: objects.append(o)
            }
        }
        return (all, objects, shared, creates)
    }
}

/// The objects an event touches, as 64-bit names: a guest address (a mutex, condition,
/// semaphore, rwlock, or a data-race word) is itself; the other kinds have a tag above it.
enum Footprint {
    static func thread(_ tid: Int32) -> UInt64 { 1 << 32 | UInt64(UInt32(bitPattern: tid)) }
    static let console: UInt64 = 2 << 32
    /// Depends on everything (see PartialOrder).
    static let everything: UInt64 = 3 << 32
    /// Creates thread `tid`: its events come after this one (a vector-clock edge, not an
    /// object: the creation touches what the rest of its footprint says).
    static func creating(_ tid: Int32) -> UInt64 { creation | UInt64(UInt32(bitPattern: tid)) }
    static let creation: UInt64 = 4 << 32
    /// The tid allocator: thread_fork and fork take the next tid, so two of them reordered
    /// rename the threads they create (fork is `everything`, which includes it).
    static let tids: UInt64 = 5 << 32
    /// The number of live threads of all tasks: thread_fork reads it (it fails at
    /// Thread.limit) and raises it; a vanish that is not its task's last lowers it, shared
    /// (two such vanishes commute).
    static let liveThreads: UInt64 = 6 << 32
    /// remove_pages of the region at `base` (an object: another remove_pages or new_pages of
    /// it), with `unmapLength` its length: PartialOrder adds the data-race words inside.
    static func unmapping(_ base: UInt32) -> UInt64 { unmapping | UInt64(base) }
    static let unmapping: UInt64 = 7 << 32
    static func unmapLength(_ length: UInt32) -> UInt64 { unmapLength | UInt64(length) }
    static let unmapLength: UInt64 = 8 << 32
    /// A *shared* use of object `o`: dependent with an exclusive use of `o` by another thread,
    /// not with another shared use (updates that commute, or reads).
    static func shared(_ o: UInt64) -> UInt64 { o | sharedFlag }
    static let sharedFlag: UInt64 = 1 << 63

    /// Library entries whose first argument is the object they synchronise on.
    static let objectCalls: Set<String> = [
        "mutex_lock", "mutex_unlock", "mutex_destroy", "cond_signal", "cond_broadcast", "cond_destroy",
        "sem_wait", "sem_signal", "sem_destroy", "rwlock_lock", "rwlock_unlock", "rwlock_downgrade", "rwlock_destroy",
    ]
    /// Library entries that can wait, with the object they wait on as first argument: the
    /// library sets the flag a deschedule inside one sleeps on in a call on that object
    /// (cond_signal for cond_wait), so that deschedule touches the object (Kernel.footprint).
    static let waitingCalls: Set<String> = ["cond_wait", "sem_wait", "rwlock_lock"]
    /// Library entries that only call other points (their own effects are in those).
    static let wrappers: Set<String> = ["thr_create", "thr_join", "thr_exit", "thr_yield"]
    /// System calls with nothing shared, or only the console.
    static let local: Set<String> = ["gettid", "yield"]
    static let consoleCalls: Set<String> = ["print", "lprintf", "set_term_color", "set_cursor_pos", "get_cursor_pos", "sim_call"]

    /// Builds every name set above (ForkRunner.warmUp, before forking): a static is built on
    /// its first use in a process, and each explored run is a new process. A set added above
    /// belongs here too.
    static func buildNameSets() -> Bool {
        [objectCalls, waitingCalls, wrappers, local, consoleCalls].contains { $0.contains("") }
    }
}
