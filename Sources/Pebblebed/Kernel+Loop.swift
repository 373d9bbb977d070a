/// The kernel loop: what every guest thread's kernel side does from its first instruction to its
/// end, as xv6's usertrap/usertrapret or gVisor's task run loop. It runs on the thread's own
/// kernel stack, with interrupts off, and is an ordinary function: blocking calls inside
/// `handle` switch to the scheduler and return when the thread runs again; when the thread must
/// exit, the loop ends and the function returns.
extension Kernel {
    func threadLoop(_ t: Thread) {
        while !t.mustExit {
            scheduler.enterUser(now: ticks)
            if let debugger, debugger.active {
                debuggedRound(t, debugger)
                continue
            }
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
        debugger?.threadExits(t)
        scheduler.trace?.ended(t)   // here, not in vanish, which must not allocate
        vanish(t)
    }

    /// One round of the loop under a gdb stub (Debugger/): the stub says before the run whether
    /// it is one instruction (a step), and after it whether the trap is its own (its
    /// breakpoint, its step, a watched page): then it served it (stopping the machine until gdb
    /// resumes it) and the guest runs again. Every other trap is handled as without a stub,
    /// preemption points included: a replayed schedule (or a seed at points) numbers the same
    /// points in the same order as without gdb, because none of the stub's traps is a point
    /// (its breakpoints, steps and watched pages are claimed above, before the point is
    /// counted) and a point is counted once, when the thread goes on past it.
    private func debuggedRound(_ t: Thread, _ debugger: Debugger) {
        let step = debugger.willRun(t)
        if t.mustExit { return }   // it waited (another thread ran alone) and must end
        let trap = step ? machine.runOneInstruction(t) : machine.run(t)
        if debugger.claim(trap, from: t, stepped: step) { return }
        if points != nil {
            preemptionPoint(trap, t)
            if t.mustExit { return }
        }
        handle(trap, from: t)
        debugger.afterHandle(t)
        // A watched access half done keeps the CPU: another thread of the task would find
        // the watched page shown (the preemption waits for the next trap).
        if !debugger.holdsCPU(t) && scheduler.shouldGiveWay(after: trap) { scheduler.yield() }
    }

    /// One trap of thread `t`: a system call, a fault, an interrupt.
    func handle(_ trap: Trap, from t: Thread) {
        if scheduler.chaos != nil { chaosEntry(trap) }
        if let trace = scheduler.trace { trace.trap(trap, thread: t) }
        switch trap {
        case .syscall(let vector):
            systemCall(vector, from: t)
        case .pageFault(let address, let write, let outside):
            // Race detection (Explore/Kernel+Races.swift) sees shared accesses as faults.
            if points?.races != nil, !outside, raceFault(t, address: address, write: write) { break }
            pageFault(t, at: address, write: write, outsideGuest: outside)
        case .exception(let cause, let address, _):
            guestFault(t, cause: cause, address: address, detail: nil)
        case .breakpoint:
            if plantedBreakpoint(t) != nil { stepOverBreakpoint(t) } else { guestFault(t, cause: 0x03, address: 0, detail: nil) }
        case .timer where points != nil:
            // Under a schedule the timer only watches the wall clock (a run past its time
            // limit is a bug); a tick never preempts, or the schedule would not replay.
            _ = machine.takeTimerInterrupt()
            serveHaltSignal()
            debugger?.pollInterrupt()   // gdb's ^C reaches a guest looping with no point
            checkRunTime()
        case .timer:
            timerInterrupt()
        case .io:
            keyboardInterrupt()
        case .step:
            break   // chaosEntry asked for the preemption
        case .hostSyscall(let number):
            kill(t, fault: "host system call", reason: "made a host system call (number \(number)) from guest code")
        case .segment(let selector):
            kill(t, fault: "segment load", reason: "loaded segment selector \(hex(selector, width: 4)) (a Pebbles program holds only the user segments, null in FS/GS, in 32-bit mode)")
        }
    }

    /// A page fault: the soft-TLB fills in, a copy-on-write or zero-fill page gets its frame
    /// (AddressSpace+Fault.swift), or the access was not allowed and the guest sees a fault.
    private func pageFault(_ t: Thread, at address: UInt32, write: Bool, outsideGuest: Bool) {
        let outcome = outsideGuest ? .violation : t.task.space.handleFault(at: address, write: write)
        switch outcome {
        case .violation:
            guestFault(t, cause: 0x0E, address: address, detail: write ? "write" : "read")
        case .mapped:
            // Only a soft-TLB fill: the page was the thread's already, and the switch that
            // brought the thread in withdrew it. The quantum starts again (Scheduler.restartSlice).
            scheduler.restartSlice(now: ticks)
        case .zeroFilled, .copied:
            break   // the thread's own work: it counts against its quantum like any other
        }
    }

    /// A fault for the guest (its swexn handler, or a kill). Under gdb it stops there first,
    /// as the matching signal; gdb's resume says whether the guest gets it (Debugger.faultStops).
    private func guestFault(_ t: Thread, cause: UInt32, address: UInt32, detail: String?) {
        if let debugger, debugger.active, !debugger.faultStops(t, cause: cause) { return }
        deliverFault(t, cause: cause, address: address, detail: detail)
    }

    /// Seeded runs: account the instructions just run and decide, from the seed only, whether
    /// this entry is a preemption point.
    private func chaosEntry(_ trap: Trap) {
        scheduler.chaos!.account(left: machine.stepBudget)
        scheduler.wakeSleepers(now: ticks)
        if trap == .step || scheduler.chaos!.preemptNow() { scheduler.preemptPending = true }
        debugger?.pollInterrupt()   // seeded runs have no timer tick to look for gdb's ^C at
        checkTimeout()   // seeded runs have no timer; --timeout is wall-clock time all the same
    }

    /// The timer interrupt. Its note is cleared before it is served: a tick noted between the
    /// clear and the service is covered by it (ticks are read from the clock), and one noted
    /// after the service stays set for the next exit.
    func timerInterrupt() {
        _ = machine.takeTimerInterrupt()
        serveHaltSignal()
        scheduler.tick(now: ticks)
        debugger?.pollInterrupt()   // gdb's ^C: a guest spinning in user mode still takes ticks
        checkTimeout()
    }

    /// The keyboard interrupt (same rule: stdin is drained to empty by the service).
    func keyboardInterrupt() {
        _ = machine.takeKeyboardInterrupt()
        ioHook()
    }
}
