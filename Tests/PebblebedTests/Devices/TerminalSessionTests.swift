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
