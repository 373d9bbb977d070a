import CShims

/// A guest thread's saved user state: what a trap saved and what the next run restores (the C
/// `pb_trapframe`: general registers in host order and the xsave area of the x87/SSE state).
/// The kernel reads and writes the registers by the names the i386 guest knows them by.
final class TrapFrame {
    // Safety: allocated and initialized in init, destroyed in deinit; the C side writes it only
    // while this thread's guest runs (pb_run_guest), when no Swift code reads it.
    let raw: UnsafeMutablePointer<pb_trapframe>

    init() throws(PebblesError) {
        raw = .allocate(capacity: 1)
        guard pb_trapframe_init(raw) == 0 else {
            raw.deallocate()
            throw .noMemory
        }
    }

    deinit {
        pb_trapframe_destroy(raw)
        raw.deallocate()
    }

    var eax: UInt32 { get { low(raw.pointee.regs.rax) } set { raw.pointee.regs.rax = UInt64(newValue) } }
    var ebx: UInt32 { get { low(raw.pointee.regs.rbx) } set { raw.pointee.regs.rbx = UInt64(newValue) } }
    var ecx: UInt32 { get { low(raw.pointee.regs.rcx) } set { raw.pointee.regs.rcx = UInt64(newValue) } }
    var edx: UInt32 { get { low(raw.pointee.regs.rdx) } set { raw.pointee.regs.rdx = UInt64(newValue) } }
    var esi: UInt32 { get { low(raw.pointee.regs.rsi) } set { raw.pointee.regs.rsi = UInt64(newValue) } }
    var edi: UInt32 { get { low(raw.pointee.regs.rdi) } set { raw.pointee.regs.rdi = UInt64(newValue) } }
    var ebp: UInt32 { get { low(raw.pointee.regs.rbp) } set { raw.pointee.regs.rbp = UInt64(newValue) } }
    var esp: UInt32 { get { low(raw.pointee.regs.rsp) } set { raw.pointee.regs.rsp = UInt64(newValue) } }
    var eip: UInt32 { get { low(raw.pointee.regs.rip) } set { raw.pointee.regs.rip = UInt64(newValue) } }
    /// The exit keeps only the flags a user may set (pb_machine.c), whatever is stored here.
    var eflags: UInt32 { get { low(raw.pointee.regs.eflags) } set { raw.pointee.regs.eflags = UInt64(newValue) } }
    /// The FS and GS selectors the guest holds: each thread's own, null or the user data segment
    /// (the trap handler refuses any other), kept in the CSGSFS word (cs, gs, fs, ss).
    var fs: UInt32 {
        get { UInt32(truncatingIfNeeded: raw.pointee.regs.csgsfs >> 32) & 0xffff }
        set { raw.pointee.regs.csgsfs = raw.pointee.regs.csgsfs & ~(0xffff << 32) | UInt64(newValue & 0xffff) << 32 }
    }
    var gs: UInt32 {
        get { UInt32(truncatingIfNeeded: raw.pointee.regs.csgsfs >> 16) & 0xffff }
        set { raw.pointee.regs.csgsfs = raw.pointee.regs.csgsfs & ~(0xffff << 16) | UInt64(newValue & 0xffff) << 16 }
    }
    /// The hardware error code of the last exception (page faults: 1 present, 2 write, 4 user).
    var errorCode: UInt32 { low(raw.pointee.regs.err) }

    private func low(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }

    /// The x87/SSE state as the 512-byte fxsave image (the legacy region that starts every
    /// xsave area), for the debugger. A thread that never trapped has a fresh FPU (fpsize 0):
    /// it reads as the reset state, control word 0x37f and MXCSR 0x1f80.
    var fxsaveImage: [UInt8] {
        var out = [UInt8](repeating: 0, count: 512)
        if raw.pointee.fpsize >= 512, let fp = raw.pointee.fpstate {
            for i in 0..<512 { out[i] = fp[i] }
            // An xsave area whose header marks x87 or SSE unused holds stale bytes there:
            // those components are in their reset state.
            if raw.pointee.fpsize > 512 {
                var inUse: UInt64 = 0
                for i in 0..<8 { inUse |= UInt64(fp[512 + i]) << (8 * UInt64(i)) }
                if inUse & 1 == 0 { TrapFrame.resetX87(&out) }
                if inUse & 2 == 0 { for i in 160..<288 { out[i] = 0 } }
            }
        } else {
            TrapFrame.resetX87(&out)
            out[24] = 0x80; out[25] = 0x1f   // MXCSR 0x1f80
        }
        return out
    }

    private static func resetX87(_ image: inout [UInt8]) {
        for i in 0..<24 { image[i] = 0 }
        for i in 32..<160 { image[i] = 0 }
        image[0] = 0x7f; image[1] = 0x03   // FCW 0x37f
    }

    /// Replaces the x87/SSE state with an fxsave image (the debugger's register writes). The
    /// xsave header then marks x87 and SSE in use, so the return to the guest loads them.
    func setFxsaveImage(_ image: [UInt8]) {
        precondition(image.count == 512)
        if raw.pointee.fpsize < 512 {
            // A fresh FPU: from now on a 512-byte fxsave image (the exit uses fxrstor for it).
            raw.pointee.fpsize = 512
        }
        guard let fp = raw.pointee.fpstate else { return }
        // Bytes 464..511 are software-reserved (the signal frame's xstate magic lives there).
        for i in 0..<464 { fp[i] = image[i] }
        if raw.pointee.fpsize > 512 { fp[512] |= 3 }
    }

    /// The segment selectors the guest sees (cs, ss, ds, es, fs, gs): the exit always loads the
    /// 32-bit user code segment and the shared data segment; FS and GS are 0 while a guest runs.
    var segmentSelectors: [UInt32] {
        [GuestLayout.userCodeSelector, GuestLayout.userDataSelector, GuestLayout.userDataSelector,
         GuestLayout.userDataSelector, 0, 0]
    }

    /// A copy of another thread's user state (fork, thread_fork): registers and FPU/SSE state.
    func copy(from other: TrapFrame) {
        pb_trapframe_copy(raw, other.raw)
    }

    /// The state a program starts in: every register 0 but the stack and instruction pointers,
    /// interrupts on, a fresh FPU, 32-bit user code and data segments (fs and gs included, as a
    /// Pebbles kernel starts a program).
    func reset(eip: UInt32, esp: UInt32) {
        var r = pb_regs()
        r.rip = UInt64(eip)
        r.rsp = UInt64(esp)
        r.eflags = UInt64(GuestLayout.initialEflags)
        r.csgsfs = pb_initial_csgsfs()
        raw.pointee.regs = r
        raw.pointee.fpsize = 0
    }

    /// The registers as a fault report or panic shows them.
    var dump: String {
        let r = raw.pointee.regs
        return registerDump([("eax", r.rax), ("ebx", r.rbx), ("ecx", r.rcx), ("edx", r.rdx),
                             ("esi", r.rsi), ("edi", r.rdi), ("ebp", r.rbp), ("esp", r.rsp)],
                            [("eip", r.rip), ("eflags", r.eflags), ("cs", r.csgsfs & 0xffff),
                             ("err", r.err), ("trapno", r.trapno)], width: 8)
    }
}

/// The host registers of a fault in kernel mode, as the panic report shows them.
func hostRegisterDump(_ r: pb_regs) -> String {
    registerDump([("rax", r.rax), ("rbx", r.rbx), ("rcx", r.rcx), ("rdx", r.rdx),
                  ("rsi", r.rsi), ("rdi", r.rdi), ("rbp", r.rbp), ("rsp", r.rsp)],
                 [("rip", r.rip), ("eflags", r.eflags), ("cs", r.csgsfs & 0xffff),
                  ("err", r.err), ("trapno", r.trapno)], width: 16)
}

/// Two lines of name=value, in the order people read registers.
private func registerDump(_ first: [(String, UInt64)], _ second: [(String, UInt64)], width: Int) -> String {
    func line(_ regs: [(String, UInt64)]) -> String {
        regs.map { $0.0 + "=" + hex(width == 8 ? $0.1 & 0xffff_ffff : $0.1, width: width) }.joined(separator: " ")
    }
    return "  " + line(first) + "\n  " + line(second)
}
