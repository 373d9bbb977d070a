import CShims

/// The run queue and the switch between threads' kernel contexts. The kernel is not
/// preemptible, so nothing here needs a lock: interrupts are signals, and one that arrives while
/// kernel code runs only notes itself; it is taken on the way out to a guest or in idle.
public final class Scheduler {
    public internal(set) var current: Thread!
    var runQueue = ThreadQueue()
    /// Sleeping threads ordered by wake-up tick (ties in arrival order).
    var sleepers: [Thread] = []
    /// Threads that exited whose kernel stacks are freed once another stack runs.
    var dead: [Thread] = []
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
    /// Hook for idle: services devices (keyboard input, end of input) and says whether any
    /// event could still wake a thread; set by the kernel.
    var idleHook: () -> Void = {}
    /// Seeded chaos for stress runs; nil for normal FIFO round-robin.
    public var chaos: Chaos?
    /// Records switches, blocking and waking for `--trace`.
    var trace: Trace?

    init() {}

    /// Puts a thread that could not run (new, blocked, descheduled) on the run queue: at the
    /// back, or at the front under the LIFO policy.
    public func makeRunnable(_ t: Thread) {
        precondition(t.state != .running && t.state != .exited, "makeRunnable of \(t.tid) in \(t.state)")
        t.state = .runnable
        if policy.lifo { runQueue.prepend(t) } else { runQueue.append(t) }
        trace?.instant("wake", thread: t)
    }

    /// Blocks the current thread until someone makes it runnable.
    public func block(_ reason: Thread.BlockReason) {
        current.state = .blocked(reason)
        trace?.instant("block \(reason)", thread: current)
        switchAway()
    }

    /// Stops the current thread until make_runnable.
    public func deschedule() {
        current.state = .descheduled
        switchAway()
    }

    /// Gives the CPU to the next runnable thread, if there is one; the caller goes to the back
    /// of the queue (under every policy, or giving way would be a no-op).
    public func yield() {
        guard !runQueue.isEmpty else {
            renewSlice()   // nobody to give way to: the caller runs on with a fresh quantum
            return
        }
        requeueCurrent()
        switchAway()
    }

    /// Makes runnable `target` the next thread to run: yield() then gives it the CPU.
    public func moveToFront(_ target: Thread) {
        precondition(target.state == .runnable, "moveToFront of \(target.tid) in \(target.state)")
        runQueue.remove(target)
        runQueue.prepend(target)
    }

    /// The running thread goes back on the run queue: it is not blocked, it gives way.
    private func requeueCurrent() {
        current.state = .runnable
        runQueue.append(current)
    }

    /// A timer tick: wakes the sleepers whose tick has come and ends the current quantum if it
    /// is used up. The switch itself happens on the way back to user mode.
    func tick(now: UInt64) {
        wakeSleepers(now: now)
        if !sliceArmed && now &- sliceStart >= policy.quantum { preemptPending = true }
    }

    /// Whether the thread about to return to user mode should first give way: its quantum
    /// ended, or (yield-on-every-trap policy) it just trapped (Trap.countsForYieldOnTrap).
    /// Clears the request.
    func shouldGiveWay(afterTrap: Bool) -> Bool {
        defer { preemptPending = false }
        return preemptPending || (afterTrap && policy.yieldOnTrap)
    }

    /// Puts the current thread to sleep until `tick`.
    public func sleep(until tick: UInt64) {
        let t = current!
        t.wakeTick = tick
        let i = sleepers.firstIndex { $0.wakeTick > tick } ?? sleepers.count
        sleepers.insert(t, at: i)
        block(.sleep)
    }

    /// Wakes every sleeper whose tick has come, earliest first.
    func wakeSleepers(now: UInt64) {
        if now > lastTick { lastTick = now }
        var n = 0
        while n < sleepers.count && sleepers[n].wakeTick <= now { n += 1 }
        guard n > 0 else { return }
        for t in sleepers[0..<n] { makeRunnable(t) }
        sleepers.removeFirst(n)
    }

    func removeSleeper(_ t: Thread) {
        sleepers.removeAll { $0 === t }
    }

    /// Switches to the next runnable thread, idling until there is one. The incoming thread
    /// is not held by this frame while it runs: a reference from a suspended stack would keep
    /// an exited thread alive until this thread resumes.
    func switchAway() {
        waitForRunnable()
        let prev = current!
        let sp = installNext()
        guard current !== prev else { return }
        trace?.switched(from: prev, to: current)
        pb_context_switch(&prev.kernelSP, sp)
        finishSwitch()
    }

    private func waitForRunnable() {
        while runQueue.isEmpty { idle() }
    }

    private func idle() {
        // Seeded runs have no timer: virtual time jumps to the first sleeper's tick.
        if chaos != nil, runQueue.isEmpty, let first = sleepers.first {
            let now = chaos!.ticks
            if first.wakeTick > now { chaos!.idleTicks += first.wakeTick - now }
            idleHook()
            return
        }
        // Interrupts that arrive in kernel code only note themselves; idleHook serves the notes
        // and pb_idle_wait sleeps only while none is pending (it blocks the signals between its
        // look and sigsuspend), so no wakeup is lost between the check and the wait.
        idleHook()
        if runQueue.isEmpty { pb_idle_wait() }
        idleHook()
    }

    /// Makes `next` the running thread: its state, its address space, its trap frame and
    /// kernel stack for the trap handler, and a fresh quantum.
    private func install(_ next: Thread) {
        next.state = .running
        current = next
        renewSlice()
        memory.activate(next.task.space)
        pb_set_current(next.frame, next.stack.top)
    }

    /// A fresh quantum for the current thread (and, in seeded runs, a fresh instruction budget:
    /// without one, instructions would stop being counted and virtual time would stand still).
    private func renewSlice() {
        sliceArmed = true
        chaos?.newBudget()
    }

    /// Called right before the guest resumes: a fresh quantum counts guest time from here, not
    /// from the switch, so the kernel work of a switch (withdrawing the outgoing task's pages,
    /// refaulting) is not charged to the incoming thread. Charged, a tick pending from that
    /// work preempted the thread before its first instruction, and at a high --hz two tasks
    /// livelocked that way.
    func enterUser() {
        guard sliceArmed else { return }
        sliceStart = lastTick
        sliceArmed = false
    }

    /// Runs on the incoming thread's stack after every switch: the outgoing dead threads'
    /// stacks are no longer in use and can go.
    func finishSwitch() {
        if !dead.isEmpty {
            dead.removeAll { $0 !== current }
        }
    }
}

/// Leaving a kernel context for good (an exited thread's stack, the boot stack). Such a stack
/// is abandoned in the middle of its calls, so a strong reference held by any frame on it would
/// never be released and its object would leak: every step that touches objects runs in a
/// function that returns before the switch, and the switch itself carries only raw pointers.
extension Scheduler {
    /// The current thread has ended: switch away for good.
    func exitCurrent() -> Never {
        retireCurrent()
        leaveForGood(tracing: true)
    }

    /// Runs the first runnable thread from the boot stack.
    func start() -> Never {
        leaveForGood(tracing: false)
    }

    private func retireCurrent() {
        current.state = .exited
        dead.append(current)
    }

    private func leaveForGood(tracing fromCurrent: Bool) -> Never {
        waitForRunnable()
        let sp = installNext()
        traceSwitch(fromPrevious: fromCurrent)
        var abandoned: UnsafeMutableRawPointer? = nil
        pb_context_switch(&abandoned, sp)
        fatalError("an abandoned kernel context was resumed")
    }

    /// Makes the next thread current (the head of the run queue, or a seeded choice under
    /// chaos); returns its saved kernel stack pointer.
    fileprivate func installNext() -> UnsafeMutableRawPointer? {
        let next = chaos != nil ? runQueue.remove(at: chaos!.pick(runQueue.count)) : runQueue.removeFirst()
        install(next)
        return next.kernelSP
    }

    /// Records the switch into the current thread, from the exited one (last in `dead`).
    private func traceSwitch(fromPrevious: Bool) {
        guard let trace else { return }
        trace.switched(from: fromPrevious ? dead.last : nil, to: current)
    }
}

/// A FIFO of threads (with a front door for the LIFO policy). Slots before `head` are
/// cleared, so a dequeued thread is not kept alive by the queue.
struct ThreadQueue {
    private var items: [Thread?] = []
    private var head = 0
    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }

    mutating func append(_ t: Thread) { items.append(t) }

    mutating func prepend(_ t: Thread) {
        if head > 0 {
            head -= 1
            items[head] = t
        } else {
            items.insert(t, at: 0)
        }
    }

    mutating func removeFirst() -> Thread {
        let t = items[head]!
        items[head] = nil
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return t
    }

    /// Removes the thread `offset` places from the front.
    mutating func remove(at offset: Int) -> Thread {
        items.remove(at: head + offset)!
    }

    mutating func remove(_ t: Thread) {
        if let i = items[head...].firstIndex(where: { $0 === t }) { items.remove(at: i) }
    }

    func contains(_ t: Thread) -> Bool { items[head...].contains { $0 === t } }

    /// The queued threads, front first (for audits).
    var all: [Thread] { items[head...].map { $0! } }
}
