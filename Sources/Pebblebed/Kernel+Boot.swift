import Glibc

extension Kernel {
    /// Boots the machine and runs it until it halts. Returns only by throwing a boot error.
    public static func boot(_ options: BootOptions) throws(BootError) -> Never {
        let k = try prepare(options)
        // SIGHUP/SIGINT/SIGTERM halt the machine from here on (Kernel+HaltSignal.swift). Not
        // under a gdb stub: the stub waits for gdb in host calls, where the kernel cannot serve
        // the stop, and `run --gdb` ends the machine with SIGTERM when gdb failed. (The
        // explorer's forked runs start from `prepare`: a ^C ends them at once, as before.)
        if options.gdbPort == nil && options.gdbListenFD == nil { HostTerminal.serveHaltSignals() }
        k.start()
    }

    /// Boots the machine up to the first task's first instruction: devices, the first task
    /// loaded and runnable, the timer (unless time is virtual), the host-call filter. The
    /// explorer forks the machine from here (Explore/Explorer.swift).
    public static func prepare(_ options: BootOptions) throws(BootError) -> Kernel {
        // `monitor log` shows the whole log: keep it from the first line.
        if options.gdbPort != nil || options.gdbListenFD != nil { KernelLog.keepsHistory = true }
        let disk = try RAMDisk(directory: options.ramdisk)
        if let bytes = options.hostProgram { disk.add(name: options.program, contents: bytes) }
        guard disk.contents(of: options.program) != nil else {
            if let failure = disk.lastFailure, failure.name == options.program {
                throw .program("\(options.program): cannot read it from the RAM disk \(options.ramdisk): \(failure.why)")
            }
            throw .program("\(options.program): no such program in the RAM disk \(options.ramdisk)")
        }
        HostProcess.physicalMemoryBytes = UInt64(options.memoryBytes)
        // Reserve the guest range before anything else of this process can land in it.
        try HostMapping.reserve(start: HostMapping.lowStart, end: HostMapping.guestStart)
        try HostMapping.reserve(start: HostMapping.guestStart, end: HostMapping.guestEnd)
        memory = try Memory(bytes: options.memoryBytes)
        let machine = try HostMachine()
        let k = Kernel(options: options, ramdisk: disk, machine: machine)
        kernel = k
        // Before the devices take the terminal: a port in use fails the boot with it untouched.
        try k.setUpDebugger()
        try k.installDevices()
        // Before the program loads: the loader plants the preemption points' breakpoints.
        if let schedule = options.schedule {
            k.points = PointController(schedule: schedule, program: options.program)
            if let n = options.scheduleMaxPoints { k.points!.maxPoints = n }
        } else if options.seedAtPoints, let seed = options.seed {
            k.points = PointController(schedule: Schedule(), program: options.program)
            k.points!.seeded = PointController.SeededPolicy(seed: seed)
        }
        k.points?.recording = false   // the explorer turns it on in its runs
        try k.makeFirstTask()
        k.setUpChaosAndTrace()
        // Seeded runs and scheduled runs keep no timer: time is counted in guest instructions
        // (Chaos) or preemption points (PointController), and a tick must not preempt.
        if k.points == nil && options.seed == nil {
            let tErr = machine.startTimer(periodNanoseconds: k.tickNanoseconds)
            guard tErr == 0 else { throw .host("starting the timer", tErr) }
        } else if let p = k.points {
            // The schedule's wall-clock step bound (BootOptions.scheduleRunLimitSeconds).
            if let limit = options.scheduleRunLimitSeconds, k.debugger == nil {
                p.runLimitNanoseconds = UInt64(limit * 1e9)
                p.runStartNanoseconds = machine.nanoseconds
            }
            // Under points the timer never preempts; it only watches --timeout and that step
            // bound, which a guest looping with no preemption point would otherwise never
            // reach, and gdb's ^C.
            if options.simics.timeoutNanoseconds != nil || k.debugger != nil || p.runLimitNanoseconds != nil {
                let tErr = machine.startTimer(periodNanoseconds: 100_000_000)
                guard tErr == 0 else { throw .host("starting the timer", tErr) }
            }
        }
        try machine.installHostCallFilter()
        return k
    }

    /// Runs the machine from the boot stack, which becomes the scheduler's context: the first
    /// task's thread runs first. Returns only by halting.
    public func start() -> Never {
        scheduler.idleHook = { [unowned self] in points != nil ? scheduledIdle() : idleService() }
        // Only under a schedule: every switch asks the hook, and a plain run's switches should
        // not pay for a call that always says "the head" (the yield ping-pong bench saw 4%).
        if points != nil { scheduler.pickHook = { [unowned self] in freePick() } }
        scheduler.run()
    }

    /// Loads the first task and queues its thread for `Scheduler.start`.
    private func makeFirstTask() throws(BootError) {
        let image: LoadedProgram
        do {
            image = try ProgramLoader.load(name: options.program, arguments: options.arguments.map { Array($0.utf8) })
        } catch {
            throw .program("\(options.program): \(error.description)")
        }
        let tid = allocateTid()
        let task = Task(id: tid, space: image.space, name: options.program)
        let thread: Thread
        do { thread = try Thread(tid: tid, task: task, scheduler: scheduler) } catch {
            throw .config("out of host memory for the first thread")
        }
        task.threads = [thread]
        image.start(thread)
        threads[tid] = thread
        firstTask = task
        liveTasks = 1
        scheduler.makeRunnable(thread)
    }

    private func setUpChaosAndTrace() {
        if let seed = options.seed, points == nil {
            scheduler.chaos = Chaos(seed: seed)
            machine.setStepping(true)
        }
        // Whatever trace is on when the machine stops is closed: --trace's, or one the monitor
        // started (`trace start`); one the monitor stopped is gone from the scheduler already.
        shutdownHooks.append { [unowned self] in
            scheduler.trace?.write(finalThread: scheduler.current)
            scheduler.trace = nil
        }
        if let path = options.tracePath {
            // main checked the path before booting; it can only fail here if it changed since.
            let (opened, problem) = Trace.open(path: path)
            guard let trace = opened else { KernelLog.line("pebblebed: \(problem ?? path); no trace"); return }
            scheduler.trace = trace
        }
    }

    /// What idle does between interrupts: wake sleepers whose tick has come.
    func idleService() {
        _ = machine.takeTimerInterrupt()
        serveHaltSignal()
        scheduler.wakeSleepers(now: ticks)
        checkTimeout()
        if let debugger {
            debugger.releaseParkedIfSoloBlocked()
            debugger.pollInterrupt()
            debugger.stopWhileIdle()
        }
        if machine.takeKeyboardInterrupt() { ioHook() }
        if liveTasks == 0 { halt(status: firstTaskStatus ?? 0) }
    }
}
