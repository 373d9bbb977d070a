import CShims
import Glibc
import Testing
@testable import Pebblebed

/// Trap decoding: what the kernel loop sees for each event the C side reports.
@Suite struct TrapDecodingTests {
    func event(_ kind: pb_event_kind, signo: Int32 = 0, vector: Int32 = 0, addr: UInt64 = 0, err: UInt64 = 0) -> pb_event {
        var e = pb_event()
        e.kind = Int32(kind.rawValue)
        e.signo = signo
        e.vector = vector
        e.addr = addr
        e.err = err
        return e
    }

    @Test func eachEventKindDecodes() {
        #expect(Trap(event(PB_EV_SYSCALL, vector: 0x48)) == .syscall(vector: 0x48))
        #expect(Trap(event(PB_EV_PAGEFAULT, addr: 0x0200_0000, err: 6)) == .pageFault(address: 0x0200_0000, write: true, outsideGuest: false))
        #expect(Trap(event(PB_EV_PAGEFAULT, addr: 0x0200_0000, err: 4)) == .pageFault(address: 0x0200_0000, write: false, outsideGuest: false))
        #expect(Trap(event(PB_EV_PAGEFAULT, addr: 0x7fff_0000_0000)) == .pageFault(address: 0, write: false, outsideGuest: true))
        #expect(Trap(event(PB_EV_TIMER)) == .timer)
        #expect(Trap(event(PB_EV_IO)) == .io)
        #expect(Trap(event(PB_EV_STEP)) == .step)
        #expect(Trap(event(PB_EV_SECCOMP, vector: 39)) == .hostSyscall(number: 39))
        #expect(Trap(event(PB_EV_SEGMENT, addr: 0x63)) == .segment(selector: 0x63))
    }

    @Test func exceptionsCarryTheirX86Vector() {
        #expect(Trap(event(PB_EV_FAULT, signo: SIGTRAP, vector: 3)) == .breakpoint)
        #expect(Trap(event(PB_EV_FAULT, signo: SIGFPE, vector: 0)) == .exception(cause: 0, address: 0, signal: SIGFPE))
        #expect(Trap(event(PB_EV_FAULT, signo: SIGILL, vector: 6, addr: 0x0100_0000)) == .exception(cause: 6, address: 0x0100_0000, signal: SIGILL))
        // A trap number Linux did not fill in: the signal decides.
        #expect(Trap(event(PB_EV_FAULT, signo: SIGBUS, vector: 99)) == .exception(cause: 0x11, address: 0, signal: SIGBUS))
        #expect(Trap(event(PB_EV_FAULT, signo: SIGSEGV, vector: 99)) == .exception(cause: 0x0D, address: 0, signal: SIGSEGV))
    }

    @Test func pageFaultsDoNotCountForYieldOnTrap() {
        #expect(!Trap.pageFault(address: 0, write: false, outsideGuest: false).countsForYieldOnTrap)
        #expect(Trap.syscall(vector: 0x48).countsForYieldOnTrap && Trap.timer.countsForYieldOnTrap)
    }
}
