import CShims
import Glibc

/// A broken kernel invariant: report it with the current thread and a backtrace, restore the
/// terminal, and stop at once with a non-zero exit.
public func kernelPanic(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    panicReport(headline: "kernel panic: \(message) (\(file):\(line))", regs: nil)
}

/// A fault in kernel mode (reported by the trap handler, on the alternate signal stack).
func kernelPanicReport(signal: Int32, code: Int32, address: UInt64, regs: pb_regs?) -> Never {
    let name = String(cString: strsignal(signal))
    panicReport(headline: "kernel panic: \(name) in kernel mode at address \(hex(address, width: 16)) (si_code \(code))", regs: regs)
}

/// Host exit code of a machine stopped by a kernel panic.
public let kernelPanicExit: Int32 = 70

/// Set while a panic is being reported: a second fault (say, in the backtrace) must not start a
/// second report or loop; it ends the process at once.
nonisolated(unsafe) private var panicking = false

private func panicReport(headline: String, regs: pb_regs?) -> Never {
    if panicking {
        let msg = "kernel panic: fault while reporting a panic\n"
        _ = msg.withCString { write(2, $0, strlen($0)) }
        pb_terminal_restore()
        _exit(kernelPanicExit)
    }
    panicking = true
    // The report goes to stderr whatever --log says: whoever watches the terminal must see it.
    KernelLog.fd = 2
    KernelLog.lift()
    // Restore the terminal first, so the report lands on a usable screen.
    kernel?.runShutdownHooks()
    KernelLog.line(headline)
    if let t = kernel?.scheduler.current {
        KernelLog.line("  current thread \(t.tid) of task \(t.task.id) '\(t.task.name)' (\(t.state))")
        KernelLog.line("  its user registers:\n" + registerDump(t.regs, width: 8))
    } else {
        KernelLog.line("  no current thread (boot)")
    }
    if let r = regs { KernelLog.line("  kernel registers:\n" + registerDump(r, width: 16)) }
    KernelLog.line("  backtrace (symbolize: addr2line -Cfpe \(executablePath()) followed by the +0x offsets without the +):")
    pb_backtrace(2)
    _exit(kernelPanicExit)
}

/// The emulator binary, for symbolizing the backtrace's +0x... offsets.
private func executablePath() -> String {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    return n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "pebblebed"
}

/// Registers in the order people read them; `width` 8 for a guest, 16 for the host.
func registerDump(_ r: pb_regs, width: Int) -> String {
    func f(_ name: String, _ v: UInt64) -> String {
        name + "=" + hex(width == 8 ? v & 0xffff_ffff : v, width: width)
    }
    let prefix = width == 8 ? "e" : "r"
    return "  " + [f(prefix + "ax", r.rax), f(prefix + "bx", r.rbx), f(prefix + "cx", r.rcx), f(prefix + "dx", r.rdx),
                   f(prefix + "si", r.rsi), f(prefix + "di", r.rdi), f(prefix + "bp", r.rbp), f(prefix + "sp", r.rsp)].joined(separator: " ")
        + "\n  " + [f(prefix + "ip", r.rip), f("eflags", r.eflags), f("cs", r.csgsfs & 0xffff), f("err", r.err), f("trapno", r.trapno)].joined(separator: " ")
}
