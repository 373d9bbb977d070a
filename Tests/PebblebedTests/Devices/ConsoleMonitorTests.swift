import Testing
@testable import Pebblebed

/// The monitor's keyboard side (Devices/Monitor/ConsoleMonitor.swift) as a state machine.
@Suite struct ConsoleMonitorTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func opened(pageHeight: Int? = 5) -> ConsoleMonitor {
        var monitor = ConsoleMonitor(pageHeight: pageHeight)
        monitor.open()
        return monitor
    }

    @Test func theKeyAfterTheEscapeDecides() {
        var m = opened()
        #expect(m.overlay?.lines == [ConsoleMonitor.keysHelp])
        #expect(m.feed([0x1D, 0x61]) == [.literal(0x1D), .close(rest: [0x61])])
        m = opened()
        #expect(m.feed(bytes("q")) == [.quit])
        m = opened()
        #expect(m.feed(bytes("c")) == [])
        #expect(m.mode == .prompt)
        #expect(m.overlay?.lines.last == ConsoleMonitor.prompt)
    }

    @Test func anUnknownKeyLeavesANoticeAndGivesTheRestBack() {
        var m = opened()
        #expect(m.feed(bytes("xyz")) == [.close(rest: bytes("yz"))])
        #expect(m.mode == .closed)
        #expect(m.notice?.hasPrefix("Ctrl-] 'x' is not a host key") == true)
        #expect(m.overlay?.lines.count == 1)
        m.dismissNotice()
        #expect(m.overlay == nil)
        m = opened()
        _ = m.feed([0x01])
        #expect(m.notice?.hasPrefix("Ctrl-] Ctrl-A") == true)
    }

    @Test func thePromptEditsALineAndRunsIt() {
        var m = opened()
        #expect(m.feed(bytes("cpx\u{7F}s\r")) == [.command("ps")])
        #expect(m.mode == .prompt)
        m.show("one\ntwo\n")
        #expect(m.overlay?.lines == ["one", "two", ConsoleMonitor.prompt])
        #expect(m.overlay?.cursorColumn == ConsoleMonitor.prompt.count)
        #expect(m.feed(bytes("  kill 3  \r")) == [.command("kill 3")])
        // An empty line closes; keys after it are the guest's.
        #expect(m.feed(bytes("\rab")) == [.close(rest: bytes("ab"))])
        #expect(m.overlay == nil)
    }

    @Test func escCtrlBracketAndCtrlCCloseThePromptAndPageKeysScroll() {
        var m = opened()
        _ = m.feed(bytes("c"))
        #expect(m.feed(bytes("\u{1B}[5~\u{1B}[6;2~")) == [.scroll(-1), .scroll(1)])
        #expect(m.mode == .prompt)
        #expect(m.feed(bytes("\u{1B}x")) == [.close(rest: bytes("x"))])
        m = opened()
        #expect(m.feed(bytes("c\u{1D}")) == [.close(rest: [])])
        m = opened()
        #expect(m.feed(bytes("c\u{03}")) == [.close(rest: [])])
    }

    @Test func longOutputIsPagedOnADrawnConsole() {
        var m = opened(pageHeight: 3)
        _ = m.feed(bytes("clog\r"))
        m.show((1...8).map { "line \($0)" }.joined(separator: "\n"))
        #expect(m.mode == .paging)
        #expect(m.overlay?.lines.prefix(3) == ["line 1", "line 2", "line 3"])
        #expect(m.overlay?.lines.last?.hasPrefix("-- lines 1-3 of 8") == true)
        _ = m.feed(bytes(" "))
        #expect(m.overlay?.lines.first == "line 4")
        _ = m.feed(bytes("b"))
        #expect(m.overlay?.lines.first == "line 1")
        _ = m.feed(bytes("  "))
        #expect(m.overlay?.lines.first == "line 7")
        _ = m.feed(bytes(" "))   // past the last page: back at the prompt
        #expect(m.mode == .prompt)
    }

    @Test func longLinesWrapOnADrawnConsole() {
        var m = opened(pageHeight: 10)
        _ = m.feed(bytes("clog\r"))
        m.show(String(repeating: "a", count: 80) + "bc\nshort")
        #expect(m.overlay?.lines == [String(repeating: "a", count: 80), "bc", "short", ConsoleMonitor.prompt])
    }

    @Test func aPlainConsoleShowsEveryLine() {
        var m = opened(pageHeight: nil)
        _ = m.feed(bytes("clog\r"))
        m.show((1...40).map { "line \($0)" }.joined(separator: "\n"))
        #expect(m.mode == .prompt)
        #expect(m.overlay?.lines.count == 41)
    }

    @Test func helpListsTheCommands() {
        var m = opened(pageHeight: 23)
        _ = m.feed(bytes("h"))
        #expect(m.mode == .prompt)
        let shown = m.overlay?.lines.joined(separator: "\n") ?? ""
        for command in ["ps", "kill TASK", "log", "trace start FILE", "trace stop", "quit"] {
            #expect(shown.contains(command), "\(command)")
        }
    }
}

/// The drawn console's scrollback, the monitor's lines over it, and the too-small notice.
@Suite struct ConsoleViewTests {
    private func started() -> (Console, RecordingOutput, ANSIRenderer) {
        let output = RecordingOutput()
        let renderer = ANSIRenderer(output: output)
        let console = Console(renderer: renderer)
        console.start()
        return (console, output, renderer)
    }

    private func emulate(_ output: RecordingOutput) -> TerminalEmulator {
        var e = TerminalEmulator(rows: 25, columns: 80)
        output.written.forEach { e.feed($0) }
        return e
    }

    @Test func theScreenKeepsTheRowsThatScrolledOff() {
        var screen = ConsoleScreen()
        screen.print(Array((1...30).map { "row \($0)\n" }.joined().utf8))
        #expect(screen.scrollback.count == 6)
        #expect(String(decoding: screen.scrollback[0].prefix(5).map(\.character), as: UTF8.self) == "row 1")
        screen.print(Array(String(repeating: "\n", count: ConsoleScreen.scrollbackLimit + 10).utf8))
        #expect(screen.scrollback.count == ConsoleScreen.scrollbackLimit)
    }

    @Test func pagingBackDrawsOlderRowsAndForwardTheLiveScreen() {
        let (console, output, renderer) = started()
        console.print(Array((1...60).map { "row \($0)\n" }.joined().utf8))
        console.flush()
        console.scroll(pages: -10)
        #expect(renderer.viewBack == 36)
        var shown = emulate(output)
        #expect(shown.text(row: 0).hasPrefix("row 1 "))
        #expect(shown.text(row: 24).contains("scrollback: 36 of 36"))
        // New output while paged back keeps the view where it is.
        console.print(Array("row 61\n".utf8))
        console.flush()
        #expect(renderer.viewBack == 37)
        console.scroll(pages: 10)
        #expect(renderer.viewBack == 0)
        shown = emulate(output)
        #expect(shown.text(row: 23).hasPrefix("row 61"))
        #expect(!(0..<25).contains { shown.text(row: $0).contains("scrollback") })
        #expect(shown.unknownSequences.isEmpty, "\(shown.unknownSequences)")
    }

    @Test func theMonitorsLinesCoverTheBottomAndLeaveNothingBehind() {
        let (console, output, _) = started()
        console.print(Array("hello\n".utf8))
        console.flush()
        console.show(ConsoleOverlay(lines: ["panel", "(pebblebed) ps"], cursorColumn: 14))
        var shown = emulate(output)
        #expect(shown.text(row: 23).hasPrefix("panel"))
        #expect(shown.text(row: 24).hasPrefix("(pebblebed) ps"))
        #expect(shown.cursor.row == 24 && shown.cursor.column == 14)
        // Output under the panel does not overwrite it.
        for n in 1...30 {   // one row a flush: the renderer would scroll the terminal
            console.print(Array("x\(n)\n".utf8))
            console.flush()
        }
        shown = emulate(output)
        #expect(shown.text(row: 24).hasPrefix("(pebblebed) ps"))
        #expect(shown.text(row: 23).hasPrefix("panel"))
        // The rows above the panel show the model, not panel lines carried up by a scroll.
        #expect(shown.text(row: 22).hasPrefix("x29"), "\((0..<25).map { shown.text(row: $0) })")
        #expect(shown.text(row: 0).hasPrefix("x7 "))
        console.show(nil)
        shown = emulate(output)
        #expect(!(0..<25).contains { shown.text(row: $0).contains("pebblebed") })
        #expect(shown.text(row: 23).hasPrefix("x30"))
    }

    @Test func aTooSmallTerminalGetsANoticeInsteadOfTheScreen() {
        let output = RecordingOutput()
        var size: (rows: Int, columns: Int)? = (20, 70)
        let console = Console(renderer: ANSIRenderer(output: output) { size })
        console.start()
        console.print(Array("hidden\n".utf8))
        console.flush()
        var shown = emulate(output)
        #expect(shown.text(row: 0).hasPrefix("pebblebed: the terminal is 70x20;"))
        #expect(!(0..<25).contains { shown.text(row: $0).hasPrefix("hidden") })
        size = (25, 80)
        console.terminalResized()
        shown = emulate(output)
        #expect(shown.text(row: 0).hasPrefix("hidden"))
        #expect(!(0..<25).contains { shown.text(row: $0).contains("70x20") })
    }
}
