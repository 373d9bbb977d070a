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
    /// Keys typed since Ctrl-] opened the monitor, taken (the monitor runs them).
    public static func takeMonitorKeys() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(PB_MONITOR_CAPACITY))
        let n = out.withUnsafeMutableBufferPointer { pb_keyboard_take_monitor($0.baseAddress, PB_MONITOR_CAPACITY) }
        return Array(out.prefix(Int(n)))
    }
    /// True from Ctrl-] until `closeMonitor()`: keys go to the monitor.
    public static var monitorOpen: Bool { pb_keyboard_monitor_open() != 0 }
    public static func closeMonitor() { pb_keyboard_close_monitor() }
    /// Keys the monitor gives back to the guest, through the host-key filter again.
    public static func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { pb_keyboard_feed($0.baseAddress, $0.count) }
    }
    /// One byte for the guest as it is (a literal Ctrl-], a Ctrl-C nobody was interrupted by).
    public static func put(_ byte: UInt8) { pb_keyboard_put(byte) }
    /// Whether Ctrl-C is the kernel's (there is a foreground task) or a byte for the guest.
    public static func armInterrupt(_ armed: Bool) { pb_keyboard_arm_interrupt(armed ? 1 : 0) }
    /// Ctrl-C presses the kernel has to act on, since the last call.
    public static func takeInterrupts() -> Int { Int(pb_keyboard_take_interrupts()) }
    /// Shift-PgUp (-1 each) and Shift-PgDn (+1 each) since the last call.
    public static func takeScroll() -> Int { Int(pb_keyboard_take_scroll()) }
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

/// What `--help` says about the terminal: the host keys, the console modes, scripted input.
public let terminalHelp = """
    At a terminal, the machine's console is drawn as an 80x25 screen on the alternate screen \
    (--console screen) and the keyboard is in raw mode. Ctrl-] is the host key: Ctrl-] c opens \
    the monitor (help, ps, kill TASK, log, trace start FILE, trace stop, quit), Ctrl-] q quits \
    the emulator from any state, Ctrl-] Ctrl-] types one Ctrl-], Ctrl-] h shows the keys. \
    Shift-PgUp and Shift-PgDn page the console's scrollback. Ctrl-C is the byte 0x03, as a \
    real keyboard gives it, unless a task made a child its foreground task (the shell does): \
    then the kernel kills that child (status -2). --console plain writes guest output as \
    lines instead (the default when stdout is not a terminal): printed bytes pass through \
    unchanged. Stdin from a pipe or a file is read as keystrokes (no host keys), and the \
    machine halts when a program waits for input after its end.
    """
