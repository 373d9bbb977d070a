/// The kernel loop: what every guest thread's kernel side does from its first instruction to its
/// end, as xv6's usertrap/usertrapret or gVisor's task run loop. It runs on the thread's own
/// kernel stack, with interrupts off, and is an ordinary function: blocking calls inside
/// `handle` switch to the scheduler and return when the thread runs again; when the thread must
/// exit, the loop ends and the function returns.
extension Kernel {
    func threadLoop(_ t: Thread) {
        while !t.mustExit {
            scheduler.enterUser()
            let trap = machine.run(t)
            if points != nil {
                // Exploration and schedule replay decide here, before the trap is served; a
                // thread given way at a point may have been told to exit meanwhile.
                preemptionPoint(trap, t)
                if t.mustExit { break }
            }
            handle(trap, from: t)
            if scheduler.shouldGiveWay(after: trap) { scheduler.yield() }
        }
        vanish(t)
    }

    /// One trap of thread `t`: a system call, a fault, an interrupt.
    func handle(_ trap: Trap, from t: Thread) {
        if scheduler.chaos != nil { chaosEntry(trap) }
        if let trace = scheduler.trace { trace.instant(trap.traceName, thread: t) }
        switch trap {
        case .syscall(let vector):
            systemCall(vector, from: t)
        case .pageFault(let address, let write, let outside):
            // Race detection (Explore/Kernel+Races.swift) sees shared accesses as faults.
            if points?.races != nil, !outside, raceFault(t, address: address, write: write) { break }
            pageFault(t, at: address, write: write, outsideGuest: outside)
        case .exception(let cause, let address, _):
            deliverFault(t, cause: cause, address: address, detail: nil)
        case .breakpoint:
            if plantedBreakpoint(t) != nil { stepOverBreakpoint(t) } else { deliverFault(t, cause: 0x03, address: 0, detail: nil) }
        case .timer where points != nil:
            // Under a schedule the timer only watches the wall clock (a run past its time
            // limit is a bug); a tick never preempts, or the schedule would not replay.
            _ = machine.takeTimerInterrupt()
            checkRunTime()
        case .timer:
            timerInterrupt()
        case .io:
            keyboardInterrupt()
        case .step:
            break   // chaosEntry asked for the preemption
        case .hostSyscall(let number):
            kill(t, reason: "made a host system call (number \(number)) from guest code")
        case .segment(let selector):
            kill(t, reason: "loaded segment selector \(hex(selector, width: 4)) (guests run in 32-bit user mode only)")
        }
    }

    /// A page fault: the soft-TLB fills in, a copy-on-write or zero-fill page gets its frame
    /// (AddressSpace+Fault.swift), or the access was not allowed and the guest sees a fault.
    private func pageFault(_ t: Thread, at address: UInt32, write: Bool, outsideGuest: Bool) {
        if outsideGuest || t.task.space.handleFault(at: address, write: write) == .violation {
            deliverFault(t, cause: 0x0E, address: address, detail: write ? "write" : "read")
        }
    }

    /// Seeded runs: account the instructions just run and decide, from the seed only, whether
    /// this entry is a preemption point.
    private func chaosEntry(_ trap: Trap) {
        scheduler.chaos!.account(left: machine.stepBudget)
        scheduler.wakeSleepers(now: ticks)
        if trap == .step || scheduler.chaos!.preemptNow() { scheduler.preemptPending = true }
        checkTimeout()   // seeded runs have no timer; --timeout is wall-clock time all the same
    }

    /// The timer interrupt. Its note is cleared before it is served: a tick noted between the
    /// clear and the service is covered by it (ticks are read from the clock), and one noted
    /// after the service stays set for the next exit.
    func timerInterrupt() {
        _ = machine.takeTimerInterrupt()
        scheduler.tick(now: ticks)
        checkTimeout()
    }

    /// The keyboard interrupt (same rule: stdin is drained to empty by the service).
    func keyboardInterrupt() {
        _ = machine.takeKeyboardInterrupt()
        ioHook()
    }
}
