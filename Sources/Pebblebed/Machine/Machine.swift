/// The hardware as the kernel sees it: a CPU that runs one guest thread until it traps, two
/// interrupt lines (timer, keyboard) whose pending notes the kernel takes with interrupts off,
/// a clock, a timer, and the power switch. `HostMachine` is the real one, made of host signals;
/// in-process tests give the kernel a `FakeMachine` that scripts traps.
///
/// Interrupts are off whenever kernel code runs: an interrupt that arrives then is only noted,
/// and the kernel takes the note on its own time (`run` returns it as a trap before the guest's
/// next instruction, idle takes it while waiting).
protocol Machine: AnyObject {
    /// Runs the guest of `thread` in user mode until it traps and returns why; the thread's
    /// user state (registers, FPU/SSE) is then in `thread.frame`. A pending interrupt is
    /// returned at once as `.timer` or `.io`, before the guest runs an instruction.
    func run(_ thread: Thread) -> Trap

    /// Takes the timer's pending note, if any. The note is cleared before it is served, so a
    /// tick noted during the service stays pending for the next look.
    func takeTimerInterrupt() -> Bool
    /// Whether the timer's note is pending, without taking it (the scheduler asks when a
    /// quantum starts: a pending tick means its idea of the time is stale).
    var timerInterruptPending: Bool { get }
    /// Takes the keyboard's pending note, if any (same rule).
    func takeKeyboardInterrupt() -> Bool
    /// Idle: waits until an interrupt is pending (returns at once if one is).
    func waitForInterrupt()

    /// Monotonic time in nanoseconds.
    var nanoseconds: UInt64 { get }
    /// Starts the periodic timer interrupt (0 stops it); returns 0 or an errno.
    func startTimer(periodNanoseconds: UInt64) -> Int32

    /// Seeded runs: every guest instruction counts down `stepBudget`; at zero `run` returns
    /// `.step`. Instruction counts do not depend on timing, so a seed replays exactly.
    func setStepping(_ on: Bool)
    var stepBudget: Int64 { get set }

    /// The debugger's single step (Debugger/): runs the guest of `thread` for one instruction.
    /// Returns `.step` when the instruction completed, or the trap it raised instead (a system
    /// call, a fault) or an interrupt taken before it ran. In seeded runs the instruction is
    /// counted against `stepBudget` as any other (a step that uses the budget's last
    /// instruction leaves it at 0: that entry is also the seed's preemption point), so stepping
    /// under a debugger does not change the seed's interleaving.
    func runOneInstruction(_ thread: Thread) -> Trap

    /// Whether the machine has the system-call gate (Machine/README.md, "The fast path"):
    /// patched stubs may then enter the kernel by a far jump, and `run` returns their calls as
    /// `.syscall` like any `int $n`.
    var hasSystemCallGate: Bool { get }

    /// Turns the machine off with a host exit code (the kernel has run its shutdown hooks).
    func powerOff(exitCode: Int32) -> Never

    /// The host signal (SIGHUP, SIGINT, SIGTERM) that asked the machine to stop, 0 while none
    /// did. The signal raises a timer interrupt; the kernel looks here when it serves one (and
    /// in idle) and halts (Kernel+HaltSignal.swift).
    var haltSignal: Int32 { get }
    /// Turns the machine off after a stop the kernel served: the host process ends by that
    /// signal, as it would have without the kernel's halt (a shell sees 128+N).
    func powerOff(bySignal: Int32) -> Never
}

extension Machine {
    /// A machine without the gate (the tests' FakeMachine): every call traps.
    var hasSystemCallGate: Bool { false }
    /// A machine no host signal can stop (the tests' FakeMachine).
    var haltSignal: Int32 { 0 }
    func powerOff(bySignal signal: Int32) -> Never { powerOff(exitCode: 128 + signal) }
}
