/// The monitor's keyboard side as a pure state machine, like QEMU's Ctrl-a prefix and its
/// monitor prompt. The kernel feeds it the keys typed after Ctrl-] (the host-key filter in
/// CShims/pb_terminal.c diverts them), does what the returned actions say, answers commands
/// with `show`, and draws `overlay` over the console. Kernel context only.
///
/// After Ctrl-] one key decides: `c` (or Enter, `:`) opens the prompt, `h` (or `?`) the prompt
/// with the keys listed, `q` quits, Ctrl-] types one Ctrl-] for the guest; any other key is
/// refused with a notice naming the keys. At the prompt a line is edited (printable keys,
/// Backspace) and Enter runs it; an empty Enter, Ctrl-], Ctrl-C or Esc closes the monitor;
/// PgUp/PgDn (plain or with Shift) page the console's scrollback. Output longer than the
/// panel is paged: Space or `f` the next page, `b` the previous one, `q` or Enter back to the
/// prompt.
public struct ConsoleMonitor {
    public enum Mode: Equatable, Sendable { case closed, key, prompt, paging }

    /// What the kernel must do after a `feed`.
    public enum Action: Equatable, Sendable {
        /// Leave the emulator (Ctrl-] q, or `quit`).
        case quit
        /// Run this command line; answer with `show`.
        case command(String)
        /// Give this byte to the guest as it is.
        case literal(UInt8)
        /// The monitor let go of the keyboard: these keys, typed after it closed, are the guest's.
        case close(rest: [UInt8])
        /// Page the console's scrollback (negative: back).
        case scroll(Int)
    }

    public static let prompt = "(pebblebed) "
    public static let keysHelp = "Ctrl-] then: c monitor, q quit, h help, Ctrl-] types Ctrl-]; Shift-PgUp/PgDn scroll"

    public private(set) var mode = Mode.closed
    /// The command line being typed.
    public private(set) var line: [UInt8] = []
    /// The answer to the last command (or the help), shown above the prompt.
    public private(set) var output: [String] = []
    /// A one-line notice left on the console after the monitor closed (an unknown key).
    public private(set) var notice: String?
    /// The first output line on the page shown while paging.
    public private(set) var pageStart = 0
    /// Output lines shown at once above the prompt; nil on a plain console, which writes every
    /// line and lets the host terminal scroll.
    public let pageHeight: Int?
    private var escape = MonitorEscape.none
    private var pushBack = false

    public init(pageHeight: Int?) {
        self.pageHeight = pageHeight
    }

    /// Ctrl-] was typed: the next key decides.
    public mutating func open() {
        mode = .key
        line = []
        output = []
        notice = nil
        escape = .none
    }

    /// The notice goes at the next keyboard interrupt.
    public mutating func dismissNotice() { notice = nil }

    /// Applies the keys; returns what the kernel must do, in order. Keys after a `close` are
    /// returned with it, not consumed.
    public mutating func feed(_ keys: [UInt8]) -> [Action] {
        var actions: [Action] = []
        var index = 0
        while index < keys.count, mode != .closed {
            let key = keys[index]
            index += 1
            switch mode {
            case .closed: break
            case .key: actions += afterEscape(key)
            case .prompt: actions += atPrompt(key)
            case .paging: actions += whilePaging(key)
            }
            if case .quit = actions.last { return actions }
            if pushBack {
                // A lone Esc closed the prompt: the key after it is not the monitor's.
                pushBack = false
                index -= 1
            }
        }
        if mode == .closed { actions.append(.close(rest: Array(keys[index...]))) }
        return actions
    }

    /// A command's answer: shown above the prompt, paged if it is taller than the panel.
    public mutating func show(_ text: String) {
        output = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if output.last == "" { output.removeLast() }
        if pageHeight != nil {
            // Rows of a drawn console: a long line (a log line) wraps instead of being cut.
            output = output.flatMap { line -> [String] in
                var scalars = Array(line.unicodeScalars)
                var rows: [String] = []
                repeat {
                    rows.append(String(String.UnicodeScalarView(scalars.prefix(ConsoleScreen.columnCount))))
                    scalars.removeFirst(min(ConsoleScreen.columnCount, scalars.count))
                } while !scalars.isEmpty
                return rows
            }
        }
        pageStart = 0
        if let pageHeight, output.count > pageHeight { mode = .paging }
    }

    /// What to draw over the console now; nil when nothing is.
    public var overlay: ConsoleOverlay? {
        switch mode {
        case .closed:
            return notice.map { ConsoleOverlay(lines: [$0], cursorColumn: nil) }
        case .key:
            return ConsoleOverlay(lines: [Self.keysHelp], cursorColumn: nil)
        case .prompt:
            let shown = pageHeight.map { Array(output.suffix($0)) } ?? output
            let text = Self.prompt + String(decoding: line, as: UTF8.self)
            return ConsoleOverlay(lines: shown + [text], cursorColumn: text.unicodeScalars.count)
        case .paging:
            let height = pageHeight ?? output.count
            let end = min(pageStart + height, output.count)
            let status = "-- lines \(pageStart + 1)-\(end) of \(output.count): Space more, b back, q done --"
            return ConsoleOverlay(lines: Array(output[pageStart..<end]) + [status], cursorColumn: status.count)
        }
    }

    private mutating func afterEscape(_ key: UInt8) -> [Action] {
        switch key {
        case 0x1D:
            mode = .closed
            return [.literal(0x1D)]
        case UInt8(ascii: "q"), UInt8(ascii: "Q"):
            mode = .closed
            return [.quit]
        case UInt8(ascii: "c"), UInt8(ascii: "C"), UInt8(ascii: ":"), 0x0D, 0x0A:
            mode = .prompt
        case UInt8(ascii: "h"), UInt8(ascii: "?"):
            mode = .prompt
            show(Self.help)
        default:
            mode = .closed
            notice = "Ctrl-] \(Self.name(of: key)) is not a host key. \(Self.keysHelp)"
        }
        return []
    }

    private mutating func atPrompt(_ key: UInt8) -> [Action] {
        switch escape.consume(key) {
        case .pending: return []
        case .sequence(let final, let parameter):
            if final == UInt8(ascii: "~") && (parameter == 5 || parameter == 6) {
                return [.scroll(parameter == 5 ? -1 : 1)]
            }
            return []
        case .lone:
            mode = .closed
            pushBack = true
            return []
        case .key:
            break
        }
        switch key {
        case 0x0D, 0x0A:
            let command = String(decoding: line, as: UTF8.self).trimmingSpaces
            line = []
            if command.isEmpty {
                mode = .closed
                return []
            }
            output = []
            return [.command(command)]
        case 0x08, 0x7F:
            if !line.isEmpty { line.removeLast() }
        case 0x1D, 0x03:
            mode = .closed
        case 0x20...0x7E:
            if line.count < 200 { line.append(key) }
        default:
            break
        }
        return []
    }

    private mutating func whilePaging(_ key: UInt8) -> [Action] {
        let height = pageHeight ?? output.count
        switch escape.consume(key) {
        case .pending: return []
        case .sequence(let final, let parameter):
            if final == UInt8(ascii: "~") && parameter == 6 { return whilePaging(UInt8(ascii: " ")) }
            if final == UInt8(ascii: "~") && parameter == 5 { return whilePaging(UInt8(ascii: "b")) }
            return []
        case .lone:
            mode = .prompt
            output = Array(output[pageStart...])
            return []
        case .key:
            break
        }
        switch key {
        case UInt8(ascii: " "), UInt8(ascii: "f"):
            if pageStart + height < output.count { pageStart += height } else { mode = .prompt }
        case UInt8(ascii: "b"):
            pageStart = max(0, pageStart - height)
        case UInt8(ascii: "q"), 0x0D, 0x0A, 0x03, 0x1D:
            mode = .prompt
        default:
            break
        }
        if mode == .prompt { output = Array(output[pageStart...]) }
        return []
    }

    static let help = """
        monitor commands:
          ps                 tasks and threads: program, state
          kill TASK          kill a task as a fault would (its parent's wait sees -2)
          log                the kernel log so far (paged)
          trace start FILE   start writing a Chrome trace of the run to FILE
          trace stop         finish the trace file
          quit               leave the emulator (as Ctrl-] q)
          help               this list
        keys: Enter on an empty line, Esc or Ctrl-] close the monitor; PgUp/PgDn scroll
        \(keysHelp)
        """

    static func name(of key: UInt8) -> String {
        switch key {
        case 0x20...0x7E: return "'\(Character(Unicode.Scalar(key)))'"
        case 0x1B: return "Esc"
        case 0x7F: return "Backspace"
        case 0x00...0x1F: return "Ctrl-\(Character(Unicode.Scalar(key + 0x40)))"
        default: return "byte \(hex(key, width: 2))"
        }
    }
}

/// Escape sequences at the monitor prompt: ESC [ params final. A lone ESC (one followed by
/// anything but '[') closes the prompt.
struct MonitorEscape {
    enum Result { case key, pending, lone, sequence(final: UInt8, parameter: Int) }
    private enum State { case normal, afterEscape, csi }
    private var state = State.normal
    private var parameter = 0
    private var sawSeparator = false

    static let none = MonitorEscape()

    mutating func consume(_ key: UInt8) -> Result {
        switch state {
        case .normal:
            guard key == 0x1B else { return .key }
            state = .afterEscape
            return .pending
        case .afterEscape:
            if key == UInt8(ascii: "[") {
                state = .csi
                parameter = 0
                sawSeparator = false
                return .pending
            }
            state = .normal
            return .lone
        case .csi:
            switch key {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if !sawSeparator { parameter = parameter * 10 + Int(key - UInt8(ascii: "0")) }
                return .pending
            case 0x20...0x3F:
                sawSeparator = true
                return .pending
            default:
                state = .normal
                return .sequence(final: key, parameter: parameter)
            }
        }
    }
}

extension String {
    /// Without leading and trailing spaces (Foundation-free).
    var trimmingSpaces: String {
        let scalars = unicodeScalars.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
        return String(String.UnicodeScalarView(scalars))
    }
}
