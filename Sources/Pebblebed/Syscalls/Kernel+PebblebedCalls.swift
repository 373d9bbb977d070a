import Glibc

/// Pebblebed's own calls, in the vectors above Linux's 0x80: lprintf (0x81), bench_clock
/// (0x82), set_foreground (0x83), wait_nohang (0x85), the Simics magic call (0x8E,
/// Simics/Kernel+Simics.swift) and the debug panic
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

    /// wait_nohang: wait() that never blocks, so a shell can report background jobs that
    /// ended when it next prints its prompt, as sh does (the Pebbles calls have no way to ask
    /// without blocking, and a waiting thread would stop the shell from forking: fork refuses
    /// in a multi-threaded task). With %esi a status pointer (or 0): an exited child's tid, its
    /// status stored as wait() stores it; 0 when the task has children but none has exited;
    /// -6 (no child) when it has none at all; -1 for a status pointer that is not writable.
    /// A thread of the same task blocked in wait() is not disturbed: if this takes the exit
    /// record it was woken for, it finds none and waits on (Tasks/Kernel+Lifecycle.swift).
    func waitNoHangCall(_ t: Thread, statusAddress: UInt32) throws(PebblesError) -> Int32 {
        let task = t.task
        if statusAddress != 0 { try task.space.validate(statusAddress, count: 4, write: true) }
        guard task.zombies.head != nil else {
            if task.children.isEmpty { throw .noChild }
            return 0
        }
        // Validated above with nothing in between that could unmap it (this call never blocks).
        return try collectZombie(of: task, statusAddress: statusAddress)
    }

    /// set_foreground(tid): the calling task names its child `tid` as the one Ctrl-C
    /// interrupts (0: none), as a shell puts a job in the terminal's foreground. Returns 1 if
    /// the child it named before was killed by Ctrl-C since, else 0; -4 if `tid` is not a
    /// live child of the caller. A task may also name itself, for its parent: the shell's
    /// child does so before exec, as a job-control shell's child calls tcsetpgrp too, because
    /// the child may run (and the person press Ctrl-C) before the parent runs again to name it.
    func setForegroundCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let task = a.thread.task
        let tid = a.signedESI
        if tid == task.id {
            guard let parent = task.parent, !parent.threads.isEmpty else { throw .notFound }
            parent.foreground = tid
            HostKeys.armInterrupt(true)
            return .value(0)
        }
        if tid != 0 {
            guard task.children.contains(where: { $0.id == tid && !$0.threads.isEmpty }) else { throw .notFound }
        }
        let interrupted = task.foregroundInterrupted
        task.foreground = tid
        task.foregroundInterrupted = false
        HostKeys.armInterrupt(liveTaskList().contains { $0.foreground != 0 })
        return .value(interrupted ? 1 : 0)
    }
}
