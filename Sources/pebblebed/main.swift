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

    @Option(help: "Write the kernel log (lprintf, fault reports) to this file instead of stderr.")
    var log: String?

    @Option(help: "Seeded, reproducible scheduling chaos: preempt after seeded guest instruction counts, pick seeded threads, count time in instructions (see `pebblebed stress --help`).")
    var seed: UInt64?

    @Option(help: "Write a timeline of the run (Chrome trace JSON; open it in Perfetto) to this file.")
    var trace: String?

    /// The options as command-line words, for machines started as subprocesses (stress).
    var arguments: [String] {
        var a = ["--memory", String(memory), "--hz", String(hz)]
        if let ramdisk { a += ["--ramdisk", ramdisk] }
        if audit { a.append("--audit") }
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
        o.tracePath = trace
        if let log {
            let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
            guard fd >= 0 else { throw ValidationError("cannot open log file \(log): \(String(cString: strerror(errno)))") }
            KernelLog.fd = fd
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
        kernel panic, 71 a failed frame audit.
        """)

    @OptionGroup var machine: MachineOptions

    @Argument(help: "The guest program.")
    var program: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the guest program.")
    var arguments: [String] = []

    func run() throws {
        var o = try machine.bootOptions()
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

struct PebblebedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pebblebed",
        abstract: "A Pebbles kernel that runs 32-bit guest programs natively in a Linux process.",
        discussion: terminalHelp,
        subcommands: [Boot.self, Run.self, Stress.self],
        defaultSubcommand: Boot.self)
}

PebblebedCommand.main()
