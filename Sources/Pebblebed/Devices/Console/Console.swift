import Glibc

/// The console device: the screen model plus the renderer that shows it on the host.
///
/// Runs in kernel context only (interrupts off), never in a signal handler. The kernel
/// copies a print call's bytes in and hands them over in one `print`, so prints from different
/// threads cannot interleave inside one call; it calls `flush` once per system call.
public final class Console {
    public private(set) var screen = ConsoleScreen()
    private let renderer: ConsoleRenderer

    public init(renderer: ConsoleRenderer) {
        self.renderer = renderer
        screen.keepsScrollback = renderer is ANSIRenderer
    }

    /// The console for the emulator's stdout: drawn with ANSI escapes on a terminal, bytes passed
    /// through unchanged to a pipe or a file.
    public static func forStandardOutput(plain: Bool = false) -> Console {
        let output = StandardOutput()
        let renderer: ConsoleRenderer = output.isTerminal && !plain
            ? ANSIRenderer(output: output) { HostTerminal.windowSize(STDOUT_FILENO) }
            : PassthroughRenderer(output: output, monitorOutput: output.isTerminal ? nil : StandardOutput(fd: STDERR_FILENO))
        return Console(renderer: renderer)
    }

    /// True when the screen is drawn on a terminal with escapes (not passed through).
    public var drawsOnTerminal: Bool { renderer is ANSIRenderer }

    public func start() { renderer.start(&screen) }
    public func stop() { renderer.stop(screen) }
    public func flush() { renderer.flush(&screen) }
    /// The monitor's lines over the console (nil: none).
    public func show(_ overlay: ConsoleOverlay?) { renderer.show(overlay, &screen) }
    /// Pages the view through the scrollback (negative: back).
    public func scroll(pages: Int) { renderer.scroll(pages: pages, &screen) }
    /// The host terminal was resized: draw everything again (or the too-small notice).
    public func terminalResized() { renderer.resized(&screen) }

    /// print(size, buf): the bytes at the cursor with the current color.
    public func print(_ bytes: [UInt8]) {
        screen.print(bytes)
        renderer.printed(bytes)
    }

    /// set_term_color(color).
    public func setTermColor(_ color: Int) throws(ConsoleError) {
        try screen.setColor(color)
    }

    /// set_cursor_pos(row, col).
    public func setCursorPos(row: Int, column: Int) throws(ConsoleError) {
        try screen.setCursor(row: row, column: column)
    }

    /// get_cursor_pos(&row, &col).
    public func getCursorPos() -> CursorPosition { screen.cursor }

    /// Shows what readline did with the keys it consumed.
    public func echo(_ operations: [EchoOperation]) {
        for operation in operations {
            switch operation {
            case .character(let byte):
                print([byte])
            case .erase:
                screen.eraseBackward()
                // A pipe reader sees the conventional terminal erase: back, blank, back.
                renderer.printed([0x08, 0x20, 0x08])
            }
        }
    }
}

/// One step of readline's echo.
public enum EchoOperation: Equatable, Sendable {
    /// Show this byte (a typed character, or '\n' when the line completes).
    case character(UInt8)
    /// Remove the character before the cursor, which belongs to the line being edited.
    case erase
}
