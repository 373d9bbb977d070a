/// Scheduling variations that misbehave(mode) selects, so that guests can be tested against
/// interleavings the standard policy rarely produces. The modes are documented in README.md.
struct SchedulingPolicy: Equatable {
    /// Ticks a thread may run in user mode before the timer preempts it.
    var quantum: UInt64 = 1
    /// Every trap but a page fault ends with the thread giving way (Trap.countsForYieldOnTrap).
    var yieldOnTrap = false
    /// Threads made runnable (created, woken, made_runnable) go to the front of the queue.
    var lifo = false
    /// fork and thread_fork switch to the new thread at once.
    var childFirst = false

    static let standard = SchedulingPolicy()
    static let longQuantum: UInt64 = 10

    /// The policy for misbehave `mode`; nil for an unknown mode, which leaves the policy as is.
    init?(mode: Int32) {
        guard mode >= -1 && mode <= 63 else { return nil }
        guard mode > 0 else { return }   // -1 and 0: the standard policy
        yieldOnTrap = mode & 1 != 0
        lifo = mode & 2 != 0
        quantum = mode & 4 != 0 ? SchedulingPolicy.longQuantum : 1
        childFirst = mode & 8 != 0
    }

    private init() {}
}
