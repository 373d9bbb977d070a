import CShims
import Glibc

/// The keystrokes of the emulator's standard input: the host side of the machine's keyboard, a
/// C ring (CShims/pb_terminal.c) that the keyboard interrupt's service fills. The keyboard
/// device (Devices/Keyboard) reads it as its KeySource. Every member runs in kernel context
/// with interrupts off, as does the drain once SIGIO announced input.
public struct HostKeys: KeySource {
    public init() {}

    public mutating func nextKey() -> UInt8? {
        var byte: UInt8 = 0
        return pb_keyboard_take(&byte) == 1 ? byte : nil
    }

    public var isAtEnd: Bool { pb_keyboard_at_end() != 0 }

    /// Opens stdin as the keyboard: raw mode on a tty, SIGIO on every kind that supports it.
    /// The SIGIO handler (HostMachine's init) must be installed first.
    public static func open() throws(HostKeyboardError) -> InputKind {
        let kind = pb_keyboard_open()
        guard kind >= 0, let result = InputKind(rawValue: kind) else {
            throw HostKeyboardError(errno: Glibc.errno)
        }
        return result
    }

    /// True when stdin raises no SIGIO (regular file, /dev/null, a masked screaming line):
    /// readers must look again instead of waiting for a keyboard interrupt.
    public static var needsPolling: Bool { pb_keyboard_needs_polling() != 0 }
    /// True when a read of stdin never waits (regular file, /dev/null): a reader may look again
    /// at once. Otherwise a polling reader looks once a timer tick.
    public static var neverWaits: Bool { pb_keyboard_never_waits() != 0 }
    /// The keyboard interrupt's service (`pb_keyboard_interrupt`): true when it found the line
    /// screaming and masked it.
    public static func serviceInterrupt() -> Bool { pb_keyboard_interrupt() != 0 }
    /// Keyboard interrupts that found nothing to read, since boot.
    public static var unserved: UInt64 { pb_keyboard_unserved() }
    /// Ctrl-] q was typed: the kernel should leave the emulator.
    public static var escapeRequested: Bool { pb_keyboard_escape_requested() != 0 }
    /// Keystrokes lost because the ring was full.
    public static var dropped: UInt64 { pb_keyboard_dropped() }

    /// Puts the terminal back as it was (termios, file flags, main screen). Safe to repeat.
    public static func restoreTerminal() { pb_terminal_restore() }

    public enum InputKind: Int32, Sendable {
        case terminal = 0
        case stream = 1
        case polled = 2
        case closed = 3
    }
}

/// Opening stdin as the keyboard failed; `errno` says why.
public struct HostKeyboardError: Error, Equatable {
    public var errno: Int32
}

/// What `--help` says about the terminal: the host escape and scripted input.
public let terminalHelp = """
    At a terminal, the machine's console is drawn on the alternate screen and the keyboard is \
    in raw mode. Type Ctrl-] then q to quit the emulator from any state (Ctrl-] Ctrl-] types \
    one Ctrl-]). With stdout a pipe or a file, printed bytes pass through unchanged; stdin \
    from a pipe or a file is read as keystrokes, and the machine halts when a program waits \
    for input after its end.
    """
