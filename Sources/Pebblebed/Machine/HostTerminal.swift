import CShims

/// The host's terminal and standard streams as the rest of the kernel uses them: the console's
/// output, the kernel log, the terminal restore of every exit path (CShims/pb_terminal.c, which
/// is C because the restore runs in signal handlers and must be async-signal-safe).
enum HostTerminal {
    /// Writes all of `bytes` to `fd`, going on after a write cut short (an interrupt note may
    /// interrupt a host write; it must lose nothing). False if the host refused.
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { b in pb_terminal_write_all(fd, b.baseAddress, b.count) == 0 }
    }

    static func isTerminal(_ fd: Int32) -> Bool { pb_terminal_is_tty(fd) != 0 }

    /// The terminal's size, nil when `fd` is not a terminal or does not say.
    static func windowSize(_ fd: Int32) -> (rows: Int, columns: Int)? {
        var rows: Int32 = 0, columns: Int32 = 0
        guard pb_terminal_window_size(fd, &rows, &columns) == 0, rows > 0, columns > 0 else { return nil }
        return (Int(rows), Int(columns))
    }

    /// Puts the terminal back as it was (termios, file flags, main screen). Safe to repeat, and
    /// from a signal handler.
    static func restore() { pb_terminal_restore() }

    /// Bytes the restore writes to a terminal stdout (leaving the alternate screen...).
    static func setExitSequence(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { pb_terminal_set_exit_sequence($0.baseAddress, $0.count) }
    }

    /// SIGWINCH notes a resize and raises the keyboard interrupt (pb_terminal_watch_resize).
    static func watchResize() -> Int32 { pb_terminal_watch_resize() }
    /// True once after each resize.
    static func takeResize() -> Bool { pb_terminal_take_resize() != 0 }

    /// Makes every host signal that ends the emulator restore the terminal first; 0 or an errno.
    static func installExitHandlers() -> Int32 { pb_terminal_install_exit_handlers() }

    /// From now on the first SIGHUP, SIGINT or SIGTERM is served by the kernel, which halts the
    /// machine normally (trace and log closed) and then ends by that signal; a second one, or
    /// one the kernel does not get to, ends the emulator at once (Machine/README.md).
    static func serveHaltSignals() { pb_terminal_serve_halt_signals() }

    /// The calling stack's return addresses, to `fd` (the panic report).
    static func printBacktrace(_ fd: Int32) { pb_backtrace(fd) }

    /// The host's monotonic clock, for code that runs without a machine at hand (traces).
    static var monotonicNanoseconds: UInt64 { pb_monotonic_ns() }
}
