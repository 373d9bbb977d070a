import Testing
@testable import Pebblebed

@Suite struct ConsoleScreenTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func freshScreenIsBlankLightGrayOnBlackAtOrigin() {
        let screen = ConsoleScreen()
        #expect(screen.cursor == CursorPosition(row: 0, column: 0))
        #expect(screen.color == 0x07)
        #expect(screen[24, 79] == ConsoleCell(character: 0x20, color: 0x07))
    }

    @Test func printableBytesAdvanceTheCursorAndUseTheCurrentColor() throws {
        var screen = ConsoleScreen()
        try screen.setColor(0x1E)
        screen.print(bytes("hi"))
        #expect(screen[0, 0] == ConsoleCell(character: UInt8(ascii: "h"), color: 0x1E))
        #expect(screen[0, 1] == ConsoleCell(character: UInt8(ascii: "i"), color: 0x1E))
        #expect(screen[0, 2].color == 0x07)
        #expect(screen.cursor == CursorPosition(row: 0, column: 2))
    }

    @Test func mixedControlBytes() {
        var screen = ConsoleScreen()
        screen.print(bytes("abc\rX\nde\u{8}f"))
        #expect(screen.text(row: 0).hasPrefix("Xbc "))
        #expect(screen.text(row: 1).hasPrefix("df "))
        #expect(screen.cursor == CursorPosition(row: 1, column: 2))
    }

    @Test func backspaceBlanksThePreviousCellInTheCurrentColor() throws {
        var screen = ConsoleScreen()
        screen.print(bytes("ab"))
        try screen.setColor(0x40)
        screen.print([0x08])
        #expect(screen[0, 1] == ConsoleCell(character: 0x20, color: 0x40))
        #expect(screen.cursor == CursorPosition(row: 0, column: 1))
    }

    @Test func backspaceAtColumnZeroDoesNothing() {
        var screen = ConsoleScreen()
        screen.print(bytes("abc\n"))
        screen.print([0x08, 0x08])
        #expect(screen.cursor == CursorPosition(row: 1, column: 0))
        #expect(screen.text(row: 0).hasPrefix("abc"))
    }

    @Test func wrapsAtTheRightEdgeImmediately() {
        var screen = ConsoleScreen()
        screen.print(Array(repeating: UInt8(ascii: "x"), count: 80))
        #expect(screen.cursor == CursorPosition(row: 1, column: 0))
        screen.print(bytes("y"))
        #expect(screen[1, 0].character == UInt8(ascii: "y"))
    }

    @Test func newlineOnTheLastRowScrollsEverythingUp() throws {
        var screen = ConsoleScreen()
        for row in 0..<25 { screen.print(bytes("line \(row)\n")) }
        #expect(screen.cursor == CursorPosition(row: 24, column: 0))
        #expect(screen.text(row: 0).hasPrefix("line 1 "))
        #expect(screen.text(row: 23).hasPrefix("line 24"))
        #expect(screen.text(row: 24) == String(repeating: " ", count: 80))
    }

    @Test func wrapOnTheLastCellScrolls() throws {
        var screen = ConsoleScreen()
        try screen.setCursor(row: 24, column: 79)
        screen.print(bytes("zq"))
        #expect(screen[23, 79].character == UInt8(ascii: "z"))
        #expect(screen[24, 0].character == UInt8(ascii: "q"))
        #expect(screen.cursor == CursorPosition(row: 24, column: 1))
    }

    @Test func scrollBlanksTheNewRowInTheCurrentColor() throws {
        var screen = ConsoleScreen()
        try screen.setCursor(row: 24, column: 0)
        try screen.setColor(0x2F)
        screen.print(bytes("\n"))
        #expect(screen[24, 40] == ConsoleCell(character: 0x20, color: 0x2F))
    }

    @Test(arguments: [-1, 0x100, Int(Int32.min)])
    func invalidColorsAreRefusedAndKeepTheColor(_ value: Int) {
        var screen = ConsoleScreen()
        #expect(throws: ConsoleError.invalidColor(value)) { try screen.setColor(value) }
        #expect(screen.color == 0x07)
    }

    @Test func everyByteValueIsAValidColor() throws {
        var screen = ConsoleScreen()
        try screen.setColor(0)
        try screen.setColor(0xFF)
        #expect(screen.color == 0xFF)
    }

    @Test(arguments: [(-1, 0), (0, -1), (25, 0), (0, 80), (25, 80)])
    func cursorOutsideTheScreenIsRefused(_ position: (Int, Int)) throws {
        var screen = ConsoleScreen()
        try screen.setCursor(row: 3, column: 4)
        #expect(throws: ConsoleError.invalidPosition(row: position.0, column: position.1)) {
            try screen.setCursor(row: position.0, column: position.1)
        }
        #expect(screen.cursor == CursorPosition(row: 3, column: 4))
    }

    @Test func errorsAreInvalidArguments() {
        #expect(ConsoleError.invalidColor(-1).pebblesError == .invalidArgument)
        #expect(ConsoleError.invalidPosition(row: 0, column: 99).pebblesError == .invalidArgument)
    }

    @Test func cursorCornersAreValid() throws {
        var screen = ConsoleScreen()
        try screen.setCursor(row: 24, column: 79)
        #expect(screen.cursor == CursorPosition(row: 24, column: 79))
        screen.print(bytes("!"))
        // The last cell wraps at once, which scrolls the "!" up one row.
        #expect(screen[23, 79].character == UInt8(ascii: "!"))
        #expect(screen.cursor == CursorPosition(row: 24, column: 0))
    }

    @Test func eraseBackwardCrossesToThePreviousRow() {
        var screen = ConsoleScreen()
        screen.print(Array(repeating: UInt8(ascii: "x"), count: 80))
        screen.eraseBackward()
        #expect(screen.cursor == CursorPosition(row: 0, column: 79))
        #expect(screen[0, 79].character == 0x20)
        #expect(screen[0, 78].character == UInt8(ascii: "x"))
    }

    @Test func damageCoversExactlyTheChangedCells() {
        var screen = ConsoleScreen()
        _ = screen.takeDamage()
        screen.print(bytes("\n  ab"))
        let (damage, scrolled) = screen.takeDamage()
        #expect(scrolled == 0)
        #expect(damage.rows[0] == nil)
        // The two leading spaces equal the blank cells they overwrite: no damage for them.
        #expect(damage.rows[1] == 2...3)
        #expect(screen.takeDamage().damage.isEmpty)
    }

    @Test func damageFollowsContentWhenScrolling() throws {
        var screen = ConsoleScreen()
        try screen.setCursor(row: 24, column: 0)
        _ = screen.takeDamage()
        screen.print(bytes("ab\n"))
        let (damage, scrolled) = screen.takeDamage()
        #expect(scrolled == 1)
        #expect(damage.rows[23] == 0...1)
        #expect(damage.rows[24] == 0...79)
        #expect(damage.rows[0...22].allSatisfy { $0 == nil })
    }
}
