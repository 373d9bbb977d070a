@testable import Pebblebed

/// A small VT100/xterm screen for tests: it interprets the escape sequences that the ANSI
/// renderer (and a shell's plain output) use, so a test can assert on what a person would see
/// rather than on the exact bytes. Knows: printable UTF-8, CR, LF, BS, CUP, ED 2, SGR with
/// 0/30-37/40-47/90-97/5, DECSTBM, SU, cursor show/hide, the alternate screen. Anything else
/// is recorded in `unknownSequences`, so a test notices output it cannot judge.
struct TerminalEmulator {
    struct Cell: Equatable {
        var character: Character = " "
        /// The VGA attribute the SGR state stands for; nil when the cell was never drawn.
        var attribute: UInt8?
    }

    let rows: Int
    let columns: Int
    private(set) var cells: [[Cell]]
    private(set) var cursor = (row: 0, column: 0)
    private(set) var cursorVisible = true
    private(set) var alternateScreen = false
    private(set) var unknownSequences: [String] = []
    /// The alternate screen as it was when the program left it (what a person last saw).
    private(set) var lastAlternateCells: [[Cell]]?
    private var attribute: UInt8?
    private var scrollRegion: ClosedRange<Int>
    private var mainCells: [[Cell]]?
    private var savedCursor = (row: 0, column: 0)
    private var parser = Parser()

    init(rows: Int = 25, columns: Int = 80) {
        self.rows = rows
        self.columns = columns
        cells = Array(repeating: Array(repeating: Cell(), count: columns), count: rows)
        scrollRegion = 0...(rows - 1)
    }

    /// The characters of one row, trailing blanks included.
    func text(row: Int) -> String { String(cells[row].map(\.character)) }

    mutating func feed(_ bytes: [UInt8]) {
        for byte in bytes {
            switch parser.consume(byte) {
            case .none: break
            case .text(let character): put(character)
            case .control(let code): control(code)
            case .sequence(let private_, let parameters, let final):
                sequence(private_: private_, parameters: parameters, final: final)
            }
        }
    }
}

extension TerminalEmulator {
    private mutating func put(_ character: Character) {
        if cursor.column >= columns {  // pending wrap, as xterm's autowrap does
            cursor.column = 0
            lineFeed()
        }
        cells[cursor.row][cursor.column] = Cell(character: character, attribute: attribute ?? 0x07)
        cursor.column += 1
    }

    private mutating func control(_ code: UInt8) {
        switch code {
        case 0x0D: cursor.column = 0
        case 0x0A: lineFeed()
        case 0x08: cursor.column = max(0, min(cursor.column, columns) - 1)
        default: unknownSequences.append("C0 \(code)")
        }
    }

    private mutating func lineFeed() {
        if cursor.row == scrollRegion.upperBound {
            scrollUp(1)
        } else if cursor.row < rows - 1 {
            cursor.row += 1
        }
    }

    private mutating func scrollUp(_ count: Int) {
        for _ in 0..<count {
            cells.remove(at: scrollRegion.lowerBound)
            cells.insert(Array(repeating: Cell(), count: columns), at: scrollRegion.upperBound)
        }
    }

    private mutating func sequence(private_: Bool, parameters: [Int?], final: UInt8) {
        let first = parameters.first.flatMap { $0 }
        switch (private_, final) {
        case (true, UInt8(ascii: "h")), (true, UInt8(ascii: "l")):
            mode(first ?? 0, on: final == UInt8(ascii: "h"))
        case (false, UInt8(ascii: "H")):
            let row = (first ?? 1) - 1
            let column = (parameters.count > 1 ? parameters[1] ?? 1 : 1) - 1
            cursor = (min(max(row, 0), rows - 1), min(max(column, 0), columns - 1))
        case (false, UInt8(ascii: "J")) where first == 2:
            cells = Array(repeating: Array(repeating: Cell(), count: columns), count: rows)
        case (false, UInt8(ascii: "m")):
            selectGraphicRendition(parameters)
        case (false, UInt8(ascii: "r")):
            let top = (first ?? 1) - 1
            let bottom = (parameters.count > 1 ? parameters[1] ?? rows : rows) - 1
            scrollRegion = top...bottom
            cursor = (0, 0)
        case (false, UInt8(ascii: "S")):
            scrollUp(first ?? 1)
        default:
            unknownSequences.append("CSI \(private_ ? "?" : "")\(parameters) \(Character(Unicode.Scalar(final)))")
        }
    }

    private mutating func mode(_ number: Int, on: Bool) {
        switch number {
        case 25:
            cursorVisible = on
        case 1049 where on != alternateScreen:
            alternateScreen = on
            // Like xterm: 1049 also saves the cursor on entry and restores it on exit.
            if on {
                mainCells = cells
                savedCursor = cursor
                cells = Array(repeating: Array(repeating: Cell(), count: columns), count: rows)
            } else if let saved = mainCells {
                lastAlternateCells = cells
                cells = saved
                cursor = savedCursor
            }
        case 1049:
            break
        default:
            unknownSequences.append("mode \(number)")
        }
    }

    /// Turns SGR back into a VGA attribute, inverting the renderer's color mapping, so that a
    /// test can compare the terminal with the console model cell by cell.
    private mutating func selectGraphicRendition(_ parameters: [Int?]) {
        var value = attribute ?? 0x07
        for parameter in parameters.map({ $0 ?? 0 }) {
            switch parameter {
            case 0: value = 0x07
            case 5: value |= 0x80
            case 30...37: value = value & 0xF0 | UInt8(ANSIFrame.ansiIndex(parameter - 30))
            case 90...97: value = value & 0xF0 | UInt8(ANSIFrame.ansiIndex(parameter - 90)) | 0x08
            case 40...47: value = value & 0x8F | UInt8(ANSIFrame.ansiIndex(parameter - 40)) << 4
            default: unknownSequences.append("SGR \(parameter)")
            }
        }
        attribute = value
    }
}

/// Splits a byte stream into text (decoded from UTF-8), C0 controls and CSI sequences.
private struct Parser {
    enum Token { case none, text(Character), control(UInt8), sequence(Bool, [Int?], UInt8) }
    private enum State { case ground, escape, csi }
    private var state = State.ground
    private var parameterBytes: [UInt8] = []
    private var utf8: [UInt8] = []

    mutating func consume(_ byte: UInt8) -> Token {
        switch state {
        case .ground where byte == 0x1B:
            state = .escape
        case .ground where byte < 0x20:
            return .control(byte)
        case .ground:
            return decode(byte)
        case .escape:
            state = byte == UInt8(ascii: "[") ? .csi : .ground
            parameterBytes = []
        case .csi where (0x20...0x3F).contains(byte):
            parameterBytes.append(byte)
        case .csi:
            state = .ground
            return sequence(final: byte)
        }
        return .none
    }

    private func sequence(final: UInt8) -> Token {
        var text = String(decoding: parameterBytes, as: UTF8.self)
        let isPrivate = text.hasPrefix("?")
        if isPrivate { text.removeFirst() }
        let parameters = text.isEmpty ? [] : text.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        return .sequence(isPrivate, parameters, final)
    }

    private mutating func decode(_ byte: UInt8) -> Token {
        utf8.append(byte)
        let expected = utf8[0] < 0x80 ? 1 : utf8[0] < 0xE0 ? 2 : utf8[0] < 0xF0 ? 3 : 4
        guard utf8.count == expected else { return .none }
        defer { utf8 = [] }
        return .text(String(decoding: utf8, as: UTF8.self).first ?? "\u{FFFD}")
    }
}
