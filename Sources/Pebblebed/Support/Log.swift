import CShims
import Glibc

/// The kernel log: guest lprintf lines, fault reports and kernel messages. It is separate from
/// the console so that a program's output stays clean; by default it goes to stderr.
public enum KernelLog {
    /// Where log lines go; set at boot (`--log FILE`).
    nonisolated(unsafe) public static var fd: Int32 = 2

    /// While the console draws on the same terminal as the log, lines wait here (the newest
    /// `heldLimit`) and are written once the terminal is restored; nil writes at once. Set by
    /// the console device.
    nonisolated(unsafe) public static var held: [String]?
    public static let heldLimit = 1000

    /// Writes one line (a newline is added). Runs with interrupts off, like all kernel code.
    public static func line(_ text: String) {
        if held != nil {
            held!.append(text)
            if held!.count > heldLimit { held!.removeFirst() }
            return
        }
        // write_all: a tty stderr may share the O_NONBLOCK open file of the keyboard's stdin.
        let bytes = Array((text + "\n").utf8)
        _ = pb_terminal_write_all(fd, bytes, bytes.count)
    }

    /// Writes the held lines and stops holding.
    public static func releaseHeld() {
        guard let lines = held else { return }
        held = nil
        lines.forEach(line)
    }
}

/// Formats a number as 0x-prefixed hexadecimal with at least `width` digits.
func hex<T: BinaryInteger>(_ v: T, width: Int = 8) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, width - s.count)) + s
}
