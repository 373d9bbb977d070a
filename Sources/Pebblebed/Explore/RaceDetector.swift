/// Data-race preemption points (issue 15, item 3): a happens-before analysis of the guest's
/// shared-memory accesses in one run, whose racing instructions become preemption points.
///
/// How accesses are seen: in a detection run every writable page of the program is withdrawn
/// from the host, so each access faults; the fault names the address, whether it writes, and
/// the instruction. The kernel carries the instruction out itself when it is a simple one
/// (AccessEmulation), or shows the page, steps that one instruction and withdraws the page
/// again (Kernel+Races.swift). Accesses near the thread's own stack pointer are not tracked
/// (a thread's own frame is not shared), nor are accesses made by the thread library itself:
/// its calls are the synchronisation.
///
/// Happens-before (vector clocks, as in FastTrack/Landslide, without its optimisations):
/// - a release (mutex_unlock, sem_signal, cond_signal, cond_broadcast, rwlock_unlock, cond_wait
///   of its mutex, make_runnable of a thread, a thread's exit) joins the thread's clock into
///   the object's and ticks the thread;
/// - an acquire (mutex_lock, sem_wait, rwlock_lock, cond_wait, deschedule, thr_join) is taken
///   at the thread's next tracked access or point after the call's entry, when the call has
///   done its work: by then the object's clock holds its last release before the acquire;
///   a later release folded in too would only hide a race, never invent one;
/// - a new thread starts with its creator's clock at thread_fork.
/// A word is an address in one task's memory (`taskOf`): tasks share no memory (a forked
/// child's pages are copies; copy-on-write shares only what neither writes), so the same
/// address in a parent and its forked child is two words. Keyed by address alone, their
/// accesses after the fork raced: exec_args's memcpy in parent and child became a point,
/// and a child that exec'd the program again then dropped it from the planted table
/// (ProgramLoader), so the parent died on its int3.
/// Two accesses to one word by different threads, at least one a write, with neither before
/// the other, are a race; both instructions become points. So do the program's own atomic
/// instructions on a word more than one thread uses atomically (`sharedAtomics`): they order
/// the threads, so they never race, but they are its synchronisation, and a bug in a lock the
/// program builds from them (race_broken_lock: a test-then-set whose critical section is
/// counted with atomic adds) needs a switch between two of them, where no other point is. CHESS
/// makes every interlocked operation a scheduling point for the same reason.
final class RaceDetector {
    typealias Clock = [Int32: UInt32]

    struct Access {
        let thread: Int32
        let time: UInt32
        let eip: UInt32
    }

    private var clocks: [Int32: Clock] = [:]
    private var objects: [String: Clock] = [:]
    private var pendingAcquires: [Int32: [String]] = [:]
    /// The clocks of threads about to be created, by the tid they will get.
    private var forkClocks: [Int32: Clock] = [:]
    /// By word: the task's id in the high half, the address in the low (`key`).
    private var lastWrite: [UInt64: Access] = [:]
    private var reads: [UInt64: [Access]] = [:]
    /// Racing instruction pairs found, in the order found.
    private(set) var races: [(UInt32, UInt32, UInt32)] = []   // (address, first eip, second eip)
    private var racingPairs: Set<UInt64> = []
    /// The program's atomic instructions by word, and the threads that used the word atomically.
    private struct AtomicSites {
        var threads: Set<Int32> = []
        var eips: [UInt32] = []
    }
    private var atomicSites: [UInt64: AtomicSites] = [:]

    /// The program's atomic instructions on words more than one thread used atomically, with
    /// their words: preemption points, like racing instructions.
    var sharedAtomics: [(word: UInt32, eip: UInt32)] {
        atomicSites.filter { $0.value.threads.count > 1 }.sorted { $0.key < $1.key }
            .flatMap { w in w.value.eips.map { (word: UInt32(truncatingIfNeeded: w.key), eip: $0) } }
    }
    /// Code of the thread library: accesses there are synchronisation, not data.
    let isLibrary: (UInt32) -> Bool
    /// Tracked accesses so far.
    private(set) var accesses = 0
    /// The kernel's side (Kernel+Races.swift): faults it took for watched accesses (the
    /// thread library's and atomic ones too), and how many of those it carried out itself
    /// (AccessEmulation) instead of stepping them.
    var faults = 0
    var emulated = 0

    /// The task a thread belongs to (whose memory its addresses name).
    let taskOf: (Int32) -> Int32

    init(isLibrary: @escaping (UInt32) -> Bool, taskOf: @escaping (Int32) -> Int32 = { _ in 0 }) {
        self.isLibrary = isLibrary
        self.taskOf = taskOf
    }

    /// The word at `address` in the memory of thread `t`'s task.
    private func key(_ t: Int32, _ address: UInt32) -> UInt64 {
        UInt64(UInt32(bitPattern: taskOf(t))) << 32 | UInt64(address & ~3)
    }

    /// The racing instructions, each once.
    var racingInstructions: [UInt32] {
        var seen = Set<UInt32>(), out: [UInt32] = []
        for (_, a, b) in races {
            for e in [a, b] where seen.insert(e).inserted { out.append(e) }
        }
        return out
    }

    private func clock(_ t: Int32) -> Clock {
        if let c = clocks[t] { return c }
        var c = forkClocks.removeValue(forKey: t) ?? [:]
        c[t] = (c[t] ?? 0) + 1
        clocks[t] = c
        return c
    }

    private static func join(_ a: inout Clock, _ b: Clock) {
        for (k, v) in b where (a[k] ?? 0) < v { a[k] = v }
    }

    func release(_ t: Int32, _ object: String) {
        var c = clock(t)
        var o = objects[object] ?? [:]
        RaceDetector.join(&o, c)
        objects[object] = o
        c[t] = (c[t] ?? 0) + 1
        clocks[t] = c
    }

    func acquireLater(_ t: Int32, _ object: String) {
        pendingAcquires[t, default: []].append(object)
    }

    /// Takes the thread's pending acquires (at a point or a tracked access).
    func settle(_ t: Int32) {
        guard let pending = pendingAcquires.removeValue(forKey: t) else { return }
        var c = clock(t)
        for o in pending { if let oc = objects[o] { RaceDetector.join(&c, oc) } }
        clocks[t] = c
    }

    func threadWillFork(_ t: Int32, childTid: Int32) {
        settle(t)
        forkClocks[childTid] = clock(t)
        release(t, "fork \(childTid)")
    }

    /// An atomic read-modify-write of the word at `address` by the program's instruction at
    /// `eip` (a spinlock's exchange, an atomic add): it orders the threads that use the word,
    /// as a lock would.
    func atomic(_ t: Int32, address: UInt32, eip: UInt32) {
        let word = key(t, address)
        var site = atomicSites[word] ?? AtomicSites()
        site.threads.insert(t)
        if !site.eips.contains(eip) { site.eips.append(eip) }
        atomicSites[word] = site
        settle(t)
        var c = clock(t)
        if let o = objects["atomic \(word)"] { RaceDetector.join(&c, o) }
        clocks[t] = c
        release(t, "atomic \(word)")
    }

    /// A tracked access of the word at `address`.
    func access(_ t: Int32, address: UInt32, write: Bool, eip: UInt32) {
        guard !isLibrary(eip) else { return }
        accesses += 1
        settle(t)
        let c = clock(t)
        let word = key(t, address)
        let now = Access(thread: t, time: c[t] ?? 0, eip: eip)
        func before(_ a: Access) -> Bool { a.thread == t || a.time <= (c[a.thread] ?? 0) }
        if let w = lastWrite[word], !before(w) { found(address & ~3, w.eip, eip) }
        if write {
            for r in reads[word] ?? [] where !before(r) { found(address & ~3, r.eip, eip) }
            lastWrite[word] = now
            reads[word] = nil
        } else {
            var rs = reads[word] ?? []
            rs.removeAll { $0.thread == t }
            rs.append(now)
            reads[word] = rs
        }
    }

    /// The kernel's read of *reject at a deschedule the program makes: an access of the word
    /// by that thread, so that a write racing with it is found and becomes a point (the
    /// deschedule's footprint has the word, PartialOrder's assumption needs the writes ordered
    /// or seen). It has no instruction to become a point of its own (the deschedule is one
    /// already): a race with it names the writing instruction on both sides.
    func kernelRead(_ t: Int32, address: UInt32) {
        access(t, address: address, write: false, eip: RaceDetector.kernel)
        // An unaligned word spans two (so does the deschedule's footprint).
        if address & 3 != 0 { access(t, address: address &+ 3, write: false, eip: RaceDetector.kernel) }
    }
    static let kernel: UInt32 = 0

    /// The kernel's unmapping of [base, base+length) at a remove_pages by thread `t`: a write
    /// of every word there that the run has seen accessed, so that an access by another thread
    /// not ordered before it is a race, and its instruction a point (the remove_pages is one
    /// already). explore_exit_use: the consumer's read through a pointer into the producer's
    /// stack races with thr_join's remove_pages of that stack. It is what lets remove_pages'
    /// footprint be the words of its region (Kernel.footprint, PartialOrder.footprint) instead
    /// of everything.
    func kernelUnmap(_ t: Int32, base: UInt32, length: UInt32) {
        let task = UInt64(UInt32(bitPattern: taskOf(t))) << 32
        let lo = task | UInt64(base), hi = task | (UInt64(base) + UInt64(length))
        let words = Set(lastWrite.keys.filter { $0 >= lo && $0 < hi }).union(reads.keys.filter { $0 >= lo && $0 < hi })
        for w in words.sorted() { access(t, address: UInt32(truncatingIfNeeded: w), write: true, eip: RaceDetector.kernel) }
    }

    private func found(_ word: UInt32, _ a: UInt32, _ b: UInt32) {
        let (a, b) = (a == RaceDetector.kernel ? b : a, b == RaceDetector.kernel ? a : b)
        let key = UInt64(min(a, b)) << 32 | UInt64(max(a, b))
        guard racingPairs.insert(key).inserted else { return }
        races.append((word, a, b))
    }
}
