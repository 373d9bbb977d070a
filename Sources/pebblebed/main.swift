import ArgumentParser
import Foundation
import Pebblebed

/// Options every command that boots a machine shares.
struct MachineOptions: ParsableArguments {
    @Option(help: "Physical memory size in MiB.")
    var memory: Int = 128

    @Option(help: "Timer interrupts per second.")
    var hz: Int = 100

    @Option(help: "RAM disk directory (default: $PEBBLEBED_RAMDISK or the build/ramdisk of this checkout).")
    var ramdisk: String?

    @Flag(help: "Audit frame accounting after every task exit, not only at halt.")
    var audit = false

    @Flag(help: .hidden)   // debug only: vector 0x8F makes the kernel panic (tests of the panic path)
    var debugPanicVector = false

    @Option(help: "Write the kernel log (lprintf, sim_call output, fault reports) to this file (default: stderr, and a copy in ./pebblebed.log when the console owns the terminal).")
    var log: String?

    @Option(help: "Seeded, reproducible scheduling chaos: preempt after seeded guest instruction counts, pick seeded threads, count time in instructions (see `pebblebed stress --help`).")
    var seed: UInt64?

    @Flag(help: "With --seed: take the seeded decisions only at preemption points (system calls and thread-library entries), running the guest natively in between, instead of single-stepping it.")
    var points = false

    @Option(help: "Write a timeline of the run (Chrome trace JSON; open it in Perfetto) to this file.")
    var trace: String?

    /// The options as command-line words, for machines started as subprocesses (stress).
    var arguments: [String] {
        var a = ["--memory", String(memory), "--hz", String(hz)]
        if let ramdisk { a += ["--ramdisk", ramdisk] }
        if audit { a.append("--audit") }
        if points { a.append("--points") }
        return a
    }

    func bootOptions() throws -> BootOptions {
        var o = BootOptions()
        guard memory >= 1 && memory <= 4096 else { throw ValidationError("--memory must be 1...4096 MiB") }
        guard hz >= 1 && hz <= 10000 else { throw ValidationError("--hz must be 1...10000") }
        o.memoryBytes = memory << 20
        o.hz = hz
        o.ramdisk = ramdisk ?? MachineOptions.defaultRAMDisk()
        o.audit = audit
        o.debugPanicVector = debugPanicVector
        o.seed = seed
        guard !points || seed != nil else { throw ValidationError("--points goes with --seed") }
        o.seedAtPoints = points
        o.tracePath = trace
        if let log {
            if let problem = KernelLog.open(path: log) { throw ValidationError(problem) }
        } else {
            KernelLog.openDefault()
        }
        return o
    }

    /// $PEBBLEBED_RAMDISK, else build/ramdisk of the checkout this binary was built in
    /// (found by walking up from the executable), else ./build/ramdisk.
    static func defaultRAMDisk() -> String {
        if let env = ProcessInfo.processInfo.environment["PEBBLEBED_RAMDISK"] { return env }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("build/ramdisk").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return "build/ramdisk"
    }
}

func bootOrExit(_ options: BootOptions) -> Never {
    do {
        try Kernel.boot(options)
    } catch {
        FileHandle.standardError.write(Data("pebblebed: \(error.description)\n".utf8))
        exit(2)
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
        bootOrExit(o)
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one guest program as the first task; halt when it and its children end.",
        discussion: """
        PROGRAM is a RAM-disk name (see `ls` in the shell) or a host path containing a '/'.
        The exit code is the program's exit status modulo 256 (a task killed by a fault has \
        status -2, so 254); 2 means the machine could not boot or load the program, 70 a \
        kernel panic, 71 a failed frame or thread/task audit, 124 the --timeout, 3 (with --schedule \
        or --points) a deadlock, a step bound, or a schedule that does not fit the program.

        --report judges a 15-410 test by the lines it logs with sim_puts/lprintf: \
        "(^_^)_NAME START__TYPE_COMPLETE|ABORT|FOREVER", then "(^_^)_NAME END__SUCCESS|END__FAIL". \
        A complete-type test passes with END__SUCCESS and no END__FAIL, an abort-type test when \
        the kernel kills its task before any END__FAIL, a forever-type test when the machine is \
        still running at --timeout. One "verdict:" line per test goes to stdout; the exit code \
        is 0 when every test passed, else 1.

        --gdb runs the machine under gdb with the guest's symbols, stopped at the guest's main \
        (hardware breakpoints: hbreak FILE:LINE). --gdb-batch FILE runs gdb non-interactively \
        with the commands in FILE after that.
        """)

    @OptionGroup var machine: MachineOptions

    @Flag(help: "Judge a 15-410 test program by its report lines: verdict on stdout, exit 0 (pass) or 1.")
    var report = false

    @Option(help: "Halt the machine after this many seconds (exit code 124 without --report).")
    var timeout: Double?

    @Flag(help: "Debug the guest under gdb with its symbols, stopped at its main.")
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
        if gdb || gdbBatch != nil { try execGDB() }
        var o = try machine.bootOptions()
        o.simics.report = report
        if let schedule {
            guard machine.seed == nil else { throw ValidationError("--schedule and --seed exclude each other") }
            guard let text = try? String(contentsOfFile: schedule, encoding: .utf8) else {
                throw ValidationError("cannot read the schedule \(schedule)")
            }
            do { o.schedule = try Schedule.parse(text) } catch { throw ValidationError("\(schedule): \(error.description)") }
        }
        if let timeout {
            guard timeout > 0 && timeout < 1e6 else { throw ValidationError("--timeout must be a positive number of seconds") }
            o.simics.timeoutNanoseconds = UInt64(timeout * 1e9)
        }
        var name = program
        if program.contains("/") {
            guard let data = FileManager.default.contents(atPath: program) else {
                throw ValidationError("cannot read \(program)")
            }
            name = URL(fileURLWithPath: program).lastPathComponent
            o.hostProgram = [UInt8](data)
        }
        o.program = name
        o.arguments = [name] + arguments
        bootOrExit(o)
    }
}

extension Run {
    /// Writes the gdb command file (see GDBScript) and replaces this process with gdb running
    /// pebblebed with the same options, minus the gdb ones.
    func execGDB() throws -> Never {
        let ramdisk = machine.ramdisk ?? MachineOptions.defaultRAMDisk()
        let elfPath = URL(fileURLWithPath: program.contains("/") ? program : ramdisk + "/" + program).path
        guard let elf = FileManager.default.contents(atPath: elfPath) else { throw ValidationError("cannot read \(elfPath)") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-\(getpid()).gdb").path
        try GDBScript(programPath: elfPath, elf: [UInt8](elf)).text.write(toFile: file, atomically: true, encoding: .utf8)
        var gdbArgs = ["gdb", "-q"] + (gdbBatch == nil ? [] : ["-batch"]) + ["-x", file]
        if let gdbBatch { gdbArgs += ["-x", gdbBatch] }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var run = ["run", "--memory", "\(machine.memory)", "--hz", "\(machine.hz)", "--ramdisk", ramdisk]
        if machine.audit { run.append("--audit") }
        if let log = machine.log { run += ["--log", log] }
        if report { run.append("--report") }
        if let timeout { run += ["--timeout", "\(timeout)"] }
        // Passed on, but not yet usable: gdb intercepts the SIGTRAP of every planted int3
        // (and of the one-instruction steps over them), so the replay stops at each and, passed
        // on, no longer numbers its points as explore did (Explore/README.md, not done yet).
        if let schedule { run += ["--schedule", URL(fileURLWithPath: schedule).path] }
        gdbArgs += ["--args", me] + run + ["--", program] + arguments
        FileHandle.standardError.write(Data("pebblebed: gdb commands in \(file)\n".utf8))
        // gdb waits for SIGCHLD with the mask it inherited: a runner that blocks signals
        // (test harnesses do) would leave it waiting forever.
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        let cArgs = gdbArgs.map { strdup($0) } + [nil]
        execvp("gdb", cArgs)
        throw ValidationError("cannot run gdb: \(String(cString: strerror(errno)))")
    }
}

struct PebblebedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pebblebed",
        abstract: "A Pebbles kernel that runs 32-bit guest programs natively in a Linux process.",
        discussion: terminalHelp,
        subcommands: [Boot.self, Run.self, Stress.self, StressMerge.self, Explore.self, Compile.self],
        defaultSubcommand: Boot.self)
}

PebblebedCommand.main()
