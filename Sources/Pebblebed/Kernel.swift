import Glibc

/// How to boot the machine.
public struct BootOptions {
    public var memoryBytes = 128 << 20
    public var hz = 100
    public var ramdisk = "build/ramdisk"
    /// The first task's program (a RAM-disk name) and its arguments (argv[0] first).
    public var program = "init"
    public var arguments: [String] = ["init"]
    /// Whether the first task is the machine's init, which adopts every orphan (booting the
    /// RAM disk's init; `pebblebed run --init`). `pebblebed run` clears it: the kernel is the
    /// init above the program and collects orphans itself (Tasks/README.md).
    public var firstTaskIsInit = true
    /// A host file to run instead of a RAM-disk program.
    public var hostProgram: [UInt8]? = nil
    /// Check frame accounting after every task exit, not only at halt.
    public var audit = false
    /// 15-410 test verdicts and the timeout (Simics/).
    public var simics = SimicsOptions()
    /// Debug only: vector 0x8F makes the kernel panic (tests of the panic path).
    public var debugPanicVector = false
    /// Seeded, reproducible scheduling chaos (see Scheduler/Chaos.swift); nil for normal runs.
    public var seed: UInt64? = nil
    /// Write a Chrome-trace timeline of the run here.
    public var tracePath: String? = nil
    /// Serve gdb (Debugger/) on 127.0.0.1 at this port; the guest waits for it before its
    /// first instruction.
    public var gdbPort: UInt16? = nil
    /// ... or on this listening socket, made by `pebblebed run --gdb` before it started gdb.
    public var gdbListenFD: Int32? = nil
    /// Pass the console through as plain text even on a terminal (`--console plain`; under
    /// --gdb, gdb owns the terminal: a drawn 80x25 screen would overwrite its session).
    public var plainConsole = false
    /// Print a line naming the host keys first on the console when a person types at it
    /// (`pebblebed boot`, what `make run` starts).
    public var consoleBanner = false

    /// Redirect recognised system-call stubs to the gate at exec (issue 20); `--no-fastcall`
    /// clears it. Seeded runs never do (see `fastCallEnabled`).
    public var fastCall = true

    /// Replay this schedule: preempt only at its points (Explore/); nil for normal runs.
    public var schedule: Schedule? = nil
    /// The step bounds of the explore run the schedule came from (its file's `run-limit` and
    /// `max-points`): the replay of a run explore ended as an endless loop ends the same way
    /// (exit 3) instead of looping for ever. Not the wall-clock one under gdb, whose stops
    /// are not the guest's time.
    public var scheduleRunLimitSeconds: Double? = nil
    public var scheduleMaxPoints: Int? = nil
    /// With `seed`: seeded decisions at preemption points only (Explore/PointController),
    /// instead of single-stepping the guest (Scheduler/Chaos).
    public var seedAtPoints = false
    public init() {}
}

/// The kernel: one per machine (one per host process), reached through the global `kernel`.
/// It runs only with interrupts off (an interrupt then only notes itself, see Machine), either
/// in a thread's kernel loop on that thread's kernel stack, or in the scheduler loop.
public final class Kernel {
    public let options: BootOptions
    let machine: Machine
    public let scheduler = Scheduler()
    public let ramdisk: RAMDisk
    var threads: [Int32: Thread] = [:]
    var nextTid: Int32 = 1
    /// The first task; its status is the host exit code.
    var firstTask: Task!
    var firstTaskStatus: Int32?
    var liveTasks = 0
    let bootNanoseconds: UInt64
    let tickNanoseconds: UInt64
    /// Console output; the console device replaces the plain writer.
    /// (write_all: an interrupt note may cut a host write short; it is not lost.)
    public var consoleWrite: ([UInt8]) -> Void = { bytes in
        HostTerminal.writeAll(1, bytes)
    }
    /// Runs on every way out of the machine (restores the terminal, flushes the console).
    public var shutdownHooks: [() -> Void] = []
    /// Set while a kernel panic or failed audit runs the shutdown hooks (`runShutdownHooks`).
    public internal(set) var failingExit: Int32?
    /// Keyboard interrupt service (the keyboard device sets it).
    public var ioHook: () -> Void = {}
    /// The console and keyboard (none in an in-process test machine).
    var devices: TerminalDevices?
    /// Test report lines seen so far (Simics/TestReport.swift).
    var testReport = TestReport()
    /// The gdb stub, when the machine runs under one (Debugger/).
    var debugger: Debugger?
    /// Time the machine spent stopped in the debugger: it does not count as ticks. While it is
    /// stopped, `stoppedSince` is when the stop began (so `monitor sched` sees time stand still).
    var pausedNanoseconds: UInt64 = 0
    var stoppedSince: UInt64?
    /// Preemption points and their decisions, under exploration or a replayed schedule
    /// (Explore/PointController.swift); nil otherwise.
    public var points: PointController?

    init(options: BootOptions, ramdisk: RAMDisk, machine: Machine) {
        self.options = options
        self.ramdisk = ramdisk
        self.machine = machine
        bootNanoseconds = machine.nanoseconds
        tickNanoseconds = UInt64(1_000_000_000 / max(1, options.hz))
        scheduler.machine = machine
        // Seeded runs count guest instructions to place their preemptions; a redirected stub
        // runs other instructions than the `int` it replaces, so they keep the trap path and a
        // seed replays the same with or without --no-fastcall. Under a gdb stub the program's
        // text is what gdb disassembles and plants breakpoints in (a breakpoint on a stub's
        // `int` would land inside the jump that replaced it), so it stays as built.
        let debugged = options.gdbPort != nil || options.gdbListenFD != nil
        fastCallEnabled = options.fastCall && options.seed == nil && !debugged && machine.hasSystemCallGate
    }

    /// Whether exec redirects system-call stubs to the gate (Tasks/SyscallStubPatch+Unsafe.swift).
    let fastCallEnabled: Bool

    /// Timer ticks since boot, from the monotonic clock so that late or merged timer
    /// interrupts lose none.
    public var ticks: UInt64 {
        if let c = scheduler.chaos { return c.ticks }
        if let p = points { return p.ticks }
        let now = stoppedSince ?? machine.nanoseconds
        return (now - bootNanoseconds - pausedNanoseconds) / tickNanoseconds
    }

    func allocateTid() -> Int32 {
        defer { nextTid += 1 }
        return nextTid
    }

    /// Stops the machine; the host process exits with `status` (see README: low 8 bits).
    public func halt(status: Int32) -> Never {
        debugger?.machineHalts(status: status)
        _ = machine.startTimer(periodNanoseconds: 0)
        if let space = memory.active { space.withdrawAllFromHost() }
        audit(context: "at halt")
        auditTasks(context: "at halt")
        runShutdownHooks()
        // A host signal asked for the stop, or came while the machine halted anyway: the
        // process ends by it (Kernel+HaltSignal.swift), without a --report verdict.
        let signal = machine.haltSignal
        if signal != 0 { machine.powerOff(bySignal: signal) }
        machine.powerOff(exitCode: exitCode(haltStatus: status))
    }

    /// Runs the shutdown hooks once. `failing`: the exit code of the abnormal stop that runs
    /// them before ending the process itself (a kernel panic, a failed audit), kept in
    /// `failingExit` for the hooks: the explorer's forked run must not end the process with
    /// the first task's status then (a panic read as a clean run).
    func runShutdownHooks(failing: Int32? = nil) {
        if let failing { failingExit = failing }
        let hooks = shutdownHooks
        shutdownHooks = []
        for h in hooks { h() }
    }
}

/// The one kernel of this process; set at boot.
nonisolated(unsafe) public var kernel: Kernel!
