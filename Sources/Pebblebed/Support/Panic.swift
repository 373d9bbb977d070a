import Glibc

/// A broken kernel invariant: report it with the current thread and a backtrace, restore the
/// terminal, and stop at once with a non-zero exit.
public func kernelPanic(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    panicReport(headline: "kernel panic: \(message) (\(file):\(line))", regs: nil)
}

/// A broken invariant: like `precondition`, but in every build it goes through the kernel
/// panic with its message, the current thread and its registers (a failed `precondition` in
/// a release build is a bare SIGILL).
@inline(__always)
func kernelAssert(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                  file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { kernelPanic(message(), file: file, line: line) }
}

/// A fault in kernel mode (reported by the trap handler, on the alternate signal stack), with
/// the host registers at the fault.
func kernelPanicReport(signal: Int32, code: Int32, address: UInt64, registers: String?) -> Never {
    let name = String(cString: strsignal(signal))
    panicReport(headline: "kernel panic: \(name) in kernel mode at address \(hex(address, width: 16)) (si_code \(code))", regs: registers)
}

/// Host exit code of a machine stopped by a kernel panic.
public let kernelPanicExit: Int32 = 70

/// Set while a panic is being reported: a second fault (say, in the backtrace) must not start a
/// second report or loop; it ends the process at once.
nonisolated(unsafe) private var panicking = false

private func panicReport(headline: String, regs: String?) -> Never {
    if panicking {
        let msg = "kernel panic: fault while reporting a panic\n"
        _ = msg.withCString { write(2, $0, strlen($0)) }
        HostTerminal.restore()
        _exit(kernelPanicExit)
    }
    panicking = true
    // The report goes to stderr whatever --log says: whoever watches the terminal must see it.
    KernelLog.fd = 2
    KernelLog.lift()
    // Restore the terminal first, so the report lands on a usable screen.
    kernel?.runShutdownHooks(failing: kernelPanicExit)
    KernelLog.line(headline)
    if let t = kernel?.scheduler.current {
        KernelLog.line("  current thread \(t.tid) of task \(t.task.id) '\(t.task.name)' (\(t.state))")
        KernelLog.line("  its user registers:\n" + t.frame.dump)
    } else {
        KernelLog.line("  no current thread (boot)")
    }
    if let r = regs { KernelLog.line("  kernel registers:\n" + r) }
    KernelLog.line("  backtrace (symbolize: addr2line -Cfpe \(executablePath()) followed by the +0x offsets without the +):")
    HostTerminal.printBacktrace(2)
    _exit(kernelPanicExit)
}

/// The emulator binary, for symbolizing the backtrace's +0x... offsets.
private func executablePath() -> String {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    return n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "pebblebed"
}
