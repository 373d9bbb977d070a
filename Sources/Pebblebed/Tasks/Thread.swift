import CShims

/// A guest thread: its saved user state (trap frame), its kernel stack and its place in the
/// scheduler.
public final class Thread {
    public enum State: Equatable {
        case runnable, running
        /// Stopped by deschedule until make_runnable.
        case descheduled
        /// Waiting for a kernel event (wait, sleep, keyboard, a yield target).
        case blocked(BlockReason)
        case exited
    }
    public enum BlockReason: Equatable { case wait, sleep, keyboard, other }

    public let tid: Int32
    /// Strong: an orphan whose adopter is gone is kept alive by its threads alone. The cycle
    /// with `Task.threads` is broken when the thread leaves the task.
    public let task: Task
    public internal(set) var state: State = .runnable
    /// Saved user registers; stable address because the trap entry writes it.
    let frame: UnsafeMutablePointer<pb_trapframe>
    let stack: KernelStack
    /// Kernel stack pointer while switched out (see pb_context_switch).
    var kernelSP: UnsafeMutableRawPointer?
    /// Tick at which a sleeping thread wakes.
    var wakeTick: UInt64 = 0
    /// Registered software exception handler (swexn).
    var swexn: SwexnRegistration?
    /// Set by task_vanish (and kills): the thread ends on its way back to user mode.
    var mustExit = false

    init(tid: Int32, task: Task) throws(PebblesError) {
        // Bare thread_fork children need no guest memory, so without a limit a thread bomb
        // would only stop when the host ran out of mappings for kernel stacks (and then could
        // not map guest pages either: a panic).
        guard Thread.alive < Thread.limit else { throw .noMemory }
        self.tid = tid
        self.task = task
        stack = try KernelStack()
        frame = .allocate(capacity: 1)
        guard pb_trapframe_init(frame) == 0 else {
            frame.deallocate()
            throw .noMemory
        }
        kernelSP = pb_context_init(stack.top, threadFirstRun, nil)
        Thread.alive += 1
    }

    /// Thread objects in existence, for the kernel's leak audit.
    nonisolated(unsafe) static var alive = 0
    /// The most threads (of all tasks) at once: fork and thread_fork fail beyond it. Each costs
    /// a kernel stack (two host mappings, of the ~65,000 a process may have) and a trap frame.
    static let limit = 4096

    deinit {
        Thread.alive -= 1
        pb_trapframe_destroy(frame)
        frame.deallocate()
    }

    var regs: pb_regs {
        get { frame.pointee.regs }
        set { frame.pointee.regs = newValue }
    }

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

/// Where a new thread's kernel context starts: straight back to user mode with the registers
/// its creator put in its trap frame.
private let threadFirstRun: @convention(c) (UnsafeMutableRawPointer?) -> Void = { _ in
    kernel.scheduler.finishSwitch()
    kernel.returnToUser(afterTrap: false)
}
