/// The run queue, the scheduler loop and the switches between threads' kernel contexts.
/// The kernel is not preemptible, so nothing here needs a lock: interrupts are signals, and one
/// that arrives while kernel code runs only notes itself; it is taken on the way out to a guest
/// or in idle.
///
/// As in xv6, the scheduler has a kernel context of its own (the boot stack): a thread gives
/// up the CPU by switching to it (`sched`), and its loop (`run`) picks the next thread and
/// switches to that thread's context. A thread that ends returns from its kernel loop, so its
/// stack holds no frames, and the scheduler lets it go once it is no longer running on it.
public final class Scheduler {
    public internal(set) var current: Thread?
    /// The scheduler's own context: the boot stack, from `run` on.
    let context = KernelContext()
    var runQueue = ThreadQueue()
    /// Sleeping threads ordered by wake-up tick (ties in arrival order).
    let sleepers = WaitQueue("sleep")
    /// A timer tick asked for a switch at the next return to user mode.
    var preemptPending = false
    /// The tick at which the current thread got the CPU; its quantum runs from here.
    var sliceStart: UInt64 = 0
    /// A new quantum begins at the next return to user mode (see enterUser).
    var sliceArmed = true
    /// What misbehave selected (see README.md).
    var policy = SchedulingPolicy.standard
    /// The tick count the kernel last looked at (every timer interrupt, idle wakeup and seeded
    /// entry). A quantum starts from it: the same floor of the clock that reading the clock
    /// would give, without a clock_gettime on every switch (the yield path is hot).
    var lastTick: UInt64 = 0
    /// What idle does between interrupts: serves devices and timers, halts when no task is
    /// left; set by the kernel.
    var idleHook: () -> Void = {}
    /// Under a schedule, the thread to run instead of the run queue's head when the one that
    /// ran stopped (a schedule's free choice, PointController.freeDecision): the kernel takes
    /// it off the queue. Nil: the head runs. Set by the kernel.
    var pickHook: (() -> Thread?)?
    /// The machine whose CPU this schedules (idle waits on it; seeded runs set its step
    /// budget); set at boot.
    var machine: Machine!
    /// Seeded chaos for stress runs; nil for normal FIFO round-robin.
    public var chaos: Chaos?
    /// Records switches, blocking and waking for `--trace` (or the monitor's `trace start`).
    /// A trace that begins while a thread runs begins with that thread's run slice.
    var trace: Trace? {
        didSet { if let trace, trace !== oldValue, let current { trace.running(current) } }
    }

    init() {}

    /// The scheduler loop, on the boot stack for the rest of the run: picks the next runnable
    /// thread (idling until there is one), gives it the CPU, and takes the CPU back when the
    /// thread blocks, yields or ends. The machine stops from inside (halt), never here.
    func run() -> Never {
        while true {
            let next = nextThread()
            install(next)
            trace?.running(next)
            context.switchTo(next.context)
            // `next` gave the CPU back (sched). If it ended, its kernel loop has returned and
            // this loop's `next` is the last reference to it: its stack goes with it.
            trace?.stopped()   // its run slice ends here, not at the next switch: idle is no run
            current = nil
        }
    }

    /// Gives the CPU back to the scheduler loop; returns when the loop picks this thread again.
    /// The caller has set the thread's new state (runnable and queued, blocked, descheduled).
    private func sched() {
        current!.context.switchTo(context)
    }

    /// Puts a thread that could not run (new, blocked, descheduled) on the run queue: at the
    /// back, or at the front under the LIFO policy.
    public func makeRunnable(_ t: Thread) {
        kernelAssert(t.state != .running && t.state != .exited && t.waitingIn == nil,
                     "makeRunnable of thread \(t.tid) in \(t.state)")
        t.state = .runnable
        if policy.lifo { runQueue.prepend(t) } else { runQueue.append(t) }
        trace?.woken(t)
    }

    /// Blocks the current thread in `queue` until `wake` takes it out (`before`: see
    /// WaitQueue.enqueue).
    func block(in queue: WaitQueue, before: ((Thread) -> Bool)? = nil) {
        let t = current!
        queue.enqueue(t, before: before)
        t.waitingIn = queue
        t.state = .blocked
        trace?.blocked(t, in: queue.name)
        sched()
    }

    /// Makes a blocked thread runnable, taking it out of the queue it waits in.
    func wake(_ t: Thread) {
        guard let queue = t.waitingIn else { return }
        queue.remove(t)
        t.waitingIn = nil
        makeRunnable(t)
    }

    /// Wakes the first `n` threads of `queue`, front first.
    func wake(first n: Int, of queue: WaitQueue) {
        for t in queue.dequeue(n) {
            t.waitingIn = nil
            makeRunnable(t)
        }
    }

    /// Stops the current thread until make_runnable.
    public func deschedule() {
        current!.state = .descheduled
        sched()
    }

    /// Gives the CPU to the next runnable thread, if there is one; the caller goes to the back
    /// of the queue (under every policy, or giving way would be a no-op).
    public func yield() {
        guard !runQueue.isEmpty else {
            renewSlice()   // nobody to give way to: the caller runs on with a fresh quantum
            return
        }
        current!.state = .runnable
        runQueue.append(current!)
        sched()
    }

    /// Makes runnable `target` the next thread to run: yield() then gives it the CPU.
    public func moveToFront(_ target: Thread) {
        kernelAssert(target.state == .runnable, "moveToFront of thread \(target.tid) in \(target.state)")
        runQueue.remove(target)
        runQueue.prepend(target)
    }

    /// The current thread has ended: it is no longer runnable and never will be. Its kernel
    /// loop returns next, and its context exits to the scheduler loop.
    func retire(_ t: Thread) {
        t.state = .exited
    }

    /// A timer tick: wakes the sleepers whose tick has come and ends the current quantum if it
    /// is used up. The switch itself happens on the way back to user mode.
    func tick(now: UInt64) {
        wakeSleepers(now: now)
        if !sliceArmed && now >= sliceStart + policy.quantum { preemptPending = true }
    }

    /// A soft-TLB fill (a page the thread had, withdrawn by the switch that brought it in)
    /// restarts the current quantum from the next tick: the thread keeps the CPU for at least
    /// one whole tick after its last refill. A switch withdraws every page of the outgoing task,
    /// so a thread comes back to refill its working set, and refills are host signals: a
    /// thread that needed more refills than fit in a tick before reaching its next system call
    /// was preempted each time, its pages withdrawn again by the next switch, and it never got
    /// there (at --hz 10000 in a debug build, `segments` with two tasks that yield to each
    /// other and write one of 64 pages each round made no progress for minutes; the same holds
    /// in any build for a working set large enough). Refills are bounded by the pages the task
    /// has, so a thread cannot keep the CPU this way for longer than one pass over them.
    func restartSlice(now: UInt64) {
        guard !sliceArmed else { return }
        sliceStart = now + 1
    }

    /// Whether the thread about to return to user mode should first give way: its quantum
    /// ended, or (yield-on-every-trap policy) it just trapped (Trap.countsForYieldOnTrap).
    /// Clears the request.
    func shouldGiveWay(after trap: Trap) -> Bool {
        defer { preemptPending = false }
        return preemptPending || (trap.countsForYieldOnTrap && policy.yieldOnTrap)
    }

    /// Puts the current thread to sleep until `tick`.
    public func sleep(until tick: UInt64) {
        current!.wakeTick = tick
        block(in: sleepers) { $0.wakeTick > tick }
    }

    /// Wakes every sleeper whose tick has come, earliest first.
    func wakeSleepers(now: UInt64) {
        if now > lastTick { lastTick = now }
        var n = 0
        while n < sleepers.count && sleepers.threads[n].wakeTick <= now { n += 1 }
        if n > 0 { wake(first: n, of: sleepers) }
    }

    /// The thread to run next: the head of the run queue, a seeded choice under chaos, or a
    /// schedule's free choice (pickHook). Idles until some thread is runnable.
    private func nextThread() -> Thread {
        while runQueue.isEmpty { idle() }
        if let t = pickHook?() { return t }
        return chaos != nil ? runQueue.remove(at: chaos!.pick(runQueue.count)) : runQueue.removeFirst()
    }

    private func idle() {
        // Seeded runs have no timer: virtual time jumps to the first sleeper's tick.
        if chaos != nil, let first = sleepers.first {
            let now = chaos!.ticks
            if first.wakeTick > now { chaos!.idleTicks += first.wakeTick - now }
            idleHook()
            return
        }
        // Interrupts that arrive in kernel code only note themselves; idleHook serves the notes
        // and waitForInterrupt sleeps only while none is pending (it blocks the signals between
        // its look and the wait), so no wakeup is lost between the check and the wait.
        idleHook()
        if runQueue.isEmpty { machine.waitForInterrupt() }
        idleHook()
    }

    /// Makes `next` the running thread: its state, its address space and a fresh quantum.
    private func install(_ next: Thread) {
        next.state = .running
        current = next
        renewSlice()
        memory.activate(next.task.space)
    }

    /// A fresh quantum for the current thread (and, in seeded runs, a fresh instruction budget:
    /// without one, instructions would stop being counted and virtual time would stand still).
    private func renewSlice() {
        sliceArmed = true
        if chaos != nil { machine.stepBudget = chaos!.newBudget() }
    }

    /// Called right before the guest resumes: a fresh quantum counts guest time from here, not
    /// from the switch, so the kernel work of a switch (withdrawing the outgoing task's pages,
    /// refaulting) is not charged to the incoming thread. Charged, a tick pending from that
    /// work preempted the thread before its first instruction, and at a high --hz two tasks
    /// livelocked that way.
    ///
    /// `lastTick` is only as new as the last interrupt the kernel served. When the timer's
    /// note is pending here, a tick came during the switch and `lastTick` is at least one tick
    /// old: the quantum then starts from the clock (`now`, read only in that case, so the
    /// yield path pays no clock read). Started from the stale tick, the pending note, served
    /// as the guest's first trap, found the quantum used up and preempted the thread before
    /// its first instruction: with a switch slower than a tick (a debug build at --hz 10000,
    /// two tasks yielding to each other) every switch went that way and no guest instruction
    /// ever ran (`segments` hung in 3 of 8 runs).
    func enterUser(now: @autoclosure () -> UInt64) {
        guard sliceArmed else { return }
        if machine.timerInterruptPending {
            let t = now()
            if t > lastTick { lastTick = t }
        }
        sliceStart = lastTick
        sliceArmed = false
    }
}

/// The run queue: a FIFO of threads with a front door (the LIFO policy, moveToFront), linked
/// through the threads themselves (`Thread.runNext`/`runPrev`). Every operation the yield path
/// uses (append, prepend, removeFirst, remove of a given thread) touches only that thread and
/// its neighbours, so a yield costs the same with 2 or 4,000 runnable threads. (It was an array:
/// a directed yield scanned it for the target and shifted every slot behind it, and a prepend
/// with no free slot in front shifted all of them; a directed yield to a thread at the back of
/// a long queue cost O(n).) Only a seeded run's pick (`remove(at:)`) walks the list, which is
/// cheap beside the single-stepping those runs do.
/// The links are strong and cleared when a thread leaves the queue, so a queued thread is held
/// by the queue; a thread is in at most one ThreadQueue (there is one: the run queue). The
/// links live in the threads, so a copy of the struct is not a second queue: never mutate one.
struct ThreadQueue {
    private(set) var first: Thread?
    private var last: Thread?
    private(set) var count = 0
    var isEmpty: Bool { first == nil }

    mutating func append(_ t: Thread) {
        kernelAssert(!t.isQueued, "thread \(t.tid) queued twice")
        t.isQueued = true
        t.runPrev = last
        if let l = last { l.runNext = t } else { first = t }
        last = t
        count += 1
    }

    mutating func prepend(_ t: Thread) {
        kernelAssert(!t.isQueued, "thread \(t.tid) queued twice")
        t.isQueued = true
        t.runNext = first
        if let f = first { f.runPrev = t } else { last = t }
        first = t
        count += 1
    }

    mutating func removeFirst() -> Thread {
        let t = first!
        unlink(t)
        return t
    }

    /// Removes the thread `offset` places from the front (a seeded pick: walks the list).
    mutating func remove(at offset: Int) -> Thread {
        kernelAssert(offset >= 0 && offset < count, "run queue pick \(offset) of \(count)")
        var t = first!
        for _ in 0..<offset { t = t.runNext! }
        unlink(t)
        return t
    }

    /// Takes `t` out of the queue; nothing happens if it is not queued.
    mutating func remove(_ t: Thread) {
        if t.isQueued { unlink(t) }
    }

    private mutating func unlink(_ t: Thread) {
        if let p = t.runPrev { p.runNext = t.runNext } else { first = t.runNext }
        if let n = t.runNext { n.runPrev = t.runPrev } else { last = t.runPrev }
        t.runNext = nil
        t.runPrev = nil
        t.isQueued = false
        count -= 1
    }

    /// The queued threads, front first (for audits).
    var all: [Thread] {
        var out: [Thread] = []
        out.reserveCapacity(count)
        var t = first
        while let x = t {
            out.append(x)
            t = x.runNext
        }
        return out
    }
}
