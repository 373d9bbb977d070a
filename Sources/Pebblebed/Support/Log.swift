import Glibc

/// The kernel log: guest lprintf lines, fault reports and kernel messages. It is separate from
/// the console so that a program's output stays clean; by default it goes to stderr.
public enum KernelLog {
    /// Where log lines go; set at boot (`--log FILE`).
    nonisolated(unsafe) public static var fd: Int32 = 2

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
