/// For stdout that is a terminal: draws the model with ANSI escapes on the alternate screen,
/// redrawing only the damaged cells, and sends each flush as one write so the terminal never
/// shows a half-drawn frame.
public final class ANSIRenderer: ConsoleRenderer {
    private let output: ConsoleOutput
    /// The cursor as last drawn; a flush with no damage and no cursor move writes nothing.
    private var drawnCursor: CursorPosition?

    /// Leaves everything as the shell expects it: default colors, cursor shown, main screen.
    static let exitSequence: [UInt8] = Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l".utf8)
    static let enterSequence: [UInt8] = Array("\u{1B}[?1049h\u{1B}[0m\u{1B}[H\u{1B}[2J".utf8)

    public init(output: ConsoleOutput) {
        self.output = output
    }

    public func start(_ screen: inout ConsoleScreen) {
        output.setExitSequence(Self.exitSequence)
        output.write(Self.enterSequence)
        screen.damageAll()
        drawnCursor = nil
        flush(&screen)
    }

    public func printed(_ bytes: [UInt8]) {}

    public func flush(_ screen: inout ConsoleScreen) {
        let (damage, scrolledRows) = screen.takeDamage()
        guard !damage.isEmpty || drawnCursor != screen.cursor else { return }
        var frame = ANSIFrame()
        frame.hideCursor()
        if scrolledRows > 0 && scrolledRows < ConsoleScreen.rowCount {
            frame.scroll(rows: scrolledRows, regionHeight: ConsoleScreen.rowCount)
        }
        for (row, columns) in damage.rows.enumerated() {
            guard let columns else { continue }
            frame.draw(row: row, columns: columns, of: screen)
        }
        frame.place(cursor: screen.cursor)
        frame.showCursor()
        output.write(frame.bytes)
        drawnCursor = screen.cursor
    }

    /// Leaves the alternate screen and prints the console's last contents as plain text on the
    /// main screen, so that what the machine showed (the output of `pebblebed run`, a fault
    /// report) is still there after it ends.
    public func stop(_ screen: ConsoleScreen) {
        output.write(Self.exitSequence + Self.transcript(of: screen))
        // Written now, so the restore path must not write it again.
        output.setExitSequence([])
    }

    /// The rows down to the last one that is not blank (at least down to the cursor's row),
    /// trailing blanks trimmed, as UTF-8 lines.
    static func transcript(of screen: ConsoleScreen) -> [UInt8] {
        let blank = ConsoleCell(character: 0x20, color: 0).character
        func isBlank(_ row: Int) -> Bool {
            (0..<ConsoleScreen.columnCount).allSatisfy { [0x00, blank].contains(screen[row, $0].character) }
        }
        let cursorRow = screen.cursor.column > 0 ? screen.cursor.row : screen.cursor.row - 1
        var last = ConsoleScreen.rowCount - 1
        while last > cursorRow && isBlank(last) { last -= 1 }
        var bytes: [UInt8] = []
        for row in stride(from: 0, through: last, by: 1) {
            var cells = (0..<ConsoleScreen.columnCount).map { screen[row, $0].character }
            while let end = cells.last, end == blank || end == 0 { cells.removeLast() }
            cells.forEach { bytes.append(contentsOf: CodePage437.utf8[Int($0)]) }
            bytes.append(0x0A)
        }
        return bytes
    }
}

/// One frame of escape sequences under construction. It remembers the color last selected so
/// runs of same-colored cells cost one SGR sequence.
struct ANSIFrame {
    private(set) var bytes: [UInt8] = []
    private var currentColor: UInt8?

    mutating func hideCursor() { append("\u{1B}[?25l") }
    mutating func showCursor() { append("\u{1B}[?25h") }

    mutating func place(cursor: CursorPosition) {
        append("\u{1B}[\(cursor.row + 1);\(cursor.column + 1)H")
    }

    /// Scrolls the top `regionHeight` rows up: the terminal moves the unchanged cells itself and
    /// the rows that came in are redrawn from the damage, which the screen shifted accordingly.
    mutating func scroll(rows: Int, regionHeight: Int) {
        append("\u{1B}[0m\u{1B}[1;\(regionHeight)r\u{1B}[\(rows)S\u{1B}[r")
        currentColor = nil
    }

    mutating func draw(row: Int, columns: ClosedRange<Int>, of screen: ConsoleScreen) {
        place(cursor: CursorPosition(row: row, column: columns.lowerBound))
        for column in columns {
            let cell = screen[row, column]
            select(color: cell.color)
            bytes.append(contentsOf: CodePage437.utf8[Int(cell.character)])
        }
    }

    mutating func select(color: UInt8) {
        guard color != currentColor else { return }
        currentColor = color
        append(Self.sgr(for: color))
    }

    /// VGA attribute to SGR. VGA numbers colors with blue in bit 0 and red in bit 2, ANSI the
    /// other way round, so the three color bits are reversed; VGA bright foregrounds (bit 3)
    /// become ANSI's bright range 90-97; bit 7 is blink.
    static func sgr(for color: UInt8) -> String {
        let foreground = Int(color & 0x0F)
        let background = Int((color >> 4) & 0x07)
        let base = foreground < 8 ? 30 : 90
        var sgr = "\u{1B}[0;\(base + ansiIndex(foreground & 7));\(40 + ansiIndex(background))"
        if color & 0x80 != 0 { sgr += ";5" }
        return sgr + "m"
    }

    static func ansiIndex(_ vga: Int) -> Int {
        (vga & 1) << 2 | (vga & 2) | (vga & 4) >> 2
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }
}
