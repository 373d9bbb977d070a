/// A guest thread: its saved user state (trap frame), its kernel context (a kernel stack on
/// which its kernel loop runs) and its place in the scheduler.
public final class Thread {
    public enum State: Equatable {
        case runnable, running
        /// Stopped by deschedule until make_runnable.
        case descheduled
        /// Waiting in a wait queue (sleep, wait, keyboard) until woken.
        case blocked
        case exited
    }

    public let tid: Int32
    /// Strong: an orphan whose adopter is gone is kept alive by its threads alone. The cycle
    /// with `Task.threads` is broken when the thread leaves the task.
    public let task: Task
    public internal(set) var state: State = .runnable
    /// Saved user registers and FPU state; the trap path writes it.
    let frame: TrapFrame
    /// Where this thread's kernel loop runs; its first switch-in starts `Kernel.threadLoop`.
    let context: KernelContext
    /// The wait queue the thread is blocked in, so an exit can take it out of whatever it
    /// waits for (Scheduler/WaitQueue.swift).
    var waitingIn: WaitQueue?
    /// Its links in the run queue while it is queued (Scheduler/Scheduler.swift, ThreadQueue):
    /// the queue is linked through its threads so that taking one out costs the same at any
    /// place in it.
    var runNext: Thread?
    var runPrev: Thread?
    var isQueued = false
    /// Tick at which a sleeping thread wakes.
    var wakeTick: UInt64 = 0
    /// Registered software exception handler (swexn).
    var swexn: SwexnRegistration?
    /// Set by vanish, task_vanish and kills: the thread's kernel loop ends before it runs the
    /// guest again.
    var mustExit = false

    /// A thread whose kernel loop returns to `scheduler`'s context when it ends.
    init(tid: Int32, task: Task, scheduler: Scheduler) throws(PebblesError) {
        // Bare thread_fork children need no guest memory, so without a limit a thread bomb
        // would only stop when the host ran out of mappings for kernel stacks (and then could
        // not map guest pages either: a panic).
        guard Thread.alive < Thread.limit else { throw .noMemory }
        self.tid = tid
        self.task = task
        frame = try TrapFrame()
        context = try KernelContext(entry: threadEntry, exit: scheduler.context)
        Thread.alive += 1
    }

    /// Thread objects in existence, for the kernel's leak audit.
    nonisolated(unsafe) static var alive = 0
    /// The most threads (of all tasks) at once: fork and thread_fork fail beyond it. Each costs
    /// a kernel stack (two host mappings, of the ~65,000 a process may have) and a trap frame.
    static let limit = 4096

    deinit { Thread.alive -= 1 }

    var isBlockedInKernel: Bool {
        switch state { case .blocked, .descheduled: true; default: false }
    }
}

/// A registered swexn handler.
struct SwexnRegistration {
    var stack: UInt32   // esp3
    var handler: UInt32 // eip
    var argument: UInt32
}

/// Where a new thread's kernel context starts: the scheduler just switched to it, so it is the
/// current thread. Returns when the thread has ended (see KernelContext).
private let threadEntry: @convention(c) (UnsafeMutableRawPointer?) -> Void = { _ in
    kernel.threadLoop(kernel.scheduler.current!)
}
