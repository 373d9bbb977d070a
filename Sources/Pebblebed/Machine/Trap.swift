import CShims
import Glibc

/// Why a guest thread stopped running: what `Machine.run` returns, decoded from the C side's
/// pb_event. The kernel loop switches on this; only Machine/ and the shim know about signals.
public enum Trap: Equatable {
    /// `int $vector`, or the same call through the system-call gate (a redirected stub):
    /// the frame is the same either way, eip at the `int` (Machine/README.md).
    case syscall(vector: Int)
    case pageFault(address: UInt32, write: Bool, outsideGuest: Bool)
    /// Any other exception; `cause` is the x86 vector (SWEXN_CAUSE_*).
    case exception(cause: UInt32, address: UInt32, signal: Int32)
    /// An `int3` in guest code (vector 3); eip is past the instruction, as on x86.
    case breakpoint
    case timer
    case io
    /// The seeded single-step budget ran out: a deterministic preemption point.
    case step
    /// A host system call from guest code (caught by seccomp); `number` is its host number.
    case hostSyscall(number: Int32)
    /// The guest loaded a segment register or left 32-bit mode.
    case segment(selector: UInt64)

    /// Whether the yield-on-every-trap policy (misbehave) gives way after this trap. A page
    /// fault is the soft-TLB filling in (real hardware would not trap at all): giving way
    /// there lets two tasks withdraw each other's freshly mapped page forever, a livelock.
    var countsForYieldOnTrap: Bool {
        if case .pageFault = self { return false }
        return true
    }

    init(_ ev: pb_event) {
        switch pb_event_kind(rawValue: UInt32(bitPattern: ev.kind)) {
        case PB_EV_SYSCALL: self = .syscall(vector: Int(ev.vector))
        case PB_EV_PAGEFAULT:
            self = .pageFault(address: UInt32(truncatingIfNeeded: ev.addr), write: ev.err & 2 != 0,
                              outsideGuest: ev.addr >= GuestLayout.userEnd)
        case PB_EV_TIMER: self = .timer
        case PB_EV_IO: self = .io
        case PB_EV_STEP: self = .step
        case PB_EV_SECCOMP: self = .hostSyscall(number: ev.vector)
        case PB_EV_SEGMENT: self = .segment(selector: ev.addr)
        case PB_EV_FAULT where ev.signo == SIGTRAP && ev.vector == 3: self = .breakpoint
        default:
            self = .exception(cause: Trap.cause(of: ev), address: UInt32(truncatingIfNeeded: ev.addr), signal: ev.signo)
        }
    }

    /// The x86 vector of an exception: the hardware trap number, which Linux reports for
    /// every synchronous signal (0 divide, 1 debug, 3 breakpoint, 6 opcode, 13 GP, ...).
    private static func cause(of ev: pb_event) -> UInt32 {
        let trapno = UInt32(truncatingIfNeeded: ev.vector)
        if trapno <= 0x13 { return trapno }
        switch ev.signo {
        case SIGFPE: return 0x00
        case SIGILL: return 0x06
        case SIGTRAP: return 0x03
        case SIGBUS: return 0x11
        default: return 0x0D
        }
    }
}

/// x86 exception names for fault reports.
func exceptionName(_ cause: UInt32) -> String {
    switch cause {
    case 0x00: "divide error"
    case 0x01: "debug exception"
    case 0x03: "breakpoint"
    case 0x04: "overflow"
    case 0x05: "bound range exceeded"
    case 0x06: "invalid opcode"
    case 0x07: "FPU not available"
    case 0x0B: "segment not present"
    case 0x0C: "stack fault"
    case 0x0D: "general protection fault"
    case 0x0E: "page fault"
    case 0x10: "x87 FPU error"
    case 0x11: "alignment check"
    case 0x13: "SIMD floating-point exception"
    default: "exception \(cause)"
    }
}
