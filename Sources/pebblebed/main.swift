import ArgumentParser
import Foundation
import Pebblebed

/// Options every command that boots a machine shares.
struct MachineOptions: ParsableArguments {
    // (.unconditional numbers: "--memory -5" reaches the check instead of "Missing value".)
    @Option(parsing: .unconditional, help: "Physical memory size in MiB.", transform: NumberArgument.int("--memory", 1...4096, unit: " MiB"))
    var memory: Int = 128

    @Option(parsing: .unconditional, help: "Timer interrupts per second.", transform: NumberArgument.int("--hz", 1...10000))
    var hz: Int = 100

    @Option(help: "RAM disk directory (default: $PEBBLEBED_RAMDISK, else the ramdisk/ of the data directory; `pebblebed --version` names it).")
    var ramdisk: String?

    @Flag(help: "Audit frame accounting after every task exit, not only at halt.")
    var audit = false

    @Flag(help: .hidden)   // debug only: vector 0x8F makes the kernel panic (tests of the panic path)
    var debugPanicVector = false

    @Option(help: ArgumentHelp("Write the kernel log (lprintf, sim_call output, fault reports) to FILE, or to stderr with -, interleaved with a plain console's output (default: stderr; while a drawn console hides it, the monitor's log shows it and, if anything was logged, it is also kept in ./pebblebed.log, named at exit).", valueName: "FILE"))
    var log: String?

    @Option(help: ArgumentHelp("screen: an 80x25 console drawn on the alternate screen, with scrollback (Shift-PgUp) and the monitor (Ctrl-] c); plain: guest output as lines, so the terminal's own scrollback works (default: screen when stdout is a terminal, else plain).", valueName: "MODE"))
    var console: ConsoleMode?

    @Option(name: .customLong("log-limit"), parsing: .unconditional, help: "The most the kernel log may take, in KiB; later lines are dropped and counted.", transform: NumberArgument.int("--log-limit", 1...(1 << 30), unit: " KiB"))
    var logLimit: Int = 64 << 10

    @Option(parsing: .unconditional, help: "Seeded, reproducible scheduling chaos: preempt after seeded guest instruction counts, pick seeded threads, count time in instructions (see `pebblebed stress --help`).", transform: NumberArgument.unsigned("--seed"))
    var seed: UInt64?

    @Flag(help: "With --seed: take the seeded decisions only at preemption points (system calls and thread-library entries), running the guest natively in between, instead of single-stepping it.")
    var points = false

    @Option(help: "Write a timeline of the run (Chrome trace JSON; open it in Perfetto, or read it with `pebblebed trace summary FILE`) to this file.")
    var trace: String?

    @Option(name: .customLong("gdb-port"), help: ArgumentHelp("Serve gdb's remote protocol on 127.0.0.1:PORT (in gdb: target remote :PORT); the guest waits for gdb before its first instruction.", valueName: "PORT"))
    var gdbPort: UInt16?

    @Option(name: .customLong("gdb-listen-fd"), help: .hidden)   // set by --gdb: the socket it listens on
    var gdbListenFD: Int32?

    @Flag(help: .hidden)   // the old spelling of --console plain, kept as an alias
    var plainConsole = false

    @Flag(name: .customLong("no-fastcall"), help: "Leave every system-call stub trapping (int $n, a host signal) instead of redirecting the recognised ones to the gate (a far jump, no signal). Seeded runs and runs under gdb always trap.")
    var noFastcall = false

    /// The options as command-line words, for machines started as subprocesses (stress).
    var arguments: [String] {
        var a = ["--memory", String(memory), "--hz", String(hz)]
        if let ramdisk { a += ["--ramdisk", ramdisk] }
        if audit { a.append("--audit") }
        if noFastcall { a.append("--no-fastcall") }
        if points { a.append("--points") }
        return a
    }

    func bootOptions() throws -> BootOptions {
        var o = BootOptions()
        guard memory >= 1 && memory <= 4096 else { throw ValidationError("--memory must be 1...4096 MiB") }
        guard hz >= 1 && hz <= 10000 else { throw ValidationError("--hz must be 1...10000") }
        o.memoryBytes = memory << 20
        o.hz = hz
        o.ramdisk = try checkedRAMDisk()
        o.audit = audit
        o.debugPanicVector = debugPanicVector
        o.seed = seed
        guard !points || seed != nil else { throw ValidationError("--points goes with --seed") }
        o.seedAtPoints = points
        o.tracePath = trace
        o.fastCall = !noFastcall
        // Before booting (issue 17, 6): a run that cannot write its trace says so at once.
        if let trace, let problem = Trace.checkPath(trace) { throw CLIError.usage("--trace: \(problem); choose a writable path") }
        guard logLimit >= 1 && logLimit <= 1 << 30 else { throw ValidationError("--log-limit must be 1...\(1 << 30) KiB") }
        KernelLog.limitBytes = logLimit << 10
        o.gdbPort = gdbPort
        o.gdbListenFD = gdbListenFD
        o.plainConsole = plainConsole || console == .plain
        if console == .screen && isatty(STDOUT_FILENO) == 0 {
            throw CLIError.usage("--console screen draws on a terminal, and stdout is not one; use --console plain (the default here)")
        }
        if let log {
            if let problem = KernelLog.open(path: log) { throw CLIError.usage("--log: \(problem); choose a writable path") }
        } else {
            // (A plain console never hides the log: no ./pebblebed.log is written then.)
            KernelLog.openDefault()
        }
        return o
    }

    /// $PEBBLEBED_RAMDISK, else the ramdisk/ of the data directory (DataDirectory.swift:
    /// $PEBBLEBED_HOME, an install's share/pebblebed, a checkout's build/), else ./build/ramdisk.
    static func defaultRAMDisk() -> String {
        if let env = ProcessInfo.processInfo.environment["PEBBLEBED_RAMDISK"] { return env }
        return DataDirectory.find()?.ramdisk ?? "build/ramdisk"
    }

    /// The RAM disk this run uses; a missing one is a load error (exit 2) that says where the
    /// path came from and how to get one.
    func checkedRAMDisk() throws -> String {
        if let ramdisk {
            guard DataDirectory.isDirectory(ramdisk) else { throw CLIError.load("--ramdisk \(ramdisk): no such directory") }
            return ramdisk
        }
        if let env = ProcessInfo.processInfo.environment["PEBBLEBED_RAMDISK"] {
            guard DataDirectory.isDirectory(env) else { throw CLIError.load("$PEBBLEBED_RAMDISK \(env): no such directory; unset it or build the guests (`make guests`)") }
            return env
        }
        guard let data = DataDirectory.find() else { throw CLIError.load("no RAM disk: \(DataDirectory.howToFix)") }
        guard DataDirectory.isDirectory(data.ramdisk) else {
            throw CLIError.load("no RAM disk at \(data.ramdisk) (data directory from \(data.origin)); build the guests (`make guests`) or reinstall (`make install`)")
        }
        return data.ramdisk
    }
}

/// `--console`: how guest output reaches the host terminal.
enum ConsoleMode: String, ExpressibleByArgument, CaseIterable {
    case screen, plain
}

func bootOrExit(_ options: BootOptions) -> Never {
    do {
        try Kernel.boot(options)
    } catch {
        FileHandle.standardError.write(Data("pebblebed: \(error.description)\n".utf8))
        exit(ExitStatus.load)
    }
}

struct Boot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Boot the machine: init starts the guest shell (the default command).",
        discussion: terminalHelp)

    @OptionGroup var machine: MachineOptions

    func run() throws {
        var o = try machine.bootOptions()
        o.program = "init"
        o.arguments = ["init"]
        o.consoleBanner = true
        bootOrExit(o)
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one guest program as the first task; halt when it and its children end.",
        discussion: """
        PROGRAM is a RAM-disk name (see `ls` in the shell) or a host path containing a '/'. \
        As when a shell starts it, the program is not init: orphans (children of its children \
        that outlive their parent) go to an init above it, the kernel, which collects them; \
        the program's wait() returns only its own children. The machine halts when the \
        program and every orphan have ended. --init makes the program init instead.
        The exit code is the program's exit status modulo 256 (a task killed by a fault has \
        status -2, so 254); 2 means the machine could not boot or load the program, 70 a \
        kernel panic, 71 a failed frame or thread/task audit, 124 the --timeout, 3 (with --schedule \
        or --points) a deadlock, a step bound, or a schedule that does not fit the program.

        --report judges a 15-410 test by the lines it logs with sim_puts/lprintf: \
        "(^_^)_NAME START__TYPE_COMPLETE|ABORT|FOREVER", then "(^_^)_NAME END__SUCCESS|END__FAIL". \
        A complete-type test passes with END__SUCCESS and no END__FAIL, an abort-type test when \
        its task ends before reaching an END line (killed by the kernel, vanished, e.g. by the \
        library's panic, or the machine halted), a forever-type test when the machine is \
        still running at --timeout. One "verdict:" line per test goes to stdout; the exit code \
        is 0 when every test passed, else 1.

        --gdb starts gdb with the guest's ELF, connected to the kernel's gdb stub (as \
        --gdb-port does, on a free port), the guest stopped before its first instruction: \
        break, continue, step, next, finish, watch, info threads, monitor ps... work on the \
        i386 guest. Guest output is passed through as plain text (gdb owns the terminal); the \
        guest's keyboard is empty. --gdb-batch FILE runs gdb non-interactively with the \
        commands in FILE. The exit code is gdb's when it failed, else the machine's. \
        With --schedule (or --seed) the replay under gdb is the same interleaving as without.
        """)

    @OptionGroup var machine: MachineOptions

    @Flag(help: "Judge a 15-410 test program by its report lines: verdict on stdout, exit 0 (pass) or 1.")
    var report = false

    @Flag(name: .customLong("init"), help: "Run the program as the machine's init: it adopts every orphan, as the RAM disk's init does when the machine boots (default: the kernel is the init above the program and collects orphans itself).")
    var asInit = false

    @Option(parsing: .unconditional, help: "Halt the machine after this many seconds (exit code 124 without --report).", transform: NumberArgument.seconds("--timeout"))
    var timeout: Double?

    @Flag(help: "Debug the guest under gdb (the kernel's gdb stub), stopped before its first instruction.")
    var gdb = false

    @Option(help: ArgumentHelp("Replay an interleaving that `pebblebed explore` wrote: preempt only at the schedule's points (system calls and thread-library entries), no timer, virtual time.", valueName: "FILE"))
    var schedule: String?

    @Option(name: .customLong("gdb-batch"), help: ArgumentHelp("Like --gdb, but run gdb in batch mode with the gdb commands in FILE.", valueName: "FILE"))
    var gdbBatch: String?

    @Argument(help: "The guest program.")
    var program: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the guest program.")
    var arguments: [String] = []

    func run() throws {
        // Checked before --gdb starts the machine: a bad schedule is this command's error.
        let replay = try loadSchedule()
        if gdb || gdbBatch != nil { try runUnderGDB() }
        var o = try machine.bootOptions()
        o.simics.report = report
        o.firstTaskIsInit = asInit
        o.schedule = replay?.schedule
        o.scheduleRunLimitSeconds = replay?.runLimitSeconds
        o.scheduleMaxPoints = replay?.maxPoints
        if let timeout {
            guard timeout > 0 && timeout < 1e6 else { throw ValidationError("--timeout must be a positive number of seconds") }
            o.simics.timeoutNanoseconds = UInt64(timeout * 1e9)
        }
        var name = program
        if program.contains("/") {
            // A program that cannot be loaded is exit 2 (README), not a usage error: missing,
            // unreadable, a directory, a FIFO or a device (read without blocking, bounded).
            switch HostFile.read(program) {
            case .success(let bytes): o.hostProgram = bytes
            case .failure(let why):
                FileHandle.standardError.write(Data("pebblebed: cannot load \(program): \(why)\n".utf8))
                Foundation.exit(2)
            }
            name = URL(fileURLWithPath: program).lastPathComponent
        }
        o.program = name
        o.arguments = [name] + arguments
        bootOrExit(o)
    }
}

extension Run {
    /// The --schedule file, parsed; nil without one.
    func loadSchedule() throws -> Schedule.File? {
        guard let schedule else { return nil }
        guard machine.seed == nil else { throw ValidationError("--schedule and --seed exclude each other") }
        guard let text = try? String(contentsOfFile: schedule, encoding: .utf8) else {
            throw CLIError.usage("--schedule \(schedule): cannot read it; give a file `pebblebed explore` wrote (explore-PROGRAM.schedule)")
        }
        let parsed: Schedule.File
        do { parsed = try Schedule.parseFile(text) } catch { throw CLIError.usage("--schedule \(schedule): \(error.description)") }
        // Points and threads are numbered for the program and arguments the schedule was made
        // with; on another program it would replay some other interleaving, saying nothing.
        let name = program.contains("/") ? URL(fileURLWithPath: program).lastPathComponent : program
        if let argv = parsed.argv, argv != [name] + arguments {
            let made = argv.map(Schedule.shellQuote).joined(separator: " ")
            let given = ([name] + arguments).map(Schedule.shellQuote).joined(separator: " ")
            throw CLIError(description: "--schedule \(schedule) was made for `\(made)`, not `\(given)`: its points and threads are numbered for that program and those arguments; replay it with them (or explore \(Schedule.shellQuote(name)) for a schedule of its own)",
                           code: ExitStatus.scheduleMismatch)
        }
        if let made = parsed.programHash {
            let ramdisk = machine.ramdisk ?? MachineOptions.defaultRAMDisk()
            let path = program.contains("/") ? program : ramdisk + "/" + program
            if let now = Schedule.programHash(atPath: path), now != made {
                throw CLIError(description: "--schedule \(schedule) was made with another build of \(name) (program-hash \(String(made, radix: 16)), this file \(String(now, radix: 16))): its points are numbered for that build; explore this one again for a schedule of its own",
                               code: ExitStatus.scheduleMismatch)
            }
        }
        return parsed
    }

    /// --gdb, --gdb-batch: the machine runs in a child process that serves the gdb stub on a
    /// socket made here (passed as fd 3, so the port is known before either starts), and a
    /// stock gdb with the guest's ELF connects to it. Nothing is written to disk. The machine
    /// is in a process group of its own, so the terminal's ^C reaches gdb only (gdb sends it
    /// on as the protocol's interrupt).
    func runUnderGDB() throws -> Never {
        let ramdisk = machine.ramdisk ?? MachineOptions.defaultRAMDisk()
        let elfPath = URL(fileURLWithPath: program.contains("/") ? program : ramdisk + "/" + program).path
        guard FileManager.default.isReadableFile(atPath: elfPath) else {
            throw CLIError.load("cannot load \(program): \(elfPath) is missing or unreadable")
        }
        if let gdbBatch, !FileManager.default.isReadableFile(atPath: gdbBatch) {
            throw CLIError.usage("--gdb-batch \(gdbBatch): cannot read the gdb command file")
        }
        let socket: (fd: Int32, port: UInt16)
        do { socket = try Kernel.listenForGDB(port: 0) } catch { throw ValidationError(error.description) }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var run = [me, "run", "--gdb-listen-fd", "3", "--console", "plain", "--memory", "\(machine.memory)",
                   "--hz", "\(machine.hz)", "--ramdisk", ramdisk]
        if machine.audit { run.append("--audit") }
        if machine.noFastcall { run.append("--no-fastcall") }
        if let log = machine.log { run += ["--log", log] }
        run += ["--log-limit", "\(machine.logLimit)"]
        if let seed = machine.seed { run += ["--seed", "\(seed)"] }
        if machine.points { run.append("--points") }
        // The replay decides the same preemption points as without gdb (Explore/README.md).
        if let schedule { run += ["--schedule", schedule] }
        if let trace = machine.trace { run += ["--trace", trace] }
        if report { run.append("--report") }
        if asInit { run.append("--init") }
        if let timeout { run += ["--timeout", "\(timeout)"] }
        run += ["--", program] + arguments
        // The machine never reads the terminal: gdb does.
        let kernelPid = try spawn(run, searchPath: false, listener: socket.fd, ownGroup: true)
        close(socket.fd)

        var gdbArgs = ["gdb", "-q"]
        // Batch runs are reproducible: no ~/.gdbinit.
        if gdbBatch != nil { gdbArgs += ["-batch", "-nx"] }
        gdbArgs += ["-ex", "target remote 127.0.0.1:\(socket.port)"]
        if let gdbBatch { gdbArgs += ["-x", gdbBatch] }
        gdbArgs.append(elfPath)
        // ^C at the terminal is gdb's to handle; this process only waits.
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        let gdbPid: pid_t
        do { gdbPid = try spawn(gdbArgs, searchPath: true, listener: nil, ownGroup: false) } catch {
            kill(kernelPid, SIGTERM)
            _ = waitFor(kernelPid)
            throw ValidationError("cannot run gdb (\(error)); install it: sudo apt-get install gdb")
        }
        let gdbStatus = waitFor(gdbPid)
        // gdb failed (it may never have connected: the machine would wait for it forever).
        // After a clean gdb exit the machine has halted (gdb killed it, or it ran to its
        // end), or gdb detached and it runs on to its end.
        if gdbStatus != 0 { kill(kernelPid, SIGTERM) }
        let kernelStatus = waitFor(kernelPid)
        Foundation.exit(gdbStatus != 0 ? gdbStatus : kernelStatus)
    }

    /// Starts `args` with the signal mask empty and SIGINT/SIGQUIT at their defaults; the
    /// listening socket, if any, becomes fd 3; `ownGroup` also gives it a process group of its
    /// own and /dev/null as stdin.
    private func spawn(_ args: [String], searchPath: Bool, listener: Int32?, ownGroup: Bool) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var high: Int32 = -1
        if let listener {
            // dup2 onto 3 clears close-on-exec on the copy; a copy above 3 first, in case the
            // socket is fd 3 already (dup2 of an fd onto itself would keep the flag).
            high = fcntl(listener, F_DUPFD_CLOEXEC, 10)
            guard high >= 0 else { throw ValidationError("cannot pass the gdb socket: \(String(cString: strerror(errno)))") }
            posix_spawn_file_actions_adddup2(&actions, high, 3)
        }
        defer { if high >= 0 { close(high) } }
        if ownGroup { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if ownGroup { flags |= Int32(POSIX_SPAWN_SETPGROUP) }
        posix_spawnattr_setflags(&attr, Int16(flags))
        posix_spawnattr_setpgroup(&attr, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGQUIT)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        let cArgs = args.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid = pid_t()
        let rc = searchPath ? posix_spawnp(&pid, args[0], &actions, &attr, cArgs, environ)
                            : posix_spawn(&pid, args[0], &actions, &attr, cArgs, environ)
        guard rc == 0 else { throw ValidationError("\(args[0]): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Waits for a child; its exit status, or 128 + the signal that ended it.
    private func waitFor(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 1 }
        }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }
}

struct PebblebedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pebblebed",
        abstract: "A Pebbles kernel that runs 32-bit guest programs natively in a Linux process.",
        discussion: terminalHelp,
        version: PebblebedVersion.text,
        subcommands: [Boot.self, Run.self, Stress.self, StressMerge.self, Explore.self, Compile.self, TestCommand.self, TraceCommand.self],
        defaultSubcommand: Boot.self)
}

// Before anything opens a file (issue 17, 2): a closed 0, 1 or 2 would hand the next file we
// open, such as the memfd behind guest physical memory, to the guests as keyboard or console.
if !HostProcess.ensureStandardDescriptors() { _exit(2) }   // no /dev/null: nowhere safe to even say so
HostProcess.ignoreFileSizeSignal()
if let problem = HostProcess.ensureOpenFiles(HostProcess.descriptorsPerMachine, for: "the emulator") {
    FileHandle.standardError.write(Data("pebblebed: \(problem)\n".utf8))
    exit(2)
}
// Issue 18, 5: a misspelled command says so (not boot's usage); CLIError's messages stand alone.
let commandNames = PebblebedCommand.configuration.subcommands.map { $0._commandName }
if let mistake = CommandWord.check(Array(CommandLine.arguments.dropFirst()), commands: commandNames) {
    FileHandle.standardError.write(Data("pebblebed: \(mistake.description)\n".utf8))
    exit(mistake.code)
}
do {
    var command = try PebblebedCommand.parseAsRoot()
    try command.run()
} catch let e as CLIError {
    FileHandle.standardError.write(Data("pebblebed: \(e.description)\n".utf8))
    exit(e.code)
} catch {
    PebblebedCommand.exit(withError: error)
}
