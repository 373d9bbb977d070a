/// `pebblebed run --gdb`: the gdb command file for debugging a guest program with its symbols.
///
/// The machine's interrupts and traps are host signals (SIGSEGV for every system call and page
/// fault, SIGALRM for the timer, SIGIO for the keyboard, SIGSYS from seccomp; SIGUSR2 once at
/// boot to measure the FPU state), so gdb must pass them on without stopping. SIGTRAP keeps
/// gdb's default: a guest `int3` or MAGIC_BREAK stops in gdb, and continuing does not deliver it.
///
/// Guest code takes hardware breakpoints only: gdb cannot write a software breakpoint into
/// guest text (the kernel maps it from its memory file, lazily, read-only), and hardware
/// breakpoints need a live process. So the file runs the machine to the end of boot, just
/// before the first guest instruction, and puts a hardware breakpoint on the guest's `main`.
public struct GDBScript {
    /// The guest ELF on the host, for add-symbol-file.
    public let programPath: String
    /// The guest's `main`, if the ELF has one.
    public let mainAddress: UInt32?

    public init(programPath: String, mainAddress: UInt32?) {
        self.programPath = programPath
        self.mainAddress = mainAddress
    }

    /// Reads the guest ELF's `main` from its symbol table.
    public init(programPath: String, elf: [UInt8]) {
        let image = try? ELFImage.parse(elf)
        self.init(programPath: programPath, mainAddress: image?.symbol(named: "main")?.address)
    }

    public static let passedSignals = "SIGSEGV SIGBUS SIGFPE SIGILL SIGSYS SIGALRM SIGIO SIGUSR2"

    public var text: String {
        var lines = [
            "# Written by `pebblebed run --gdb`: the pebblebed kernel with guest \(programPath).",
            "set pagination off",
            "set complaints 0",
            "# Start the machine directly, not through $SHELL: guest arguments pass unexpanded.",
            "set startup-with-shell off",
            "# Interrupts and traps of the machine: pass them on silently.",
            "handle \(GDBScript.passedSignals) nostop noprint pass",
            "add-symbol-file \(quoted(programPath))",
            "# Run to the end of boot (the guest is loaded, seccomp is next), then break in the",
            "# guest with hardware breakpoints: hbreak FILE:LINE or hbreak *ADDRESS (4 at most).",
            "tbreak pb_seccomp_install",
            "run",
        ]
        if let main = mainAddress {
            lines += ["hbreak *\(hex(main))", "continue"]
        }
        lines += [
            "# gdb reads guest frames as 64-bit code: locals and arguments do not print and x/i",
            "# decodes as x86-64; globals, list, info line and x/wx $rsp+4 work.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private func quoted(_ path: String) -> String {
        path.contains(" ") ? "\"\(path)\"" : path
    }
}
