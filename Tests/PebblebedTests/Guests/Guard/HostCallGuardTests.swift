import Foundation
import Testing

/// Guard rails against guest code that reaches for the host kernel: every attempt kills only
/// the offending thread, with a message, and the machine goes on (guard_hostcall's parent sees
/// status -2 for each child and prints PASS).
@Suite(.serialized) struct HostCallGuardTests {
    /// One mode of guard_hostcall, in a child of the guest; the verdict line and the kill line.
    private func expectKilled(_ mode: String, message: String) throws {
        let r = try Guest.run("guard_hostcall", [mode], timeout: 30)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS guard_hostcall"), "\(r)")
        #expect(r.stdout.contains("guard_hostcall: \(mode) -> status -2"), "\(r)")
        #expect(r.stdout.contains("Thread 2 of task 2 (guard_hostcall) killed: \(message)"), "\(r)")
        #expect(!r.stdout.contains("LEAK"), "\(r)")
    }

    @Test func int80GetpidIsKilledBySeccomp() throws {
        try expectKilled("int80-getpid", message: "made a host system call (number 20) from guest code")
    }

    @Test func int80WriteWritesNothing() throws {
        try expectKilled("int80-write", message: "made a host system call (number 4) from guest code")
    }

    @Test func int80ExitDoesNotEndTheEmulator() throws {
        try expectKilled("int80-exit", message: "made a host system call (number 1) from guest code")
    }

    /// Compatibility-mode `syscall` reaches Linux's 32-bit fast path, which reports the vDSO
    /// landing pad as the instruction pointer: only the architecture rule catches it.
    @Test func compatSyscallInstructionIsKilled() throws {
        try expectKilled("syscall32", message: "made a host system call (number 20) from guest code")
    }

    /// sysenter is an invalid opcode in long mode on AMD; on Intel it is an i386 call that
    /// seccomp traps. Either way the guest dies.
    @Test func sysenterIsKilled() throws {
        let r = try Guest.run("guard_hostcall", ["sysenter"], timeout: 30)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("guard_hostcall: sysenter -> status -2"), "\(r)")
        #expect(r.stdout.contains("invalid opcode") || r.stdout.contains("made a host system call"), "\(r)")
    }

    @Test func sixtyFourBitSyscallIsKilled() throws {
        try expectKilled("syscall64", message: "loaded segment selector 0x0033")
    }

    /// 64-bit guest code that jumps outside the guest range faults at a host address: that is
    /// still the guest's fault, never a kernel panic.
    @Test func sixtyFourBitJumpToHostAddressIsNotAPanic() throws {
        try expectKilled("far64-host", message: "loaded segment selector 0x0033")
    }

    /// The vsyscall page is at a fixed host address; its emulated gettimeofday would write
    /// wherever 64-bit guest code points it. The filter traps calls from there.
    @Test func vsyscallPageIsTrapped() throws {
        try expectKilled("vsyscall", message: "loaded segment selector 0x0033")
    }

    @Test func sixtyFourBitSpinIsStoppedByTheTimer() throws {
        try expectKilled("far64-spin", message: "loaded segment selector 0x0033")
    }

    /// While a guest runs, FS leads nowhere: reading %fs:0 from 64-bit guest code faults instead
    /// of returning the emulator's thread block (a host pointer to build an escape from).
    @Test func fsBaseLeaksNoHostPointer() throws {
        try expectKilled("fsbase", message: "loaded segment selector 0x0033")
    }

    /// EFLAGS.AC set by the guest used to stay set in the signal handler, where the emulator's
    /// own unaligned accesses then faulted recursively until the host process died (SIGSEGV).
    @Test func alignmentCheckFlagStaysWithTheGuest() throws {
        try expectKilled("alignment-check", message: "alignment check, eip 0x")
    }

    @Test func everyModeInOneMachine() throws {
        let r = try Guest.run("guard_hostcall", [], options: ["--audit"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS guard_hostcall"), "\(r)")
        #expect(!r.stdout.contains("LEAK"), "\(r)")
        #expect(!r.stderr.contains("kernel panic"), "\(r)")
    }
}
