/// The kernel loop's hooks for exploration and schedule replay (PointController): the
/// decision at each preemption point, the step over a planted breakpoint, idle with virtual
/// time, and the deadlock check.
extension Kernel {
    /// Called by the kernel loop with every trap before it is served. At a preemption point
    /// (a system call, or a breakpoint this kernel planted) it numbers the point, records it,
    /// and when the schedule says so gives the CPU to the chosen thread before serving the
    /// trap; the trap is served when `t` runs again.
    func preemptionPoint(_ trap: Trap, _ t: Thread) {
        guard let p = points else { return }
        let index = p.pointCount
        let label: String, eip: UInt32, caller: UInt32
        var isYield = false
        switch trap {
        case .syscall(let v):
            let call = Kernel.systemCallTable.call(v)
            label = (call?.name ?? "syscall_\(hex(v, width: 2))")
            eip = t.frame.eip &- 2
            // The stubs (examples/lib/stub.S) push %esi before the `int` unless the call takes
            // no argument, so the return address is at esp or esp+4.
            caller = (try? t.task.space.readWord(t.frame.esp &+ (call?.arguments == ArgumentShape.none ? 0 : 4))) ?? 0
            isYield = v == 0x45
        case .breakpoint:
            guard let bp = plantedBreakpoint(t) else { return }
            label = bp.function
            eip = t.frame.eip &- 1
            // At a function's entry the return address is on top of the stack; a data-race
            // point is in the middle of a function and has no caller to show.
            let entry = bp.function != ForkRunner.racePointLabel
            caller = entry ? (try? t.task.space.readWord(t.frame.esp)) ?? 0 : 0
            if entry { p.lastCall[t.tid] = (bp.function, (try? t.task.space.readWord(t.frame.esp &+ 4)) ?? 0) }
            // What a deschedule inside this call waits for (its footprint, below).
            if Footprint.waitingCalls.contains(bp.function) { p.waitingOn[t.tid] = p.lastCall[t.tid]?.argument }
        default:
            return
        }
        // A thread reached a point: the one that served the last point did not stop after it
        // (or stopped and this is the next thread's point): no free decision is pending.
        p.lastServed = nil
        p.yielding = false
        p.reachedPoint(t.tid)
        if p.races != nil {
            raceSync(at: trap, t, function: trap == .breakpoint ? label : nil, caller: caller)
        }
        checkTimeout()   // no timer runs under a schedule; --timeout is wall-clock time all the same
        scheduler.wakeSleepers(now: ticks)
        let alternatives = scheduler.runQueue.all.map(\.tid)
        var target: Thread?
        if let tid = p.decision(alternatives: alternatives) {
            guard let u = threads[tid], u.state == .runnable else {
                reportBug(.mismatch, "the schedule does not fit this run: at point \(p.pointCount) thread \(tid) cannot run (runnable: \(alternatives.map(String.init).joined(separator: ", ")))")
            }
            target = u
        }
        // Every fourth point is enough: states that meet stay equal from then on (nothing
        // differs in their futures), so a meeting shows at the next multiple of four; past
        // the 256th point, every sixteenth (a long run spent a quarter of its time hashing
        // its pages, race_broken_lock; a meeting seen up to 15 points late there keeps a
        // reversal or two among thousands of points).
        if p.recording && p.pointCount >= p.fingerprintFrom && p.pointCount & (p.pointCount < 256 ? 3 : 15) == 0 {
            p.states[p.pointCount] = stateFingerprint(current: t, label: label)
        }
        p.note(PointRecord(index: p.pointCount, thread: t.tid, eip: eip, caller: caller, label: label,
                           alternatives: alternatives, switchedTo: target?.tid,
                           footprint: p.recording ? footprint(trap, t, label: label, servedLater: target != nil) : []))
        if p.pointCount > p.maxPoints {
            reportBug(.stepBound, "step bound exceeded: \(p.maxPoints) preemption points in one run (an endless loop? a program that needs more: --max-points)")
        }
        if p.noteYield(t.tid, isYield: isYield) { checkSpinDeadlock(spinner: t) }
        if let chosen = target?.tid {
            // Not held across the switch: the chosen thread may end before `t` runs again,
            // and a reference kept here would keep it alive until then (the task audit calls
            // that a leak; Tasks/README.md, "Object lifetimes").
            target = nil
            p.pendingTrap.insert(t.tid)
            scheduler.moveToFront(threads[chosen]!)
            scheduler.yield()
            p.pendingTrap.remove(t.tid)
        }
        // Served now: after the last point noted so far (PartialOrder's event order).
        if p.recording && !t.mustExit { p.served(index, after: p.pointCount - 1, thread: t.tid) }
        // If `t` stops running while this trap is served (it blocks, yields or ends in it),
        // the scheduler's pick next is the free decision after this point (freePick).
        p.lastServed = t.mustExit ? nil : (index, t.tid)
        // A yield to a named thread runs that thread (the program asked for it): no decision.
        p.yielding = isYield && Int32(bitPattern: t.frame.esi) == -1
    }

    /// The scheduler's pick when a thread stopped running (Scheduler.pickHook): right after it
    /// served point D (`lastServed`: no point since) and blocked or ended there, the run queue
    /// is the free decision's branches (recorded for the explorer) and a schedule's
    /// `next D THREAD` runs THREAD instead of the head. After an undirected yield at D the
    /// same among the *other* runnable threads it is fair to run (PointController.owed): a
    /// yield gives way, and which thread it gives way to preempts no one. The yielder going
    /// on instead, or a thread fairness holds back (`after-yield D THREAD`), preempts them and
    /// counts against the bound: the thread library's mutex yields on every failed try, and
    /// free decisions there that could pick the yielder again made the space of a spinning
    /// program too large to exhaust (explore_lost_wakeup ran out of its 120 s at bound 1,
    /// 1,841 runs); with only the others free, two threads have nothing free to decide at a
    /// yield. Any other pick (a preemption's switch, a directed yield, the first thread)
    /// takes the head.
    func freePick() -> Thread? {
        guard let p = points, let (d, stopped) = p.lastServed else { return nil }
        p.lastServed = nil
        let yielded = p.yielding
        p.yielding = false
        var queue = scheduler.runQueue.all.map(\.tid)
        var paid: [Int32]?
        if let me = threads[stopped], me.state == .runnable || me.state == .running {
            // Still runnable: it yielded (at the queue's back), or nothing stopped it here.
            guard yielded, me.state == .runnable, queue.last == stopped, queue.count >= 2 else { return nil }
            queue.removeLast()
            // Free: the threads it is fair to run next (PointController.owed); the rest and
            // the yielder at a preemption's cost (`after-yield D THREAD`). Only the explorer's
            // runs need to know which is which (a replay or a seeded run just checks that the
            // thread named can run; a seeded run yields a lot: no ledger kept there).
            if p.recording {
                let (fair, heldBack) = p.fairAfterYield(of: stopped, others: queue)
                queue = fair
                paid = heldBack + [stopped]
            } else {
                paid = [stopped]
            }
        }
        guard let tid = p.freeDecision(after: d, queue: queue, paid: paid) else { return nil }
        guard let u = threads[tid], u.state == .runnable, queue.contains(tid) || paid?.contains(tid) == true else {
            reportBug(.mismatch, "the schedule does not fit this run: after point \(d) thread \(tid) cannot run next (runnable: \(queue.map(String.init).joined(separator: ", ")))")
        }
        scheduler.runQueue.remove(u)
        return u
    }

    /// What the operation at this point touches that other threads see (PartialOrder,
    /// Footprint). Conservative: anything not known to be narrower touches everything.
    /// `servedLater`: the thread gives way at this point, so its operation is served after
    /// other threads ran; what depends on the state then (which tid a thread_fork takes,
    /// whether a vanish is its task's last) is not known here.
    private func footprint(_ trap: Trap, _ t: Thread, label: String, servedLater: Bool) -> [UInt64] {
        guard let p = points else { return [] }
        let arg = { (n: UInt32) in (try? t.task.space.readWord(t.frame.esp &+ 4 * n)) ?? 0 }
        switch trap {
        case .breakpoint:
            if label == ForkRunner.racePointLabel { return [] }   // its words: the explorer knows them
            if Footprint.objectCalls.contains(label) { return [UInt64(arg(1))] }
            if label == "cond_wait" { return [UInt64(arg(1)), UInt64(arg(2))] }
            if Footprint.wrappers.contains(label) { return [] }
            return [Footprint.everything]
        case .syscall(let v):
            var out: [UInt64]
            // A call made inside a library call works on that call's object too (the mutex's
            // yield to its holder, then its retry of the lock).
            let within: [UInt64] = p.lastCall[t.tid].flatMap { Footprint.objectCalls.contains($0.function) ? [UInt64($0.argument)] : nil } ?? []
            switch v {
            case 0x52:   // thread_fork
                // What sees a new thread: the tid it takes (two thread_forks reordered swap
                // their children's tids; fork takes tids too, and is `everything`), calls that
                // name that tid (make_runnable, yield: an error before it exists), the count of
                // live threads (the fork fails at Thread.limit; a vanish lowers it), and the
                // new thread's own events, which come after this one (`creating`, a clock
                // edge). Its task's thread list is read by fork, exec and the last thread's
                // vanish, all `everything`. Given way at, it is served after others ran and
                // may take another tid: then everything.
                if servedLater { return [Footprint.everything] }
                out = [Footprint.creating(nextTid), Footprint.tids, Footprint.thread(nextTid), Footprint.liveThreads]
            case 0x60:   // vanish
                // A thread's end is seen through its thread (make_runnable and yield naming it
                // fail from then on; thr_join waits for it that way) and the count of live
                // threads (thread_fork's limit; lowering it commutes with other vanishes, so
                // shared). Whether it ends the task is decided by the thread count of its task,
                // which only fork, exec and the vanishes read: the last thread's vanish (the
                // task's exit, which wait() and the parent see) touches everything, so two
                // vanishes of one task whose order decides which is last are dependent through
                // it. Nothing of the thread runs after it: no call's object (`within`) is
                // touched on its behalf. Given way at, others may vanish first and make it the
                // last: then everything.
                if servedLater || t.task.threads.count <= 1 { return [Footprint.everything] }
                return [Footprint.thread(t.tid), Footprint.shared(Footprint.liveThreads)]
            case 0x46:   // deschedule
                // It reads the guest's *reject and blocks its own thread: make_runnable and
                // yield naming the thread see that (thread(self)), and a write of the word
                // decides what it reads. A write by the program's own code is ordered with this
                // read by other points (a lock, a make_runnable) unless it races with it, and
                // race watching counts this read as an access of the word by this thread
                // (Kernel+Races.swift), so a racing write becomes a data-race point whose
                // footprint is the word, which meets this one (reads of it by other
                // deschedules commute: shared). A write by the thread library is not watched:
                // cond_wait's flag is set by cond_signal or cond_broadcast, between their
                // entry (on the condition) and their make_runnable, so a deschedule inside a
                // waiting call (cond_wait, sem_wait, rwlock_lock: `Footprint.waitingCalls`)
                // touches that call's object too (`waitingOn`: the last such call's, kept
                // after it returns: a stale object only adds dependences); a library that
                // sets the word under a mutex it took at a point (sem_wait's own lock, say)
                // has that mutex in `within`, as for any call made inside a library call.
                let a = t.frame.esi
                out = [Footprint.thread(t.tid), Footprint.shared(UInt64(a & ~3))]
                if a & 3 != 0 { out.append(Footprint.shared(UInt64((a &+ 3) & ~3))) }
                if let o = p.waitingOn[t.tid] { out.append(UInt64(o)) }
            case 0x47: out = [Footprint.thread(Int32(bitPattern: t.frame.esi))]   // make_runnable
            case 0x4A:
                // remove_pages: the words of its region that another thread was seen to use
                // (race watching counts the unmapping as a write of each: RaceDetector.kernelUnmap;
                // the explorer turns the region into those words, PartialOrder.footprint), and
                // the region itself (another remove_pages or new_pages of it). It was
                // everything: every thr_join's remove_pages then raced with every point of
                // every other thread, and each reversal made another one point earlier, a
                // chain through a whole thread (race_broken_lock: 3,000 runs of such chains
                // in 60 s, its bug not found).
                let base = t.frame.esi
                guard base & UInt32(pageSize - 1) == 0, let pages = t.task.space.regions[base >> pageShift] else {
                    return [Footprint.everything]   // it fails: whatever it does, nothing is known
                }
                out = [Footprint.unmapping(base), Footprint.unmapLength(pages << pageShift)]
            case 0x45:   // yield: to a thread whose state it reads
                let tid = Int32(bitPattern: t.frame.esi)
                out = tid >= 0 ? [Footprint.thread(tid)] : []
            default:
                let name = Kernel.systemCallTable.call(v)?.name ?? ""
                if Footprint.local.contains(name) { out = [] }
                else if Footprint.consoleCalls.contains(name) { out = [Footprint.console] }
                else { return [Footprint.everything] }
            }
            return out + within
        default:
            return [Footprint.everything]
        }
    }

    /// The breakpoint `t` just hit, if this kernel planted it (eip is past the int3).
    func plantedBreakpoint(_ t: Thread) -> Breakpoint? {
        guard let p = points, t.task.name == p.program else { return nil }
        return p.breakpoints[t.frame.eip &- 1]
    }

    /// Runs the instruction a planted breakpoint covers, as the guest would have run it: the
    /// original byte goes back, the thread steps exactly one instruction (soft-TLB faults on
    /// the way are served and the instruction retried), and the int3 goes back in. No other
    /// guest runs meanwhile, so no thread can see the text without its breakpoint.
    ///
    /// In a watched run (race detection, Kernel+Races.swift) the instruction under a
    /// data-race point is watched like any other: its access faults on the withdrawn page
    /// and `raceFault` records it (thread, word, read or write, instruction, with the
    /// thread's pending acquires), carries it out (AccessEmulation, else a step) and takes
    /// the page back. Stepped plainly, its access went unrecorded (a race between it and an
    /// instruction that is no point yet was missed) and its page stayed shown until the next
    /// point (the thread's further accesses to it went unseen too). The forms `emulate`
    /// carries out touch only the stack pointer's neighbourhood, which is never watched.
    /// Library entries are stepped plainly: their accesses are not recorded anyway.
    func stepOverBreakpoint(_ t: Thread) {
        guard let bp = plantedBreakpoint(t) else { return }
        let address = t.frame.eip &- 1
        if emulate(bp.emulation, t, at: address) { return }
        let space = t.task.space
        let watched = points?.races != nil && bp.function == ForkRunner.racePointLabel
        if !watched && bp.function == ForkRunner.racePointLabel && carryOutRacePoint(t, at: address, original: bp.original) { return }
        PreemptionPoints.poke(space, address, bp.original)
        t.frame.eip = address
        machine.setStepping(true)
        // Otherwise its page faults are served plainly (Kernel+Races.swift).
        if !watched { points?.raceStepping = true }
        defer {
            points?.raceStepping = false
            machine.setStepping(false)
            PreemptionPoints.poke(space, address, PreemptionPoints.int3)
        }
        while !t.mustExit {
            // A watched access that raceFault stepped turned stepping off after it.
            if watched { machine.setStepping(true) }
            machine.stepBudget = 1
            let trap = machine.run(t)
            if trap == .step { return }
            handle(trap, from: t)
            // An interrupt came before the instruction ran, or the soft-TLB filled in for it:
            // step it again (anything else depending on the timer would make runs differ).
            // A watched access (above) was carried out by raceFault, or its page was only
            // shown (near the stack pointer) and the instruction is stepped again.
            // Any other trap ended the step: the instruction faulted (the fault was
            // delivered) or trapped; either way it is done.
            switch trap {
            case .timer, .io, .pageFault:
                if t.frame.eip == address { continue }
                return
            default:
                return
            }
        }
    }

    /// Ends a run that has gone on longer than its wall-clock limit: a guest looping with no
    /// preemption point never traps, so only the clock can tell.
    func checkRunTime() {
        checkTimeout()
        guard let p = points, let limit = p.runLimitNanoseconds, machine.nanoseconds >= p.runStartNanoseconds + limit else { return }
        // Whole seconds as such, a fraction as given (--run-limit 0.5 said "more than 0 s").
        let seconds = Double(limit) / 1e9
        let shown = seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
        reportBug(.stepBound, "step bound exceeded: the run took more than \(shown) s (\(p.pointCount) preemption points); an endless loop? (a program that needs longer: --run-limit)")
    }

    /// Carries out an emulated first instruction (PreemptionPoints.swift), exactly as the CPU
    /// would; false when it must be stepped instead (a stack access that would fault: the real
    /// instruction then raises the real fault).
    private func emulate(_ e: Emulation, _ t: Thread, at address: UInt32) -> Bool {
        let space = t.task.space
        switch e {
        case .push(let r):
            let esp = t.frame.esp &- 4
            guard (try? space.writeWord(t.frame.register(r), to: esp)) != nil else { return false }
            t.frame.esp = esp
            t.frame.eip = address &+ 1
        case .loadFromStack(let r, let d, let length):
            guard let v = try? space.readWord(t.frame.esp &+ UInt32(bitPattern: d)) else { return false }
            t.frame.setRegister(r, v)
            t.frame.eip = address &+ length
        case .jump(let target):
            t.frame.eip = target
        case .subtractFromStack(let immediate, let length):
            (t.frame.esp, t.frame.eflags) = AccessEmulation.arithmetic(.sub, t.frame.esp, immediate, size: 4, flags: t.frame.eflags)
            t.frame.eip = address &+ length
        case .step:
            return false
        }
        return true
    }

    /// A bug the kernel saw itself: the explorer (or `run --schedule`) ends the run with it.
    func reportBug(_ kind: BugKind, _ message: String) -> Never {
        if let hook = points?.bugHook { hook(kind, message) }
        // The message starts with what it is ("deadlock: ...", "step bound exceeded: ...").
        consoleWrite(Array("\(message)\n".utf8))
        KernelLog.echo("kernel: \(message)", consoleFD: consoleStream)
        halt(status: 3)
    }

    /// Idle under a schedule: virtual time jumps to the first sleeper's tick; with no sleeper
    /// and no runnable thread nothing can ever run again (there is no timer and no keyboard
    /// input under exploration): a deadlock, unless every task has ended.
    func scheduledIdle() {
        if liveTasks == 0 { halt(status: firstTaskStatus ?? 0) }
        guard scheduler.runQueue.isEmpty else { return }
        if let first = scheduler.sleepers.first, let p = points {
            if first.wakeTick > ticks { p.idleTicks += first.wakeTick - ticks }
            scheduler.wakeSleepers(now: ticks)
            return
        }
        reportBug(.deadlock, "deadlock: every thread is blocked and nothing can wake one\n" + waitReport())
    }

    /// Spinning threads (PointController.spinYields yields in a row) and blocked ones only:
    /// nobody left makes progress, a livelock that is a deadlock in disguise when the thread
    /// library's locks yield instead of blocking. A sleeper will wake, so it is not stuck.
    private func checkSpinDeadlock(spinner: Thread) {
        guard let p = points else { return }
        let live = threads.values
        let stuck = live.allSatisfy { u in
            switch u.state {
            case .descheduled: true
            case .blocked: u.waitingIn !== scheduler.sleepers
            case .runnable, .running: p.isSpinning(u.tid)
            case .exited: true
            }
        }
        guard stuck else { return }
        reportBug(.deadlock, "deadlock: every thread is blocked or spins in yield, and none can make progress\n" + waitReport())
    }

    /// One line per live thread: what it waits for.
    func waitReport() -> String {
        threads.values.sorted { $0.tid < $1.tid }.map { u in
            var what: String
            switch u.state {
            case .descheduled: what = "descheduled (deschedule), no make_runnable will come"
            case .blocked: what = "blocked in the kernel waiting for \(u.waitingIn?.name ?? "?")"
            case .runnable, .running: what = points?.isSpinning(u.tid) == true ? "spins calling yield" : "runnable"
            case .exited: what = "exited"
            }
            if let c = points?.lastCall[u.tid] {
                what += "; last thread-library call \(c.function)(\(symbolicArgument(c.argument, task: u.task)))"
            }
            return "  thread \(u.tid) (task \(u.task.id)): \(what)"
        }.joined(separator: "\n")
    }

    /// A pointer argument as `0x... <symbol>` when the program has a symbol there.
    private func symbolicArgument(_ a: UInt32, task: Task) -> String {
        guard let name = points?.symbolNamer?(a) else { return hex(a) }
        return "\(hex(a)) <\(name)>"
    }
}
