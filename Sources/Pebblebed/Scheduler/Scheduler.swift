import CShims

/// The run queue and the switch between threads' kernel contexts. The kernel is not
/// preemptible, so nothing here needs a lock: interrupts are signals and stay blocked while
/// kernel code runs (they are only taken in idle, inside sigsuspend).
public final class Scheduler {
    public internal(set) var current: Thread!
    var runQueue = ThreadQueue()
    /// Sleeping threads ordered by wake-up tick (ties in arrival order).
    var sleepers: [Thread] = []
    /// Threads that exited whose kernel stacks are freed once another stack runs.
    var dead: [Thread] = []
    /// A timer tick asked for a switch at the next return to user mode.
    var preemptPending = false
    /// Hook for idle: services devices (keyboard input, end of input) and says whether any
    /// event could still wake a thread; set by the kernel.
    var idleHook: () -> Void = {}
    /// Seeded chaos for stress runs; nil for normal FIFO round-robin.
    public var chaos: Chaos?
    /// Records switches, blocking and waking for `--trace`.
    var trace: Trace?

    init() {}

    public func makeRunnable(_ t: Thread) {
        precondition(t.state != .running && t.state != .exited, "makeRunnable of \(t.tid) in \(t.state)")
        t.state = .runnable
        runQueue.append(t)
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

    /// Gives the CPU to the next runnable thread, if there is one.
    public func yield() {
        guard !runQueue.isEmpty else { return }
        requeueCurrent()
        switchAway()
    }

    /// Gives the CPU to `target`, which must be runnable.
    public func yield(to target: Thread) {
        precondition(target.state == .runnable)
        runQueue.remove(target)
        requeueCurrent()
        switchTo(target)
    }

    /// The running thread goes to the back of the run queue (it stays current until the switch).
    private func requeueCurrent() {
        current.state = .runnable
        runQueue.append(current)
    }

    /// Puts the current thread to sleep until `tick`.
    public func sleep(until tick: UInt64) {
        let t = current!
        t.wakeTick = tick
        let i = sleepers.firstIndex { $0.wakeTick > tick } ?? sleepers.count
        sleepers.insert(t, at: i)
        block(.sleep)
    }

    /// Wakes every sleeper whose tick has come.
    func wakeSleepers(now: UInt64) {
        var n = 0
        while n < sleepers.count && sleepers[n].wakeTick <= now { n += 1 }
        guard n > 0 else { return }
        for t in sleepers[0..<n] { makeRunnable(t) }
        sleepers.removeFirst(n)
    }

    func removeSleeper(_ t: Thread) {
        sleepers.removeAll { $0 === t }
    }

    /// The current thread has ended: switch away for good.
    func exitCurrent() -> Never {
        current.state = .exited
        dead.append(current)
        switchAway()
        fatalError("an exited thread was resumed")
    }

    /// Switches to the next runnable thread, idling until there is one.
    func switchAway() {
        while runQueue.isEmpty {
            idle()
        }
        if chaos != nil {
            let i = chaos!.pick(runQueue.count)
            switchTo(runQueue.remove(at: i))
        } else {
            switchTo(runQueue.removeFirst())
        }
    }

    private func idle() {
        // Seeded runs have no timer: virtual time jumps to the first sleeper's tick.
        if chaos != nil, runQueue.isEmpty, let first = sleepers.first {
            let now = chaos!.ticks
            if first.wakeTick > now { chaos!.idleTicks += first.wakeTick - now }
            idleHook()
            return
        }
        // Interrupts arrive only inside pb_idle_wait (sigsuspend); whatever they signalled is
        // looked at before waiting again, so no wakeup is lost between the check and the wait.
        idleHook()
        if runQueue.isEmpty { pb_idle_wait() }
        idleHook()
    }

    func switchTo(_ next: Thread) {
        let prev = current!
        next.state = .running
        current = next
        chaos?.newBudget()
        guard prev !== next else { return }
        trace?.switched(from: prev, to: next)
        memory.activate(next.task.space)
        pb_set_current(next.frame, next.stack.top)
        pb_context_switch(&prev.kernelSP, next.kernelSP)
        finishSwitch()
    }

    /// Runs on the incoming thread's stack after every switch: the outgoing dead threads'
    /// stacks are no longer in use and can go.
    func finishSwitch() {
        if !dead.isEmpty {
            dead.removeAll { $0 !== current }
        }
    }

    /// The first thread of the machine starts running on the boot stack's behalf.
    func start(_ first: Thread) -> Never {
        current = first
        first.state = .running
        chaos?.newBudget()
        trace?.switched(from: nil, to: first)
        memory.activate(first.task.space)
        pb_set_current(first.frame, first.stack.top)
        var bootSP: UnsafeMutableRawPointer? = nil
        pb_context_switch(&bootSP, first.kernelSP)
        fatalError("returned to the boot stack")
    }
}

/// A FIFO of threads.
struct ThreadQueue {
    private var items: [Thread] = []
    private var head = 0
    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }

    mutating func append(_ t: Thread) { items.append(t) }

    mutating func removeFirst() -> Thread {
        let t = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return t
    }

    mutating func remove(at offset: Int) -> Thread {
        items.remove(at: head + offset)
    }

    mutating func remove(_ t: Thread) {
        if let i = items[head...].firstIndex(where: { $0 === t }) { items.remove(at: i) }
    }

    func contains(_ t: Thread) -> Bool { items[head...].contains { $0 === t } }
}
