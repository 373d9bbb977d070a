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
