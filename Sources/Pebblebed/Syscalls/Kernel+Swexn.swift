import CShims

/// Software exceptions (swexn): a guest's own fault handler.
extension Kernel {
    /// The user-visible segment values and the eflags bits a handler may change.
    static let userCS: UInt32 = 0x23, userDS: UInt32 = 0x2b
    /// Privileged eflags bits a handler may not set: IOPL, NT, VM, VIF, VIP. (RF and ID are
    /// harmless and come back from faults, so a handler copying its ureg keeps them.)
    static let privilegedFlags: UInt32 = 0x3000 | 0x4000 | 0x20000 | 0x80000 | 0x100000
    /// IF: interrupts stay on in user mode.
    static let interruptFlag: UInt32 = 0x200

    /// The ureg_t of `t`'s saved state: cause, cr2, ds, es, fs, gs, edi, esi, ebp, zero, ebx,
    /// edx, ecx, eax, error_code, eip, cs, eflags, esp, ss. All four data selectors read as
    /// the user data segment, as on a Pebbles kernel (whose SEGSEL_USER_DS is 0x2b too), so
    /// handlers that check them see what they expect.
    func ureg(of t: Thread, cause: UInt32, cr2: UInt32) -> [UInt32] {
        let r = t.regs
        func w(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }
        return [cause, cr2, Kernel.userDS, Kernel.userDS, Kernel.userDS, Kernel.userDS,
                w(r.rdi), w(r.rsi), w(r.rbp), 0, w(r.rbx), w(r.rdx), w(r.rcx), w(r.rax),
                w(r.err), w(r.rip), Kernel.userCS, w(r.eflags), w(r.rsp), Kernel.userDS]
    }

    /// A guest fault: to the thread's swexn handler if it has one (deregistered first), else the
    /// thread is killed with a message naming the fault.
    func deliverFault(_ t: Thread, cause: UInt32, address: UInt32, detail: String?) {
        if let h = t.swexn {
            t.swexn = nil
            if pushExceptionFrame(t, handler: h, cause: cause, cr2: cause == 0x0E ? address : 0) { return }
        }
        var what = exceptionName(cause)
        if let detail { what += " (\(detail))" }
        let at = cause == 0x0E ? " at address \(hex(address))" : ""
        kill(t, reason: "\(what)\(at), eip \(hex(UInt32(truncatingIfNeeded: t.regs.rip)))")
    }

    /// Builds the handler's frame on its exception stack: the ureg, then a cdecl call
    /// eip(arg, ureg) with a dummy return address. False if the stack is not writable.
    private func pushExceptionFrame(_ t: Thread, handler h: SwexnRegistration, cause: UInt32, cr2: UInt32) -> Bool {
        let u = ureg(of: t, cause: cause, cr2: cr2)
        let top = h.stack & ~3
        guard top >= 0x0100_0000 + 96 else { return false }
        let uregAddress = top - UInt32(u.count * 4)
        let esp = uregAddress - 12
        let frame = [0, h.argument, uregAddress] + u
        do { try t.task.space.copyOut(ProgramLoader.words(frame), to: esp) } catch { return false }
        t.frame.pointee.regs.rip = UInt64(h.handler)
        t.frame.pointee.regs.rsp = UInt64(esp)
        return true
    }

    /// swexn(esp3, eip, arg, newureg): all or nothing.
    func swexn(_ t: Thread, esp3: UInt32, eip: UInt32, arg: UInt32, newureg: UInt32) throws(PebblesError) -> Bool {
        let register = esp3 != 0 && eip != 0
        if register {
            guard esp3 >= 0x0100_0000, eip >= 0x0100_0000 else { throw .badAddress }
        }
        var regs: [UInt32]? = nil
        if newureg != 0 {
            let u = try t.task.space.readWords(newureg, count: 20)
            try checkUreg(u)
            regs = u
        }
        t.swexn = register ? SwexnRegistration(stack: esp3, handler: eip, argument: arg) : nil
        guard let u = regs else { return false }
        var r = t.regs
        r.rdi = UInt64(u[6]); r.rsi = UInt64(u[7]); r.rbp = UInt64(u[8])
        r.rbx = UInt64(u[10]); r.rdx = UInt64(u[11]); r.rcx = UInt64(u[12]); r.rax = UInt64(u[13])
        r.rip = UInt64(u[15]); r.eflags = UInt64(u[17] | 0x2); r.rsp = UInt64(u[18])
        t.regs = r
        return true
    }

    /// A handler may change general registers, eip, esp and user flags, nothing privileged.
    private func checkUreg(_ u: [UInt32]) throws(PebblesError) {
        let ds = Kernel.userDS
        // ds, es, ss must be the user data segment, cs the user code segment; fs/gs null or ours.
        guard u[2] == ds, u[3] == ds, u[19] == ds, u[16] == Kernel.userCS,
              u[4] == 0 || u[4] == ds, u[5] == 0 || u[5] == ds else { throw .invalidArgument }
        let flags = u[17]
        guard flags & Kernel.interruptFlag != 0, flags & Kernel.privilegedFlags == 0 else { throw .invalidArgument }
    }
}
