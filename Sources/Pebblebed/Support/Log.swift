import CShims
import Glibc

/// The kernel log: guest lprintf lines, fault reports and kernel messages. It is separate from
/// the console so that a program's output stays clean; by default it goes to stderr.
public enum KernelLog {
    /// Where log lines go; set at boot (`--log FILE`).
    nonisolated(unsafe) public static var fd: Int32 = 2

    /// The default log file when the console owns the terminal.
    public static let defaultFile = "pebblebed.log"
    /// The file the log goes to when it is not stderr, for the note at exit.
    nonisolated(unsafe) static var filePath: String?

    /// Sends the log to `path` (truncated). Returns an error message on failure.
    public static func open(path: String) -> String? {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "cannot open log file \(path): \(String(cString: strerror(errno)))" }
        self.fd = fd
        filePath = path
        return nil
    }

    /// The default without `--log`: stderr, unless stdout and stderr are both the terminal,
    /// where the console draws the screen and log lines would tear it; then ./pebblebed.log,
    /// named on stderr at exit (or stderr after all when the file cannot be made).
    public static func openDefault() {
        guard pb_terminal_is_tty(1) != 0, pb_terminal_is_tty(2) != 0 else { return }
        guard open(path: defaultFile) == nil else { return }
        atexit {
            guard let path = KernelLog.filePath else { return }
            let note = "pebblebed: kernel log in \(path)\n"
            _ = note.withCString { write(2, $0, strlen($0)) }
        }
    }

    /// Writes one line (a newline is added). Runs with interrupts off, like all kernel code.
    public static func line(_ text: String) {
        var s = text
        s.append("\n")
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }
}

/// Formats a number as 0x-prefixed hexadecimal with at least `width` digits.
func hex<T: BinaryInteger>(_ v: T, width: Int = 8) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, width - s.count)) + s
}
