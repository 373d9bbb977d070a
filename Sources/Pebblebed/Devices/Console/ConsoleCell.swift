/// One character cell of the VGA text screen: a code-page-437 byte and its color attribute
/// (low nibble foreground, bits 4-6 background, bit 7 blink).
public struct ConsoleCell: Equatable, Sendable {
    public var character: UInt8
    public var color: UInt8

    public init(character: UInt8, color: UInt8) {
        self.character = character
        self.color = color
    }
}

/// A cursor position: row 0...24 from the top, column 0...79 from the left.
public struct CursorPosition: Equatable, Sendable {
    public var row: Int
    public var column: Int

    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }
}

/// Pebbles console color constants (the subset the kernel itself uses).
public enum ConsoleColor {
    /// FGND_LGRAY | BGND_BLACK: the color of a fresh console.
    public static let defaultColor: UInt8 = 0x07
}
