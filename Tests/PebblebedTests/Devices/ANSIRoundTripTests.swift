import Testing
@testable import Pebblebed

/// Feeds the ANSI renderer's output through a terminal emulator and checks that what the
/// terminal shows equals the console model, cell for cell, after every flush.
@Suite struct ANSIRoundTripTests {
    /// A fixed-seed generator (SplitMix64) so a failure reproduces.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private func mismatches(_ terminal: TerminalEmulator, _ screen: ConsoleScreen) -> [String] {
        var found: [String] = []
        for row in 0..<ConsoleScreen.rowCount {
            for column in 0..<ConsoleScreen.columnCount {
                let cell = screen[row, column]
                let glyph = String(decoding: CodePage437.utf8[Int(cell.character)], as: UTF8.self)
                let shown = terminal.cells[row][column]
                if shown.character != glyph.first || shown.attribute != cell.color {
                    found.append("(\(row),\(column)) shows \(shown) for \(cell)")
                }
            }
        }
        return found
    }

    private func randomStep(_ console: Console, _ random: inout SeededGenerator) throws {
        switch Int.random(in: 0..<20, using: &random) {
        case 0:
            try console.setTermColor(Int.random(in: 0...0xFF, using: &random))
        case 1:
            try console.setCursorPos(row: Int.random(in: 0..<25, using: &random),
                                     column: Int.random(in: 0..<80, using: &random))
        case 2:
            console.print(Array(repeating: 0x0A, count: Int.random(in: 1...30, using: &random)))
        case 3:
            console.echo([.erase])
        default:
            let alphabet: [UInt8] = Array("abc xyz 0123\n\r\u{8}".utf8) + [0x01, 0xC9, 0xFF, 0x00]
            console.print((0..<Int.random(in: 1...120, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        }
    }

    @Test(arguments: [1, 2, 3, 42, 2026])
    func terminalMatchesTheModelAfterEveryFlush(seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        let output = RecordingOutput()
        let console = Console(renderer: ANSIRenderer(output: output))
        var terminal = TerminalEmulator(rows: 30, columns: 100)  // larger than the console
        console.start()
        for step in 0..<400 {
            try randomStep(console, &random)
            guard Bool.random(using: &random) else { continue }
            console.flush()
            output.written.forEach { terminal.feed($0) }
            output.written.removeAll()
            let wrong = mismatches(terminal, console.screen)
            let wrongCount = wrong.count
            try #require(wrongCount == 0, "step \(step): \(wrong.prefix(3))")
            #expect(terminal.cursor == (console.getCursorPos().row, console.getCursorPos().column))
        }
        #expect(terminal.unknownSequences.isEmpty)
        #expect(terminal.alternateScreen)
        console.stop()
        output.written.forEach { terminal.feed($0) }
        #expect(!terminal.alternateScreen)
        #expect(terminal.cursorVisible)
    }

    @Test func emulatorUnderstandsAScrollRegion() {
        var terminal = TerminalEmulator(rows: 4, columns: 5)
        terminal.feed(Array("a\r\nb\r\nc\r\nd".utf8))
        terminal.feed(Array("\u{1B}[1;3r\u{1B}[1S\u{1B}[r".utf8))
        #expect((0..<4).map { terminal.text(row: $0) } == ["b    ", "c    ", "     ", "d    "])
    }
}
