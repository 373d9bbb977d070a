import CShims
import Glibc

/// Where every trap and interrupt from a guest enters the kernel: on the current thread's kernel
/// stack, interrupts off, its user state saved in its trap frame.
/// `handle` returns before `returnToUser` so that its references are released: the trap's
/// stack frames are abandoned when the thread returns to user mode or exits.
let kernelEntry: pb_kernel_entry_fn = { ev in
    let trap = Trap(ev!.pointee)
    kernel.handle(trap)
    kernel.returnToUser(afterTrap: trap.countsForYieldOnTrap)
}

/// A fault while the kernel itself ran: a kernel bug.
let kernelFaultPanic: pb_panic_fn = { signo, code, addr, regs in
    kernelPanicReport(signal: signo, code: code, address: addr, regs: regs?.pointee)
}

extension Kernel {
    func handle(_ trap: Trap) {
        let t = scheduler.current!
        if scheduler.chaos != nil { chaosEntry(trap) }
        if let trace = scheduler.trace { trace.instant(trap.traceName, thread: t) }
        switch trap {
        case .syscall(let vector):
            t.frame.pointee.regs.rip &+= 2
            if let result = dispatchSyscall(vector: vector, thread: t) {
                t.frame.pointee.regs.rax = UInt64(UInt32(bitPattern: result))
            }
        case .pageFault(let address, let write, let outside):
            if outside || t.task.space.handleFault(at: address, write: write) == .violation {
                deliverFault(t, cause: 0x0E, address: address, detail: write ? "write" : "read")
            }
        case .exception(let cause, let address, _):
            deliverFault(t, cause: cause, address: address, detail: nil)
        case .timer:
            timerInterrupt()
        case .io:
            ioInterrupt()
        case .step:
            break   // chaosEntry asked for the preemption
        case .hostSyscall(let number):
            kill(t, reason: "made a host system call (number \(number)) from guest code")
        case .segment(let selector):
            kill(t, reason: "loaded segment selector \(hex(selector, width: 4)) (guests run in 32-bit user mode only)")
        }
    }

    /// Leaves the kernel for the current thread's user code, taking a pending preemption (or
    /// the yield-on-every-trap policy) and ending threads that must exit on the way.
    /// Never resumed after pb_return_to_user or vanish, so it holds no object reference itself
    /// (a retain here would never be released): it asks helpers that return.
    func returnToUser(afterTrap: Bool = true) -> Never {
        var trapped = afterTrap
        while true {
            if currentMustExit() { vanishCurrent() }
            if scheduler.shouldGiveWay(afterTrap: trapped) {
                trapped = false
                scheduler.yield()
                continue
            }
            scheduler.enterUser()
            pb_return_to_user(currentFrame())
        }
    }

    private func currentMustExit() -> Bool { scheduler.current.mustExit }
    private func currentFrame() -> UnsafeMutablePointer<pb_trapframe> { scheduler.current.frame }

    /// Seeded runs: account the instructions just run and decide, from the seed only, whether
    /// this entry is a preemption point.
    private func chaosEntry(_ trap: Trap) {
        scheduler.chaos!.account()
        scheduler.wakeSleepers(now: ticks)
        if trap == .step || scheduler.chaos!.preemptNow() { scheduler.preemptPending = true }
        checkTimeout()   // seeded runs have no timer; --timeout is wall-clock time all the same
    }

    /// Each note is cleared before it is served: a signal noted between the clear and the
    /// service is covered by it (ticks are read from the clock, stdin is drained to empty), and
    /// one noted after the service stays set for the next exit.
    func timerInterrupt() {
        pb_pending_timer = 0
        scheduler.tick(now: ticks)
        checkTimeout()
    }

    func ioInterrupt() {
        pb_pending_io = 0
        ioHook()
    }
}
