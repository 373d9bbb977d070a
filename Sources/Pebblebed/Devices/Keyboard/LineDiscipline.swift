/// readline's editing rules as a pure state machine. The kernel drives it: it calls `readline`
/// for the one outstanding reader whenever keys may have arrived, echoes what it is told, and
/// blocks or wakes the reader itself. Runs in kernel context, never in a signal handler.
///
/// Rules (see Devices/README.md): keys are consumed only while a reader is outstanding; printable
/// bytes are appended and echoed; 0x08 and 0x7F erase the previous byte of this line, never past
/// its start; '\r' counts as '\n' and a CRLF pair as one '\n'; '\n' completes the line and is
/// echoed. Other control bytes and terminal escape sequences (arrow keys: ESC [ A) are dropped.
/// A completed line longer than the reader's buffer leaves its rest queued for the next reader,
/// already echoed.
public struct LineDiscipline: Sendable {
    /// Longest line kept, newline included; further printable keys are ignored until Enter.
    public static let maximumLineLength = 4096

    /// The line being edited: consumed and echoed, not complete.
    public private(set) var editing: [UInt8] = []
    /// Completed bytes not yet handed to a reader; they come before any new key.
    public private(set) var completed: [UInt8] = []
    private var escape = EscapeFilter()
    /// The last key completed a line with '\r': a '\n' right after it is the same Enter (CRLF).
    private var afterCarriageReturn = false

    public init() {}

    /// Advances the outstanding readline of `size` (> 0) bytes with the keys available now.
    public mutating func readline<Source: KeySource>(size: Int, from source: inout Source) -> ReadlineProgress {
        kernelAssert(size > 0, "the system call layer rejects sizes below 1")
        var echo: [EchoOperation] = []
        if completed.isEmpty {
            while let key = source.nextKey(), !consume(key, echo: &echo) {}
        }
        return ReadlineProgress(echo: echo, line: completed.isEmpty ? nil : handOut(size))
    }

    /// At end of input: the rest of a line, or the partial line without a newline, or nil when
    /// there is nothing at all for the reader.
    public mutating func finishAtEndOfInput(size: Int) -> [UInt8]? {
        if completed.isEmpty {
            completed = editing
            editing = []
        }
        return completed.isEmpty ? nil : handOut(size)
    }

    /// getchar: bytes already consumed by readline come first (the rest of a long line, or the
    /// partial line of a reader that was killed), then raw keys, unedited and not echoed.
    public mutating func getchar<Source: KeySource>(from source: inout Source) -> UInt8? {
        if !completed.isEmpty { return completed.removeFirst() }
        if !editing.isEmpty { return editing.removeFirst() }
        return source.nextKey()
    }

    private mutating func handOut(_ size: Int) -> [UInt8] {
        let count = min(size, completed.count)
        defer { completed.removeFirst(count) }
        return Array(completed.prefix(count))
    }

    /// Applies one key; true when it completed the line.
    private mutating func consume(_ key: UInt8, echo: inout [EchoOperation]) -> Bool {
        guard escape.admits(key) else { return false }
        defer { afterCarriageReturn = key == 0x0D }
        if key == 0x0A && afterCarriageReturn { return false }
        switch key {
        case 0x0A, 0x0D:
            editing.append(0x0A)
            echo.append(.character(0x0A))
            completed = editing
            editing = []
            return true
        case 0x08, 0x7F:
            if !editing.isEmpty {
                editing.removeLast()
                echo.append(.erase)
            }
        case 0x20...0x7E, 0x80...0xFF:
            if editing.count < Self.maximumLineLength - 1 {
                editing.append(key)
                echo.append(.character(key))
            }
        default:
            break
        }
        return false
    }
}

/// What one `readline` step did: the echo to show, and the bytes for the reader once a line is
/// complete (nil: the reader keeps waiting).
public struct ReadlineProgress: Equatable, Sendable {
    public var echo: [EchoOperation]
    public var line: [UInt8]?
}

/// Drops terminal escape sequences (ESC [ ... final, ESC O x) that cursor and function keys send
/// on a raw tty, so they do not land in a line as stray '[' and 'A'. A lone ESC is dropped too.
struct EscapeFilter: Sendable {
    private enum State: Sendable { case normal, afterEscape, controlSequence, singleShift }
    private var state = State.normal

    /// False when the key belongs to an escape sequence.
    mutating func admits(_ key: UInt8) -> Bool {
        switch (state, key) {
        case (.normal, 0x1B):
            state = .afterEscape
            return false
        case (.normal, _):
            return true
        case (.afterEscape, UInt8(ascii: "[")):
            state = .controlSequence
            return false
        case (.afterEscape, UInt8(ascii: "O")):
            state = .singleShift
            return false
        case (.afterEscape, _):
            state = .normal
            return admits(key)
        case (.controlSequence, 0x20...0x3F):
            return false
        case (.controlSequence, 0x40...0x7E), (.singleShift, _):
            state = .normal
            return false
        case (.controlSequence, _):
            state = .normal
            return admits(key)
        }
    }
}
