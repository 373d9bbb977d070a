/// Every system call the kernel serves, in one place: vector, name, argument shape, handler.
/// The guest side agrees with it: examples/include/syscall_int.h has the vectors and
/// examples/lib/syscalls.list the stubs, and a test (SyscallTableTests) fails if either
/// disagrees with this table.
///
/// Adding a system call: a row here, a handler in the family's file (Kernel+<Family>Calls.swift),
/// a vector in syscall_int.h, a row in syscalls.list (and a prototype in syscall.h).
extension Kernel {
    static let systemCallTable = SyscallTable([
        // Life cycle (Kernel+LifecycleCalls.swift)
        SystemCall(0x41, "fork", .none) { k, a throws(PebblesError) in .value(try k.fork(a.thread)) },
        SystemCall(0x42, "exec", .packet(2)) { k, a throws(PebblesError) in try k.execCall(a) },
        SystemCall(0x44, "wait", .single) { k, a throws(PebblesError) in .value(try k.wait(a.thread, statusAddress: a.esi)) },
        SystemCall(0x57, "task_vanish", .single, noReturn: true) { k, a in k.taskVanish(a.thread, status: a.signedESI) },
        SystemCall(0x59, "set_status", .single) { k, a in k.setStatus(a.thread, a.signedESI) },
        SystemCall(0x60, "vanish", .none, noReturn: true) { k, a in k.vanishCall(a.thread) },
        // Threads (Kernel+ThreadCalls.swift)
        SystemCall(0x52, "thread_fork", .none) { k, a throws(PebblesError) in .value(try k.threadFork(a.thread)) },
        SystemCall(0x48, "gettid", .none) { _, a in .value(a.thread.tid) },
        SystemCall(0x45, "yield", .single) { k, a throws(PebblesError) in try k.yieldCall(a.thread, target: a.signedESI) },
        SystemCall(0x46, "deschedule", .single) { k, a throws(PebblesError) in try k.descheduleCall(a) },
        SystemCall(0x47, "make_runnable", .single) { k, a throws(PebblesError) in try k.makeRunnableCall(a.signedESI) },
        SystemCall(0x53, "get_ticks", .none) { k, _ in .value(Int32(bitPattern: UInt32(truncatingIfNeeded: k.ticks))) },
        SystemCall(0x4B, "sleep", .single) { k, a throws(PebblesError) in try k.sleepCall(a.signedESI) },
        SystemCall(0x74, "swexn", .packet(4)) { k, a throws(PebblesError) in try k.swexnCall(a) },
        // Memory (Kernel+MemoryCalls.swift)
        SystemCall(0x49, "new_pages", .packet(2)) { k, a throws(PebblesError) in try k.newPagesCall(a) },
        SystemCall(0x4A, "remove_pages", .single) { k, a throws(PebblesError) in try k.removePagesCall(a) },
        // Console (Kernel+ConsoleCalls.swift)
        SystemCall(0x4E, "print", .packet(2)) { k, a throws(PebblesError) in try k.printCall(a) },
        SystemCall(0x4F, "set_term_color", .single) { k, a throws(PebblesError) in try k.setTermColorCall(a) },
        SystemCall(0x50, "set_cursor_pos", .packet(2)) { k, a throws(PebblesError) in try k.setCursorPosCall(a) },
        SystemCall(0x51, "get_cursor_pos", .packet(2)) { k, a throws(PebblesError) in try k.getCursorPosCall(a) },
        // Keyboard (Kernel+KeyboardCalls.swift)
        SystemCall(0x4C, "getchar", .none) { k, a throws(PebblesError) in try k.getcharCall(a) },
        SystemCall(0x4D, "readline", .packet(2)) { k, a throws(PebblesError) in try k.readlineCall(a) },
        // Miscellaneous (Kernel+MiscCalls.swift)
        SystemCall(0x62, "readfile", .packet(4)) { k, a throws(PebblesError) in try k.readfileCall(a) },
        SystemCall(0x55, "halt", .none) { k, _ in k.haltCall() },
        SystemCall(0x54, "misbehave", .single) { k, a in k.misbehave(a.signedESI) },
        // Pebblebed extensions (Kernel+PebblebedCalls.swift)
        SystemCall(0x81, "lprintf", .packet(2)) { k, a throws(PebblesError) in try k.lprintfCall(a) },
        SystemCall(0x82, "bench_clock", .single) { k, a throws(PebblesError) in try k.benchClockCall(a) },
        SystemCall(0x83, "set_foreground", .single) { k, a throws(PebblesError) in try k.setForegroundCall(a) },
        SystemCall(0x85, "wait_nohang", .single) { k, a throws(PebblesError) in .value(try k.waitNoHangCall(a.thread, statusAddress: a.esi)) },
        SystemCall(0x8E, "sim_call", .none) { k, a in k.simicsCall(a.thread) },
        SystemCall(0x8F, "debug_panic", .single) { k, a throws(PebblesError) in try k.debugPanicCall(a) },
    ])
}

/// The table, indexed by vector for the trap path.
struct SyscallTable {
    let calls: [SystemCall]
    private let byVector: [SystemCall?]

    init(_ calls: [SystemCall]) {
        var byVector = [SystemCall?](repeating: nil, count: 256)
        for c in calls {
            kernelAssert(byVector[c.vector] == nil, "system call vector \(c.vector) defined twice")
            byVector[c.vector] = c
        }
        self.calls = calls
        self.byVector = byVector
    }

    func call(_ vector: Int) -> SystemCall? {
        vector >= 0 && vector < byVector.count ? byVector[vector] : nil
    }

    /// A vector's name for traces: the call's, or the number of an unknown one.
    func name(_ vector: Int) -> String {
        call(vector)?.name ?? "syscall \(hex(vector, width: 2))"
    }
}
