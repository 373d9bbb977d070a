import Testing
@testable import Pebblebed

@Suite struct LineDisciplineTests {
    private func keys(_ text: String, ends: Bool = false) -> ArrayKeySource {
        ArrayKeySource(Array(text.utf8), endsAfterRemaining: ends)
    }

    private func chars(_ text: String) -> [EchoOperation] {
        text.utf8.map { .character($0) }
    }

    @Test func typoFixedWithBackspaceIsEchoedAndEdited() {
        var discipline = LineDiscipline()
        var source = keys("lx\u{7F}s\n")
        let progress = discipline.readline(size: 100, from: &source)
        #expect(progress.line == Array("ls\n".utf8))
        #expect(progress.echo == chars("lx") + [.erase] + chars("s\n"))
    }

    @Test func backspaceNeverErasesPastTheStartOfTheLine() {
        var discipline = LineDiscipline()
        var source = keys("\u{8}\u{8}a\u{8}\u{8}b\r")
        let progress = discipline.readline(size: 100, from: &source)
        #expect(progress.line == Array("b\n".utf8))
        #expect(progress.echo == chars("a") + [.erase] + chars("b\n"))
    }

    @Test func carriageReturnCompletesTheLineAsNewline() {
        var discipline = LineDiscipline()
        var source = keys("hi\rnext")
        #expect(discipline.readline(size: 10, from: &source).line == Array("hi\n".utf8))
        // Keys after the line stay in the source, unconsumed and unechoed.
        #expect(source.remaining.elementsEqual("next".utf8))
    }

    @Test func crlfIsOneNewlineButTwoCarriageReturnsAreTwoLines() {
        var discipline = LineDiscipline()
        var source = keys("a\r\nb\r\r\n")
        #expect(discipline.readline(size: 10, from: &source).line == Array("a\n".utf8))
        #expect(discipline.readline(size: 10, from: &source).line == Array("b\n".utf8))
        #expect(discipline.readline(size: 10, from: &source).line == Array("\n".utf8))
        #expect(discipline.readline(size: 10, from: &source).line == nil)
        #expect(source.remaining.isEmpty)
    }

    @Test func anIncompleteLineWaitsAndContinuesWithLaterKeys() {
        var discipline = LineDiscipline()
        var source = keys("ec")
        let first = discipline.readline(size: 10, from: &source)
        #expect(first.line == nil)
        #expect(first.echo == chars("ec"))
        source.type(Array("ho\n".utf8))
        let second = discipline.readline(size: 10, from: &source)
        #expect(second.line == Array("echo\n".utf8))
        #expect(second.echo == chars("ho\n"))
    }

    @Test func aShortBufferLeavesTheRestForTheNextReaderWithoutEchoingAgain() {
        var discipline = LineDiscipline()
        var source = keys("abcdef\nxy\n")
        let first = discipline.readline(size: 4, from: &source)
        #expect(first.line == Array("abcd".utf8))
        let second = discipline.readline(size: 4, from: &source)
        #expect(second.line == Array("ef\n".utf8))
        #expect(second.echo.isEmpty)
        let third = discipline.readline(size: 4, from: &source)
        #expect(third.line == Array("xy\n".utf8))
        #expect(third.echo == chars("xy\n"))
    }

    @Test func getcharTakesTheRestOfALineBeforeNewKeys() {
        var discipline = LineDiscipline()
        var source = keys("abc\nz")
        #expect(discipline.readline(size: 2, from: &source).line == Array("ab".utf8))
        #expect(discipline.getchar(from: &source) == UInt8(ascii: "c"))
        #expect(discipline.getchar(from: &source) == 0x0A)
        #expect(discipline.getchar(from: &source) == UInt8(ascii: "z"))
        #expect(discipline.getchar(from: &source) == nil)
    }

    @Test func arrowKeysAndControlBytesAreDropped() {
        var discipline = LineDiscipline()
        var source = keys("a\u{1B}[A\u{1B}[1;5Cb\u{1B}OPc\u{3}\u{9}d\n")
        let progress = discipline.readline(size: 100, from: &source)
        #expect(progress.line == Array("abcd\n".utf8))
        #expect(progress.echo == chars("abcd\n"))
    }

    @Test func anEscapeSequenceSplitAcrossInterruptsIsStillDropped() {
        var discipline = LineDiscipline()
        var source = keys("x\u{1B}")
        _ = discipline.readline(size: 10, from: &source)
        source.type(Array("[Dy\n".utf8))
        #expect(discipline.readline(size: 10, from: &source).line == Array("xy\n".utf8))
    }

    @Test func endOfInputHandsOverThePartialLineWithoutNewline() {
        var discipline = LineDiscipline()
        var source = keys("exi", ends: true)
        #expect(discipline.readline(size: 10, from: &source).line == nil)
        #expect(discipline.finishAtEndOfInput(size: 2) == Array("ex".utf8))
        #expect(discipline.finishAtEndOfInput(size: 2) == Array("i".utf8))
        #expect(discipline.finishAtEndOfInput(size: 2) == nil)
    }

    @Test func overlongLinesStopGrowingButStillComplete() {
        var discipline = LineDiscipline()
        let limit = LineDiscipline.maximumLineLength
        var source = ArrayKeySource(Array(repeating: UInt8(ascii: "k"), count: limit + 10) + [0x0A])
        let progress = discipline.readline(size: limit + 100, from: &source)
        #expect(progress.line?.count == limit)
        #expect(progress.line?.last == 0x0A)
        #expect(progress.echo.count == limit)
    }
}

@Suite struct KeyboardTests {
    private func makeConsole() -> (Console, RecordingOutput) {
        let output = RecordingOutput()
        return (Console(renderer: PassthroughRenderer(output: output)), output)
    }

    @Test func readlineEchoesToTheConsoleAndFlushes() {
        let (console, output) = makeConsole()
        let keyboard = Keyboard(source: ArrayKeySource(Array("pwx\u{8}d".utf8)))
        #expect(keyboard.readline(size: 10, echoingTo: console) == .wait)
        #expect(console.screen.text(row: 0).hasPrefix("pwd "))
        #expect(console.getCursorPos() == CursorPosition(row: 0, column: 3))
        #expect(output.written == [Array("pwx\u{8} \u{8}d".utf8)])
        keyboard.source.type([0x0D])
        #expect(keyboard.readline(size: 10, echoingTo: console) == .ready(Array("pwd\n".utf8)))
        #expect(console.getCursorPos() == CursorPosition(row: 1, column: 0))
    }

    @Test func erasingAWrappedLineGoesBackAcrossTheRow() throws {
        let (console, _) = makeConsole()
        try console.setCursorPos(row: 0, column: 78)
        let keyboard = Keyboard(source: ArrayKeySource(Array("abc\u{7F}\u{7F}".utf8)))
        _ = keyboard.readline(size: 10, echoingTo: console)
        #expect(console.getCursorPos() == CursorPosition(row: 0, column: 79))
        #expect(console.screen[0, 78].character == UInt8(ascii: "a"))
        #expect(console.screen[0, 79].character == 0x20)
        #expect(console.screen[1, 0].character == 0x20)
    }

    @Test func readersAtExhaustedInputSeeEndOfInput() {
        let (console, _) = makeConsole()
        let keyboard = Keyboard(source: ArrayKeySource(Array("a\nlast".utf8), endsAfterRemaining: true))
        #expect(keyboard.readline(size: 10, echoingTo: console) == .ready(Array("a\n".utf8)))
        #expect(keyboard.readline(size: 10, echoingTo: console) == .ready(Array("last".utf8)))
        #expect(keyboard.readline(size: 10, echoingTo: console) == .endOfInput)
        #expect(keyboard.getchar() == .endOfInput)
    }

    @Test func getcharIsNotEchoedAndWaitsWhenEmpty() {
        let (console, output) = makeConsole()
        let keyboard = Keyboard(source: ArrayKeySource([0x71]))
        #expect(keyboard.getchar() == .ready(0x71))
        #expect(keyboard.getchar() == .wait)
        console.flush()
        #expect(output.written.isEmpty)
        #expect(console.getCursorPos() == CursorPosition(row: 0, column: 0))
    }
}
