/// Software exceptions (swexn): a guest's own fault handler.
extension Kernel {
    /// Privileged eflags bits a handler may not set: IOPL, VM, VIF, VIP. NT, AC and ID are the
    /// program's own (popf sets them in user mode, and a fault's ureg shows them), and RF comes
    /// back from faults, so a handler copying its ureg keeps them all.
    static let privilegedFlags: UInt32 = 0x3000 | 0x20000 | 0x80000 | 0x100000
    /// TF: the program's single-step trap. The handler starts without it, as the CPU starts an
    /// exception handler (and Linux a signal handler); the ureg shows the thread's.
    static let trapFlag: UInt32 = 0x100
    /// IF: interrupts stay on in user mode.
    static let interruptFlag: UInt32 = 0x200

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
        kill(t, fault: exceptionName(cause), reason: "\(what)\(at), eip \(hex(t.frame.eip))")
    }

    /// Builds the handler's frame on its exception stack: the ureg, then a cdecl call
    /// eip(arg, ureg) with a dummy return address. False if the stack is not writable.
    private func pushExceptionFrame(_ t: Thread, handler h: SwexnRegistration, cause: UInt32, cr2: UInt32) -> Bool {
        let u = Ureg(t.frame, cause: cause, cr2: cr2)
        let top = h.stack & ~3
        guard top >= GuestLayout.userStart + UInt32(Ureg.byteCount + 16) else { return false }
        let uregAddress = top - UInt32(Ureg.byteCount)
        let esp = uregAddress - 12
        let frame = [0, h.argument, uregAddress] + u.words
        do { try t.task.space.copyOut(littleEndianBytes(words: frame), to: esp) } catch { return false }
        t.frame.eip = h.handler
        t.frame.esp = esp
        t.frame.eflags &= ~Kernel.trapFlag
        return true
    }

    /// swexn(esp3, eip, arg, newureg): all or nothing. Returns whether the thread now resumes
    /// with `newureg`'s registers.
    func swexn(_ t: Thread, esp3: UInt32, eip: UInt32, arg: UInt32, newureg: UInt32) throws(PebblesError) -> Bool {
        let register = esp3 != 0 && eip != 0
        if register {
            guard esp3 >= GuestLayout.userStart, eip >= GuestLayout.userStart else { throw .badAddress }
        }
        var adopted: Ureg? = nil
        if newureg != 0 {
            let u = Ureg(words: try t.task.space.readWords(newureg, count: Ureg.wordCount))
            try checkUreg(u)
            adopted = u
        }
        t.swexn = register ? SwexnRegistration(stack: esp3, handler: eip, argument: arg) : nil
        guard let u = adopted else { return false }
        t.frame.adopt(u)
        return true
    }

    /// A handler may change general registers, eip, esp and user flags, nothing privileged.
    private func checkUreg(_ u: Ureg) throws(PebblesError) {
        let ds = GuestLayout.userDataSelector
        // ds, es, ss must be the user data segment, cs the user code segment; fs/gs null (any
        // RPL) or ours, what a thread may load itself (the trap path allows the same: Machine/README.md, "Segments").
        func dataOrNull(_ s: UInt32) -> Bool { s & ~3 == 0 || s == ds }
        guard u.ds == ds, u.es == ds, u.ss == ds, u.cs == GuestLayout.userCodeSelector,
              dataOrNull(u.fs), dataOrNull(u.gs) else { throw .invalidArgument }
        guard u.eflags & Kernel.interruptFlag != 0, u.eflags & Kernel.privilegedFlags == 0 else { throw .invalidArgument }
    }
}
