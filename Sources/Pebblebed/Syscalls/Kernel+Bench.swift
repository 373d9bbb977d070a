import CShims
import Glibc

/// Pebblebed extension for benchmarks: high-resolution clocks. get_ticks counts 10 ms timer
/// ticks, far too coarse to time a system call or a fault, so the guest benchmark programs
/// (examples/bench/, run by scripts/bench) read these instead.
///
/// `int $0x82` with %esi pointing at 16 writable bytes stores two little-endian 64-bit counts
/// of nanoseconds there: the host's CLOCK_MONOTONIC (wall time), then the emulator process's
/// CPU time (CLOCK_PROCESS_CPUTIME_ID: guest and kernel work together, without the time the
/// host gave to other processes). Returns 0; a buffer that is not writable user memory gives
/// -1 (bad address) and nothing is stored.
extension Vector {
    public static let benchClock = 0x82
}

extension Kernel {
    func benchClockCall(_ a: SyscallArguments) throws(PebblesError) -> Int32 {
        let wall = pb_monotonic_ns()
        var cpu = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu)
        let cpuNanoseconds = UInt64(cpu.tv_sec) * 1_000_000_000 + UInt64(cpu.tv_nsec)
        try a.space.copyOut(littleEndianBytes(wall) + littleEndianBytes(cpuNanoseconds), to: a.esi)
        return 0
    }

    private func littleEndianBytes(_ v: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
    }
}
