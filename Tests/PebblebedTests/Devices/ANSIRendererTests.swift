import Testing
@testable import Pebblebed

final class RecordingOutput: ConsoleOutput {
    var written: [[UInt8]] = []
    var exitSequence: [UInt8] = []
    func write(_ bytes: [UInt8]) { written.append(bytes) }
    func setExitSequence(_ bytes: [UInt8]) { exitSequence = bytes }
    var text: [String] { written.map { String(decoding: $0, as: UTF8.self) } }
}

@Suite struct ANSIRendererTests {
    private let esc = "\u{1B}"

    private func started() -> (Console, RecordingOutput) {
        let output = RecordingOutput()
        let console = Console(renderer: ANSIRenderer(output: output))
        console.start()
        output.written.removeAll()
        return (console, output)
    }

    @Test func startEntersTheAlternateScreenAndRegistersTheWayBack() {
        let output = RecordingOutput()
        let console = Console(renderer: ANSIRenderer(output: output))
        console.start()
        #expect(output.text.first == "\(esc)[?1049h\(esc)[0m\(esc)[H\(esc)[2J")
        #expect(output.text.count == 2)
        #expect(output.text[1].contains("\(esc)[25;1H"))
        #expect(String(decoding: output.exitSequence, as: UTF8.self) == "\(esc)[0m\(esc)[?25h\(esc)[?1049l")
        console.stop()
        #expect(output.text.last == "\(esc)[0m\(esc)[?25h\(esc)[?1049l")
        #expect(output.exitSequence.isEmpty)
    }

    @Test func stopLeavesTheLastScreenAsPlainTextOnTheMainScreen() throws {
        let (console, output) = started()
        console.print(Array("one\n\ntwo  \u{1}\nthree".utf8))
        try console.setCursorPos(row: 1, column: 0)
        try console.setTermColor(0x1F)
        console.stop()
        #expect(output.text.last == "\(esc)[0m\(esc)[?25h\(esc)[?1049lone\n\ntwo  ☺\nthree\n")
    }

    @Test func theTranscriptReachesAtLeastTheCursorRow() {
        let (console, output) = started()
        console.print(Array("a\n\n\n".utf8))
        console.stop()
        #expect(output.text.last?.hasSuffix("l" + "a\n\n\n") == true)
        #expect(ANSIRenderer.transcript(of: ConsoleScreen()).isEmpty)
    }

    @Test func flushDrawsOnlyTheDamagedCellsInOneWrite() throws {
        let (console, output) = started()
        try console.setCursorPos(row: 2, column: 5)
        try console.setTermColor(0x14)  // FGND_RED | BGND_BLUE
        console.print(Array("ok".utf8))
        console.flush()
        #expect(output.text == ["\(esc)[?25l\(esc)[3;6H\(esc)[0;31;44mok\(esc)[3;8H\(esc)[?25h"])
    }

    @Test func flushWithNothingChangedWritesNothing() {
        let (console, output) = started()
        console.flush()
        console.print(Array("  ".utf8))  // blanks over blanks: only the cursor moved
        console.flush()
        console.flush()
        #expect(output.text == ["\(esc)[?25l\(esc)[1;3H\(esc)[?25h"])
    }

    @Test func scrollingUsesTheTerminalsScrollRegion() throws {
        let (console, output) = started()
        try console.setCursorPos(row: 24, column: 0)
        console.print(Array("z\n".utf8))
        console.flush()
        let frame = try #require(output.text.first)
        #expect(frame.hasPrefix("\(esc)[?25l\(esc)[0m\(esc)[1;25r\(esc)[1S\(esc)[r\(esc)[24;1H\(esc)[0;37;40mz\(esc)[25;1H"))
        #expect(frame.hasSuffix(String(repeating: " ", count: 80) + "\(esc)[25;1H\(esc)[?25h"))
    }

    @Test func glyphsAreDrawnFromCodePage437() throws {
        let (console, output) = started()
        console.print([0x01, 0xC9, 0xB0])
        console.flush()
        #expect(try #require(output.text.first).contains("☺╔░"))
    }

    @Test func codePageTableHasOneGlyphPerByte() {
        #expect(CodePage437.utf8.count == 256)
        #expect(CodePage437.utf8[0x41] == [0x41])
        #expect(CodePage437.utf8[0xDB] == Array("█".utf8))
        #expect(CodePage437.utf8[0x7F] == Array("⌂".utf8))
    }

    @Test(arguments: [
        (UInt8(0x07), "\u{1B}[0;37;40m"),  // light gray on black
        (UInt8(0x01), "\u{1B}[0;34;40m"),  // VGA blue is ANSI 4
        (UInt8(0x04), "\u{1B}[0;31;40m"),  // VGA red is ANSI 1
        (UInt8(0x0E), "\u{1B}[0;93;40m"),  // yellow is bright brown
        (UInt8(0x08), "\u{1B}[0;90;40m"),  // dark gray is bright black
        (UInt8(0x63), "\u{1B}[0;36;43m"),  // cyan on brown
        (UInt8(0xF0), "\u{1B}[0;30;47;5m"), // blink, black on light gray
    ])
    func vgaAttributesMapToSGR(_ color: UInt8, _ sgr: String) {
        #expect(ANSIFrame.sgr(for: color) == sgr)
    }
}

@Suite struct PassthroughRendererTests {
    @Test func printedBytesGoOutUnchangedAtFlush() throws {
        let output = RecordingOutput()
        let console = Console(renderer: PassthroughRenderer(output: output))
        console.start()
        console.print(Array("a\rb\u{8}\n".utf8))
        try console.setCursorPos(row: 10, column: 10)
        try console.setTermColor(0x4F)
        #expect(output.written.isEmpty)
        console.flush()
        console.flush()
        #expect(output.written == [Array("a\rb\u{8}\n".utf8)])
        #expect(console.getCursorPos() == CursorPosition(row: 10, column: 10))
    }

    @Test func echoedEraseIsBackSpaceBack() {
        let output = RecordingOutput()
        let console = Console(renderer: PassthroughRenderer(output: output))
        console.echo([.character(UInt8(ascii: "x")), .erase, .character(0x0A)])
        console.flush()
        #expect(output.written == [[UInt8(ascii: "x"), 0x08, 0x20, 0x08, 0x0A]])
    }
}
