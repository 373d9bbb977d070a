import Glibc

/// The kernel log: guest lprintf lines, fault reports and kernel messages. It is separate from
/// the console so that a program's output stays clean; by default it goes to stderr.
public enum KernelLog {
    /// Where log lines go; set at boot (`--log FILE`, `--log -` for stderr).
    nonisolated(unsafe) public static var fd: Int32 = 2

    /// The file the log goes to when the console hid it and no --log was given.
    public static let defaultFile = "pebblebed.log"
    /// A second destination getting every line at once: the default file, opened at the first
    /// line logged while the console hides the log (`keepsHiddenLog`); -1 until then.
    nonisolated(unsafe) static var copyFD: Int32 = -1
    /// No --log was given: a hidden log may be kept in `defaultFile` (`openDefault`).
    nonisolated(unsafe) static var mayKeepHiddenLog = false
    /// The console hides the log during the run (it draws on the log's terminal): its first
    /// line opens `defaultFile`, named at exit. Set by the console device.
    nonisolated(unsafe) static var keepsHiddenLog = false
    nonisolated(unsafe) private static var copyFailed = false

    /// Sends the log to `path` (truncated), or to stderr for "-". Returns an error message on
    /// failure.
    public static func open(path: String) -> String? {
        if path == "-" {
            fd = 2
            return nil
        }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "cannot open log file \(path): \(String(cString: strerror(errno)))" }
        self.fd = fd
        return nil
    }

    /// The default without `--log`: stderr. When stdout and stderr are both the terminal, the
    /// console draws there and holds log lines until it has restored the terminal (`held`);
    /// then, if anything was logged, the whole log also goes to ./pebblebed.log as it comes,
    /// named on stderr at exit. No line, no file.
    public static func openDefault() {
        mayKeepHiddenLog = true
    }

    /// The first line logged while hidden: opens the default file and says at exit where it is.
    private static func openHiddenCopy() {
        copyFD = Glibc.open(defaultFile, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard copyFD >= 0 else {
            copyFailed = true
            held?.append("pebblebed: cannot write \(defaultFile) (\(String(cString: strerror(errno)))); the kernel log follows here only")
            return
        }
        atexit {
            let note = "pebblebed: the console hid the kernel log; it is in \(KernelLog.defaultFile) (--log FILE or --log - to choose)\n"
            _ = note.withCString { write(2, $0, strlen($0)) }
        }
    }

    /// While the console draws on the same terminal as the log, lines wait here (the newest
    /// `heldLimit`) and are written once the terminal is restored; nil writes at once. Set by
    /// the console device.
    nonisolated(unsafe) public static var held: [String]?
    public static let heldLimit = 1000

    /// The most bytes the log takes (each destination), so a guest logging in a loop cannot
    /// fill the host's disk (issue 17, 9). `--log-limit`; a panic report is never held back.
    nonisolated(unsafe) public static var limitBytes = 64 << 20
    /// Bytes logged so far, and lines dropped once the limit was reached.
    nonisolated(unsafe) static var loggedBytes = 0
    nonisolated(unsafe) public private(set) static var droppedLines = 0
    /// The newest `heldLimit` lines, for the debugger's `monitor log` and the console
    /// monitor's `log`; kept only while `keepsHistory` is set (a gdb stub or the console
    /// devices are on), so in-process test machines pay nothing.
    nonisolated(unsafe) static var history: [String] = []
    nonisolated(unsafe) static var keepsHistory = false

    /// Writes one line (a newline is added). Runs with interrupts off, like all kernel code.
    /// Past `limitBytes` a line is dropped and counted; the first one dropped leaves a note.
    public static func line(_ text: String) { line(text, toStream: true) }

    private static func line(_ text: String, toStream: Bool) {
        let size = text.utf8.count + 1
        if loggedBytes + size > limitBytes {
            droppedLines += 1
            if droppedLines > 1 { return }
            let note = "pebblebed: kernel log limit of \(limitBytes) bytes reached (--log-limit); further lines are dropped and counted"
            loggedBytes = limitBytes
            send(note)
            return
        }
        loggedBytes += size
        send(text, toStream: toStream)
    }

    /// A line the kernel has just written to the console too (a thread killed, a bug the kernel
    /// saw), whose text went to `consoleFD`. Logged as `line` does, except into the console's own
    /// stream: when the log is that very file or pipe (explore's runs, stress's and `test`'s
    /// machines, `run >out 2>&1`), the reader saw the line twice in a row (issue 15: explore's
    /// "Last output of the failing run" showed every kill line twice). The monitor's history
    /// and the hidden copy in ./pebblebed.log keep it; -1: the console is no stream (drawn).
    public static func echo(_ text: String, consoleFD: Int32) {
        line(text, toStream: !(held == nil && consoleFD >= 0 && sameFile(fd, consoleFD)))
    }

    /// Both descriptors are one file, pipe or terminal.
    static func sameFile(_ a: Int32, _ b: Int32) -> Bool {
        var x = stat(), y = stat()
        guard fstat(a, &x) == 0, fstat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }

    /// At halt: how many lines the limit dropped, if any. Goes out past the limit.
    static func noteDropped() {
        guard droppedLines > 0 else { return }
        send("pebblebed: \(droppedLines) kernel log lines dropped at the limit")
    }

    /// A panic report: nothing may keep it from the user.
    static func lift() { limitBytes = Int.max }

    private static func send(_ text: String, toStream: Bool = true) {
        if keepsHistory {
            history.append(text)
            if history.count > heldLimit { history.removeFirst(history.count - heldLimit) }
        }
        if keepsHiddenLog && mayKeepHiddenLog && copyFD < 0 && !copyFailed { openHiddenCopy() }
        if copyFD >= 0 {
            let bytes = Array((text + "\n").utf8)
            HostTerminal.writeAll(copyFD, bytes)
        }
        if toStream { emit(text) }
    }

    private static func emit(_ text: String) {
        if held != nil {
            held!.append(text)
            if held!.count > heldLimit { held!.removeFirst() }
            return
        }
        // write_all: a tty stderr may share the O_NONBLOCK open file of the keyboard's stdin.
        let bytes = Array((text + "\n").utf8)
        if !HostTerminal.writeAll(fd, bytes) && fd != 2 && !writeFailed {
            // A full disk or `ulimit -f` (EFBIG: SIGXFSZ is ignored): said once, on stderr.
            writeFailed = true
            let why = errno == EFBIG ? "the file size limit (ulimit -f) was reached" : String(cString: strerror(errno))
            let note = Array("pebblebed: the kernel log cannot be written: \(why); later lines are lost\n".utf8)
            HostTerminal.writeAll(2, note)
        }
    }
    nonisolated(unsafe) private static var writeFailed = false

    /// Writes the held lines and stops holding.
    public static func releaseHeld() {
        guard let lines = held else { return }
        held = nil
        lines.forEach(emit)
    }
}

/// Formats a number as 0x-prefixed hexadecimal with at least `width` digits.
func hex<T: BinaryInteger>(_ v: T, width: Int = 8) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, width - s.count)) + s
}
