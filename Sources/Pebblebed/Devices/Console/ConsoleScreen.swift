/// The 80x25 text screen: cells, cursor and current color, with Pebbles print semantics.
/// A pure value: it knows nothing of the host terminal; renderers read it and its damage.
///
/// Decisions (see Devices/README.md):
/// - A printable byte at the last column wraps at once: the cursor is always on the screen.
/// - '\b' at column 0 does nothing (410's reference behaviour); elsewhere it moves back one
///   column and blanks that cell in the current color.
/// - Scrolling blanks the new bottom row in the current color.
/// - Every byte other than '\n', '\r' and '\b' is stored as a glyph, as VGA text memory would.
public struct ConsoleScreen: Sendable {
    public static let rowCount = 25
    public static let columnCount = 80

    public private(set) var cells: [ConsoleCell]
    public private(set) var cursor = CursorPosition(row: 0, column: 0)
    public private(set) var color: UInt8 = ConsoleColor.defaultColor
    /// Cells changed since the last `takeDamage()`.
    public private(set) var damage = ConsoleDamage(rowCount: ConsoleScreen.rowCount)
    /// Rows scrolled off the top since the last `takeDamage()` (a renderer may scroll the host
    /// terminal instead of redrawing).
    public private(set) var scrolledRows = 0
    /// Rows that scrolled off the top, oldest first: the newest `scrollbackLimit` of them, for
    /// paging back (Shift-PgUp). The 25 rows on the screen are not in it.
    public private(set) var scrollback: [[ConsoleCell]] = []
    public static let scrollbackLimit = 1000
    /// Whether rows scrolling off are kept: only a drawn console pages back (a plain one has
    /// the host terminal's scrollback), so the others do not pay for it.
    public var keepsScrollback = true

    public init() {
        let blank = ConsoleCell(character: 0x20, color: ConsoleColor.defaultColor)
        cells = Array(repeating: blank, count: Self.rowCount * Self.columnCount)
    }

    public subscript(row: Int, column: Int) -> ConsoleCell {
        cells[row * Self.columnCount + column]
    }

    /// The characters of one row as a string (each glyph byte as the Latin-1 scalar of the same
    /// value), for tests and logs.
    public func text(row: Int) -> String {
        let start = row * Self.columnCount
        let scalars = cells[start..<start + Self.columnCount].map { Unicode.Scalar($0.character) }
        return String(String.UnicodeScalarView(scalars))
    }

    public mutating func print<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes { put(byte) }
    }

    public mutating func setColor(_ value: Int) throws(ConsoleError) {
        guard (0...0xFF).contains(value) else { throw .invalidColor(value) }
        color = UInt8(value)
    }

    public mutating func setCursor(row: Int, column: Int) throws(ConsoleError) {
        guard (0..<Self.rowCount).contains(row), (0..<Self.columnCount).contains(column) else {
            throw .invalidPosition(row: row, column: column)
        }
        cursor = CursorPosition(row: row, column: column)
    }

    /// Erases the character before the cursor for readline's echo: unlike '\b' it crosses to the
    /// end of the previous row, because an echoed line may have wrapped.
    public mutating func eraseBackward() {
        if cursor.column > 0 {
            cursor.column -= 1
        } else if cursor.row > 0 {
            cursor.row -= 1
            cursor.column = Self.columnCount - 1
        } else {
            return
        }
        store(ConsoleCell(character: 0x20, color: color), at: cursor)
    }

    /// Hands the damage to a renderer and starts a new round.
    public mutating func takeDamage() -> (damage: ConsoleDamage, scrolledRows: Int) {
        defer {
            damage.clear()
            scrolledRows = 0
        }
        return (damage, scrolledRows)
    }

    /// Marks the whole screen damaged, e.g. when a renderer starts on a fresh terminal.
    public mutating func damageAll() {
        damage.markAll(columns: 0...(Self.columnCount - 1))
    }

    /// Marks whole rows damaged: something else was drawn over them (the monitor's lines).
    public mutating func damage(rows: Range<Int>) {
        for row in rows.clamped(to: 0..<Self.rowCount) {
            damage.mark(row: row, columns: 0...(Self.columnCount - 1))
        }
    }

    /// Row `index` of the scrollback followed by the screen (0 is the oldest kept row).
    public func historyRow(_ index: Int) -> ArraySlice<ConsoleCell> {
        if index < scrollback.count { return scrollback[index][...] }
        let start = (index - scrollback.count) * Self.columnCount
        return cells[start..<start + Self.columnCount]
    }
}

extension ConsoleScreen {
    private mutating func put(_ byte: UInt8) {
        switch byte {
        case 0x0A:
            cursor.column = 0
            advanceRow()
        case 0x0D:
            cursor.column = 0
        case 0x08:
            guard cursor.column > 0 else { return }
            cursor.column -= 1
            store(ConsoleCell(character: 0x20, color: color), at: cursor)
        default:
            store(ConsoleCell(character: byte, color: color), at: cursor)
            cursor.column += 1
            if cursor.column == Self.columnCount {
                cursor.column = 0
                advanceRow()
            }
        }
    }

    private mutating func store(_ cell: ConsoleCell, at position: CursorPosition) {
        let index = position.row * Self.columnCount + position.column
        guard cells[index] != cell else { return }
        cells[index] = cell
        damage.mark(row: position.row, column: position.column)
    }

    private mutating func advanceRow() {
        if cursor.row + 1 < Self.rowCount {
            cursor.row += 1
        } else {
            scrollUp()
        }
    }

    private mutating func scrollUp() {
        if keepsScrollback {
            if scrollback.count == Self.scrollbackLimit { scrollback.removeFirst() }
            scrollback.append(Array(cells[0..<Self.columnCount]))
        }
        cells.removeFirst(Self.columnCount)
        cells.append(contentsOf: repeatElement(ConsoleCell(character: 0x20, color: color), count: Self.columnCount))
        scrolledRows += 1
        damage.shiftUp()
        damage.mark(row: Self.rowCount - 1, columns: 0...(Self.columnCount - 1))
    }
}
