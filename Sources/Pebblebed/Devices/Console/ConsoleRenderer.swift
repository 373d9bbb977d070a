import Glibc

/// Draws the console on the host. The console calls `printed` with every byte a guest prints
/// (and every echo), and `flush` at most once per print system call or echo batch, so a
/// renderer can choose between replaying bytes and redrawing the model.
public protocol ConsoleRenderer: AnyObject {
    /// Takes over the host output (e.g. switches to the alternate screen) and draws the screen.
    func start(_ screen: inout ConsoleScreen)
    /// Bytes as the guest printed them, before the model interpreted them.
    func printed(_ bytes: [UInt8])
    /// Brings the host output up to date with the screen, consuming its damage.
    func flush(_ screen: inout ConsoleScreen)
    /// Gives the host output back (leaves the alternate screen, shows the cursor).
    func stop(_ screen: ConsoleScreen)
    /// Shows the monitor's lines (nil: none).
    func show(_ overlay: ConsoleOverlay?, _ screen: inout ConsoleScreen)
    /// Pages through the scrollback: negative pages back, positive forward.
    func scroll(pages: Int, _ screen: inout ConsoleScreen)
    /// The host terminal changed size.
    func resized(_ screen: inout ConsoleScreen)
}

/// Lines shown over the console that are not part of its screen (the monitor): drawn over the
/// bottom rows of a drawn console, written as lines on a plain one.
public struct ConsoleOverlay: Equatable, Sendable {
    public var lines: [String]
    /// Where the cursor goes on the last line (a prompt), nil to leave it where the screen has it.
    public var cursorColumn: Int?

    public init(lines: [String], cursorColumn: Int?) {
        self.lines = lines
        self.cursorColumn = cursorColumn
    }
}

/// Where a renderer's bytes go: standard output in the emulator, a recorder in tests.
public protocol ConsoleOutput: AnyObject {
    func write(_ bytes: [UInt8])
    /// Bytes that must reach the output however the emulator ends (panic, signal, escape):
    /// handed to the C restore path, which writes them once.
    func setExitSequence(_ bytes: [UInt8])
}

/// The emulator's standard output, written with `HostTerminal.writeAll` so a short write or an
/// EAGAIN (stdout may share the non-blocking open file of a tty stdin) loses nothing.
public final class StandardOutput: ConsoleOutput {
    private let fd: Int32

    /// Standard output, or another standard stream (the monitor's lines on stderr).
    public init(fd: Int32 = STDOUT_FILENO) {
        self.fd = fd
    }

    public var isTerminal: Bool { HostTerminal.isTerminal(fd) }

    public func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        // A failing stdout (closed pipe) cannot be reported anywhere useful: drop the output.
        HostTerminal.writeAll(fd, bytes)
    }

    public func setExitSequence(_ bytes: [UInt8]) {
        HostTerminal.setExitSequence(bytes)
    }
}

/// For stdout that is a pipe or a file: the printed bytes go out unchanged, so scripts and tests
/// read the program's output directly. Cursor and color calls change only the model.
public final class PassthroughRenderer: ConsoleRenderer {
    private let output: ConsoleOutput
    /// Where the monitor's lines go: the output, unless that is a file or a pipe while a
    /// person types at the monitor (stdin a terminal): then the terminal on stderr, so the
    /// monitor neither vanishes into the file nor lands in the program's captured output.
    private let monitorOutput: ConsoleOutput
    private var pending: [UInt8] = []

    public init(output: ConsoleOutput, monitorOutput: ConsoleOutput? = nil) {
        self.output = output
        self.monitorOutput = monitorOutput ?? output
    }

    public func start(_ screen: inout ConsoleScreen) {}

    public func printed(_ bytes: [UInt8]) {
        pending.append(contentsOf: bytes)
    }

    public func flush(_ screen: inout ConsoleScreen) {
        _ = screen.takeDamage()
        guard !pending.isEmpty else { return }
        output.write(pending)
        pending.removeAll(keepingCapacity: true)
    }

    public func stop(_ screen: ConsoleScreen) {
        show(nil, &placeholder)
    }
    private var placeholder = ConsoleScreen()

    /// The lines already written for the overlay shown now; a prompt is the last line, kept
    /// unfinished and rewritten in place ("\r", erase line) as it is edited.
    private var written: [String] = []
    private var promptShown = false

    /// On a plain console the monitor's lines are written as lines among the guest's output:
    /// the lines that are new since the last call, then the prompt, rewritten in place.
    public func show(_ overlay: ConsoleOverlay?, _ screen: inout ConsoleScreen) {
        flush(&screen)
        var bytes = promptShown ? "\r\u{1B}[K" : ""
        promptShown = false
        guard let overlay else {
            written = []
            monitorOutput.write(Array(bytes.utf8))
            return
        }
        var lines = overlay.lines
        let prompt = overlay.cursorColumn != nil ? lines.popLast() : nil
        if !lines.starts(with: written) { written = [] }
        for line in lines.dropFirst(written.count) { bytes += line + "\r\n" }
        written = lines
        if let prompt {
            bytes += prompt
            promptShown = true
        }
        monitorOutput.write(Array(bytes.utf8))
    }

    public func scroll(pages: Int, _ screen: inout ConsoleScreen) {}
    public func resized(_ screen: inout ConsoleScreen) {}
}
