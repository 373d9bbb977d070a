/// For stdout that is a terminal: draws the model with ANSI escapes on the alternate screen,
/// redrawing only the damaged cells, and sends each flush as one write so the terminal never
/// shows a half-drawn frame. It also draws what is not in the model: the monitor's lines over
/// the bottom rows (`show`), a view paged back into the scrollback (`scroll`), and, on a
/// terminal smaller than 80x25, a notice instead of a garbled screen (`resized`).
public final class ANSIRenderer: ConsoleRenderer {
    private let output: ConsoleOutput
    /// The host terminal's size now (nil: unknown, taken as big enough).
    private let terminalSize: () -> (rows: Int, columns: Int)?
    /// The cursor as last drawn; a flush with no damage and no cursor move writes nothing.
    private var drawnCursor: CursorPosition?
    /// Lines drawn over the bottom rows; nil when the console is shown whole.
    private var overlay: ConsoleOverlay?
    /// How many rows the view is paged back into the scrollback (0: the live screen).
    public private(set) var viewBack = 0
    /// The terminal is smaller than the console: a notice is shown instead of the screen.
    public private(set) var tooSmall = false
    /// The overlay changed since it was last drawn (a flush must draw even with no damage).
    private var overlayChanged = false

    /// Leaves everything as the shell expects it: default colors, cursor shown, main screen.
    static let exitSequence: [UInt8] = Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l".utf8)
    static let enterSequence: [UInt8] = Array("\u{1B}[?1049h\u{1B}[0m\u{1B}[H\u{1B}[2J".utf8)
    /// The monitor's lines: black on light gray, so they stand apart from any guest colors.
    static let overlayColor: UInt8 = 0x70

    public init(output: ConsoleOutput, terminalSize: @escaping () -> (rows: Int, columns: Int)? = { nil }) {
        self.output = output
        self.terminalSize = terminalSize
    }

    public func start(_ screen: inout ConsoleScreen) {
        output.setExitSequence(Self.exitSequence)
        output.write(Self.enterSequence)
        if checkSize() { return }
        screen.damageAll()
        drawnCursor = nil
        flush(&screen)
    }

    public func printed(_ bytes: [UInt8]) {}

    public func flush(_ screen: inout ConsoleScreen) {
        if tooSmall {
            _ = screen.takeDamage()   // the notice stays; `resized` redraws everything
            return
        }
        if viewBack > 0 {
            flushPagedBack(&screen)
            return
        }
        let (damage, scrolledRows) = screen.takeDamage()
        let cursor = overlayCursor ?? screen.cursor
        guard !damage.isEmpty || drawnCursor != cursor || overlayChanged else { return }
        overlayChanged = false
        var frame = ANSIFrame()
        frame.hideCursor()
        if let overlay, scrolledRows > 0 {
            // The terminal's scroll would carry the monitor's lines up over rows of the model:
            // the rows above them are drawn whole instead.
            for row in 0..<(ConsoleScreen.rowCount - overlay.lines.count) {
                frame.draw(row: row, cells: screen.historyRow(screen.scrollback.count + row))
            }
        } else {
            if scrolledRows > 0 && scrolledRows < ConsoleScreen.rowCount {
                frame.scroll(rows: scrolledRows, regionHeight: ConsoleScreen.rowCount)
            }
            for (row, columns) in damage.rows.enumerated() {
                guard let columns else { continue }
                frame.draw(row: row, columns: columns, of: screen)
            }
        }
        // Drawn last: scrolling and damaged rows beneath it must not show through.
        if let overlay { frame.draw(overlay) }
        frame.place(cursor: cursor)
        frame.showCursor()
        output.write(frame.bytes)
        drawnCursor = cursor
    }

    /// Shows lines over the bottom of the console (nil: takes them away, and the rows beneath
    /// are drawn again from the model).
    public func show(_ newOverlay: ConsoleOverlay?, _ screen: inout ConsoleScreen) {
        guard newOverlay != overlay else { return }
        if let old = overlay {
            screen.damage(rows: (ConsoleScreen.rowCount - old.lines.count)..<ConsoleScreen.rowCount)
        }
        overlay = newOverlay.map { ConsoleOverlay(lines: Array($0.lines.suffix(ConsoleScreen.rowCount)), cursorColumn: $0.cursorColumn) }
        guard !tooSmall else { return }
        if viewBack > 0 {
            drawView(screen)
        } else {
            // The rows the old lines covered come back from the model, the new lines go on top.
            overlayChanged = true
            flush(&screen)
        }
    }

    /// Pages the view: negative back into the scrollback, positive towards the live screen.
    public func scroll(pages: Int, _ screen: inout ConsoleScreen) {
        let page = ConsoleScreen.rowCount - 1
        let back = min(max(viewBack - pages * page, 0), screen.scrollback.count)
        guard back != viewBack else { return }
        viewBack = back
        redrawView(&screen)
    }

    /// The host terminal changed size: a notice while it is too small, else everything again.
    public func resized(_ screen: inout ConsoleScreen) {
        if checkSize() { return }
        var frame = ANSIFrame()
        frame.clear()
        output.write(frame.bytes)
        redrawView(&screen)
    }

    /// While paged back the view stays on the same rows as output arrives (the scrollback
    /// grows under it); it is drawn again only when rows of the live screen are in it or the
    /// scrollback's limit dropped rows it showed.
    private func flushPagedBack(_ screen: inout ConsoleScreen) {
        let (damage, scrolledRows) = screen.takeDamage()
        let anchored = min(viewBack + scrolledRows, screen.scrollback.count)
        let clamped = anchored < viewBack + scrolledRows
        viewBack = anchored
        if clamped || (viewBack < ConsoleScreen.rowCount && (!damage.isEmpty || scrolledRows > 0)) {
            drawView(screen)
        }
    }

    /// Everything visible again: the live screen from the model, or the paged-back view.
    private func redrawView(_ screen: inout ConsoleScreen) {
        guard !tooSmall else { return }
        if viewBack > 0 {
            _ = screen.takeDamage()
            drawView(screen)
        } else {
            screen.damageAll()
            drawnCursor = nil
            flush(&screen)
        }
    }

    /// The rows `viewBack` back from the live screen, a status line on the last row (unless
    /// the monitor's lines are there), the cursor hidden.
    private func drawView(_ screen: ConsoleScreen) {
        var frame = ANSIFrame()
        frame.hideCursor()
        let first = screen.scrollback.count - viewBack
        for row in 0..<ConsoleScreen.rowCount {
            frame.draw(row: row, cells: screen.historyRow(first + row))
        }
        let status = "-- scrollback: \(viewBack) of \(screen.scrollback.count) rows up; Shift-PgDn: down --"
        frame.draw(overlay ?? ConsoleOverlay(lines: [status], cursorColumn: nil))
        if let overlayCursor {
            frame.place(cursor: overlayCursor)
            frame.showCursor()
        }
        output.write(frame.bytes)
        drawnCursor = nil
    }

    private var overlayCursor: CursorPosition? {
        guard let overlay, let column = overlay.cursorColumn else { return nil }
        return CursorPosition(row: ConsoleScreen.rowCount - 1, column: min(column, ConsoleScreen.columnCount - 1))
    }

    /// Looks at the terminal's size; when it is too small, shows the notice and returns true.
    private func checkSize() -> Bool {
        guard let size = terminalSize(),
              size.rows < ConsoleScreen.rowCount || size.columns < ConsoleScreen.columnCount else {
            tooSmall = false
            return false
        }
        tooSmall = true
        var frame = ANSIFrame()
        frame.clear()
        frame.text(Self.smallNotice(rows: size.rows, columns: size.columns))
        output.write(frame.bytes)
        drawnCursor = nil
        return true
    }

    /// What a too small terminal shows, in short lines so that a narrow one shows it too.
    static func smallNotice(rows: Int, columns: Int) -> String {
        "pebblebed: the terminal is \(columns)x\(rows);\r\nthe console needs 80x25.\r\n"
            + "Enlarge it (the console is drawn\r\nagain at once), or run with\r\n--console plain.\r\n"
            + "The machine keeps running;\r\nCtrl-] h: the host keys.\r\n"
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

    /// Clears the terminal (default colors, cursor home).
    mutating func clear() {
        append("\u{1B}[0m\u{1B}[H\u{1B}[2J")
        currentColor = nil
    }

    /// Plain text at the cursor in the default colors.
    mutating func text(_ text: String) {
        append("\u{1B}[0m" + text)
        currentColor = nil
    }

    /// A whole row from the given cells (a row of the scrollback or of the screen).
    mutating func draw(row: Int, cells: ArraySlice<ConsoleCell>) {
        place(cursor: CursorPosition(row: row, column: 0))
        for cell in cells {
            select(color: cell.color)
            bytes.append(contentsOf: CodePage437.utf8[Int(cell.character)])
        }
    }

    /// The overlay's lines on the bottom rows, each padded to the full width.
    mutating func draw(_ overlay: ConsoleOverlay) {
        let top = ConsoleScreen.rowCount - overlay.lines.count
        for (index, line) in overlay.lines.enumerated() {
            place(cursor: CursorPosition(row: top + index, column: 0))
            select(color: ANSIRenderer.overlayColor)
            var shown = Array(line.unicodeScalars.prefix(ConsoleScreen.columnCount))
            shown += repeatElement(" ", count: ConsoleScreen.columnCount - shown.count)
            // Control characters would move the terminal's cursor: shown as '?'.
            append(String(String.UnicodeScalarView(shown.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 })))
        }
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
