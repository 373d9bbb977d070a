import Glibc

/// Pebblebed's own calls, in the vectors above Linux's 0x80: lprintf (0x81), bench_clock
/// (0x82), the Simics magic call (0x8E, Simics/Kernel+Simics.swift) and the debug panic
/// trigger (0x8F, Support/DebugPanic.swift).
extension Kernel {
    /// lprintf: a line to the kernel log ({len, buf} packet).
    func lprintfCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let size = a.signed(0)
        guard size >= 0, size <= 4096 else { throw .invalidArgument }
        var bytes = try a.space.copyIn(a.packet[1], count: Int(size))
        while bytes.last == 10 || bytes.last == 0 { bytes.removeLast() }
        logGuestLine(a.thread, String(decoding: bytes, as: UTF8.self))
        return .value(0)
    }

    /// bench_clock: high-resolution clocks for benchmarks. get_ticks counts 10 ms timer ticks,
    /// far too coarse to time a system call or a fault, so the guest benchmark programs
    /// (examples/bench/, run by scripts/bench) read these instead.
    /// With %esi pointing at 16 writable bytes it stores two little-endian 64-bit counts of
    /// nanoseconds there: the host's monotonic clock (wall time), then the emulator process's
    /// CPU time (guest and kernel work together, without the time the host gave to other
    /// processes). Returns 0; a buffer that is not writable user memory gives -1 (bad address)
    /// and nothing is stored.
    func benchClockCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let wall = machine.nanoseconds
        var cpu = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu)
        let cpuNanoseconds = UInt64(cpu.tv_sec) * 1_000_000_000 + UInt64(cpu.tv_nsec)
        try a.space.copyOut(littleEndianBytes(wall) + littleEndianBytes(cpuNanoseconds), to: a.esi)
        return .value(0)
    }
}
