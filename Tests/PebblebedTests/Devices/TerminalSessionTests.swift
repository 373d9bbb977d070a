import Glibc
import Testing

/// A person at a terminal: the real binary on a pseudo-terminal, its ANSI output read through
/// the terminal emulator, keys typed into the master side.
@Suite(.enabled(if: Guest.hasProgram("shell") && Guest.hasProgram("hello")))
struct TerminalSessionTests {
    /// Feeds everything the program wrote so far into a fresh emulator.
    private func screen(_ terminal: PseudoTerminal) -> TerminalEmulator {
        var emulator = TerminalEmulator(rows: 25, columns: 80)
        emulator.feed(terminal.received)
        return emulator
    }

    private func rows(_ emulator: TerminalEmulator) -> [String] {
        (0..<emulator.rows).map { emulator.text(row: $0) }
    }

    private func waitForScreen(_ terminal: PseudoTerminal, _ text: String) -> Bool {
        terminal.read { _ in rows(screen(terminal)).contains { $0.contains(text) } }
    }

    private func start() throws -> (PseudoTerminal, termios) {
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        let before = try terminal.attributes()
        try terminal.spawn(Guest.binary, arguments: ["--ramdisk", Guest.ramdisk], environment: ["TERM": "xterm"])
        return (terminal, before)
    }

    @Test func typingWithATypoBackspaceAndTheEscapeKey() throws {
        let (terminal, before) = try start()
        try #require(waitForScreen(terminal, "pebbles$"), "no prompt: \(rows(screen(terminal)))")
        #expect(screen(terminal).alternateScreen)
        terminal.send("hellp")
        #expect(waitForScreen(terminal, "pebbles$ hellp"))
        terminal.send([0x7F])
        terminal.send("o\r")
        #expect(waitForScreen(terminal, "Hello from a Pebbles guest!"), "\(rows(screen(terminal)))")
        let shown = rows(screen(terminal))
        #expect(shown.contains { $0.hasPrefix("pebbles$ hello ") }, "\(shown)")
        #expect(!shown.contains { $0.contains("hellp") })
        try #require(waitForScreen(terminal, "argv[0] = hello"))
        terminal.send([0x1D, UInt8(ascii: "q")])
        #expect(terminal.waitForExit() == 0)
        let after = screen(terminal)
        #expect(!after.alternateScreen)
        #expect(after.cursorVisible)
        // The last console screen stays readable on the main screen after the emulator ends.
        #expect(rows(after).contains { $0.hasPrefix("Hello from a Pebbles guest!") }, "\(rows(after))")
        #expect(sameTerminalSettings(before, try terminal.attributes()))
        #expect(after.unknownSequences.isEmpty, "\(after.unknownSequences)")
    }

    @Test func controlBracketTwiceIsALiteralAndTheMachineKeepsRunning() throws {
        let (terminal, before) = try start()
        try #require(waitForScreen(terminal, "pebbles$"))
        terminal.send([0x1D, 0x1D])  // one 0x1D: a control byte, which readline drops
        terminal.send("exit\r")
        #expect(terminal.waitForExit() == 0)
        #expect(sameTerminalSettings(before, try terminal.attributes()))
    }

    @Test func aFaultReportOnTheLogAppearsAfterTheTerminalIsRestored() throws {
        guard Guest.hasProgram("fault_null") else { return }
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        try terminal.spawn(Guest.binary, arguments: ["run", "--ramdisk", Guest.ramdisk, "fault_null"],
                           environment: ["TERM": "xterm"])
        #expect(terminal.waitForExit() == 254)
        let shown = rows(screen(terminal))
        // Once from the console transcript, once from the log with the registers after it.
        #expect(shown.filter { $0.hasPrefix("Thread 1 of task 1 (fault_null) killed") }.count == 2, "\(shown)")
        #expect(shown.contains { $0.contains("eip=0x") }, "\(shown)")
    }

    @Test func theColorsDemoDrawsItsBoxInColorWhereItPlacedTheCursor() throws {
        guard Guest.hasProgram("colors") else { return }
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        try terminal.spawn(Guest.binary, arguments: ["run", "--ramdisk", Guest.ramdisk, "colors"],
                           environment: ["TERM": "xterm"])
        #expect(terminal.waitForExit() == 0)
        let emulator = screen(terminal)
        let drawn = try #require(emulator.lastAlternateCells)
        let text = drawn.map { String($0.map(\.character)) }
        // 8 rows of color table and the names (wrapped onto a second row), then 6 newlines:
        // the cursor was on row 16 and the box fills rows 10-15 from column 10.
        #expect(text[16].hasPrefix("cursor was at row 16, column 0 before drawing"), "\(text)")
        #expect(text[10].dropFirst(10).hasPrefix("+" + String(repeating: "-", count: 28) + "+"), "\(text)")
        #expect(text[15].dropFirst(10).hasPrefix("+" + String(repeating: "-", count: 28) + "+"))
        #expect(drawn[10][10].attribute == 0x1E)  // FGND_YLLW | BGND_BLUE
        #expect(text[12].dropFirst(13).hasPrefix("drawn with set_cursor_pos"))
        #expect(drawn[12][13].attribute == 0x1F)  // FGND_WHITE | BGND_BLUE
        // The color table: row 1 is background 1 (blue), its cell "14" is red on blue.
        #expect(text[1].hasPrefix("10 11 12 13 14"))
        #expect(drawn[1][12].attribute == 0x14)
        #expect(emulator.unknownSequences.isEmpty, "\(emulator.unknownSequences)")
    }

    @Test func aTerminalSmallerThanTheConsoleIsReportedAfterwards() throws {
        let terminal = try PseudoTerminal(rows: 20, columns: 70)
        try terminal.spawn(Guest.binary, arguments: ["run", "--ramdisk", Guest.ramdisk, "hello"],
                           environment: ["TERM": "xterm"])
        #expect(terminal.waitForExit() == 0)
        let output = String(decoding: terminal.received, as: UTF8.self)
        #expect(output.contains("the terminal is 70x20; the console needs 80x25"), "\(output)")
    }

    @Test func theEscapeQuitsWhileAGuestComputesWithoutReadingInput() throws {
        guard Guest.hasProgram("guard_spin") else { return }
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        let before = try terminal.attributes()
        try terminal.spawn(Guest.binary, arguments: ["run", "--ramdisk", Guest.ramdisk, "guard_spin"],
                           environment: ["TERM": "xterm"])
        try #require(waitForScreen(terminal, "guard_spin: spinning"))
        terminal.send([0x1D])
        usleep(100_000)  // the two keys in separate interrupts: the escape state must carry over
        terminal.send("q")
        #expect(terminal.waitForExit() == 0)
        #expect(sameTerminalSettings(before, try terminal.attributes()))
        #expect(String(decoding: terminal.received, as: UTF8.self).contains("quit from the keyboard"))
    }

    @Test func sigtermRestoresTheTerminalAndEndsByTheSignal() throws {
        let (terminal, before) = try start()
        try #require(waitForScreen(terminal, "pebbles$"))
        #expect(try terminal.attributes().c_lflag & tcflag_t(ICANON) == 0)
        try terminal.signal(SIGTERM)
        #expect(terminal.waitForExit() == -SIGTERM)
        #expect(!screen(terminal).alternateScreen)
        #expect(sameTerminalSettings(before, try terminal.attributes()))
    }
}
