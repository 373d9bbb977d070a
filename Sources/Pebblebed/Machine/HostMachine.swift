import CShims
import Glibc

/// The real machine: guest code runs natively on the host CPU, host signals are its traps and
/// interrupts (CShims/pb_machine.c, README.md in this folder).
final class HostMachine: Machine {
    /// Where the C side reports the trap that ended a run. One suffices: one guest runs at a time.
    // Safety: allocated once for the life of the process (the machine is never torn down).
    private let event = UnsafeMutablePointer<pb_event>.allocate(capacity: 1)

    /// Installs the trap and interrupt handlers; nothing else of the host is touched.
    init() throws(BootError) {
        event.initialize(to: pb_event())
        let err = pb_machine_init(kernelModeFault)
        guard err == 0 else { throw .host("installing the trap handlers", err) }
        // Without FSGSBASE or xsave the gate cannot restore the host's state in user mode:
        // then every call traps, as before (ENOTSUP). Any other failure is the host's.
        let gateErr = pb_gate_init()
        guard gateErr == 0 || gateErr == ENOTSUP else { throw .host("mapping the system-call gate", gateErr) }
        hasSystemCallGate = gateErr == 0
    }

    let hasSystemCallGate: Bool

    func run(_ thread: Thread) -> Trap {
        pb_run_guest(thread.frame.raw, event)
        return Trap(event.pointee)
    }

    func takeTimerInterrupt() -> Bool {
        guard pb_pending_timer != 0 else { return false }
        pb_pending_timer = 0
        return true
    }

    var timerInterruptPending: Bool { pb_pending_timer != 0 }

    func takeKeyboardInterrupt() -> Bool {
        guard pb_pending_io != 0 else { return false }
        pb_pending_io = 0
        return true
    }

    func waitForInterrupt() { pb_idle_wait() }

    var nanoseconds: UInt64 { pb_monotonic_ns() }

    func startTimer(periodNanoseconds: UInt64) -> Int32 { pb_timer_start(periodNanoseconds) }

    /// Whether seeded stepping is on (the debugger's single step borrows the trap flag).
    private var seededStepping = false

    func setStepping(_ on: Bool) {
        seededStepping = on
        pb_set_stepping(on ? 1 : 0)
    }

    func runOneInstruction(_ thread: Thread) -> Trap {
        let seededBudget = pb_step_budget
        pb_set_stepping(1)
        pb_step_budget = 1
        let trap = run(thread)
        // 1 if the instruction completed (the budget ran out), 0 if it trapped or never ran.
        let used = 1 - pb_step_budget
        if seededStepping {
            pb_step_budget = seededBudget - used
        } else {
            pb_set_stepping(0)
        }
        return trap
    }

    var stepBudget: Int64 {
        get { pb_step_budget }
        set { pb_step_budget = newValue }
    }

    func powerOff(exitCode: Int32) -> Never { exit(exitCode) }

    var haltSignal: Int32 { pb_terminal_halt_requested() }

    func powerOff(bySignal signal: Int32) -> Never { pb_terminal_finish_halt(signal) }

    /// Installs the seccomp filter that traps every host system call made from guest code.
    func installHostCallFilter() throws(BootError) {
        let err = pb_seccomp_install()
        guard err == 0 else { throw .host("installing the seccomp filter", err) }
    }
}

/// A fault while the kernel itself ran (reported by the trap handler, on the signal stack):
/// a kernel bug.
private let kernelModeFault: pb_panic_fn = { signo, code, addr, regs in
    kernelPanicReport(signal: signo, code: code, address: addr, registers: regs.map { hostRegisterDump($0.pointee) })
}
