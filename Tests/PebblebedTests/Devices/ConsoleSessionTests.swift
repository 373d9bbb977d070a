import Foundation
import CShims
import Glibc
import Testing

/// The console as a person uses it (issue 18): the monitor behind Ctrl-], Ctrl-C for the
/// shell's foreground job, the scrollback, a resize. The real binary on a pseudo-terminal, its
/// output read through the terminal emulator.
@Suite(.enabled(if: Guest.hasProgram("shell") && Guest.hasProgram("guard_spin") && Guest.hasProgram("console_lines")))
struct ConsoleSessionTests {
    private func screen(_ terminal: PseudoTerminal, from start: Int = 0) -> TerminalEmulator {
        var emulator = TerminalEmulator(rows: 25, columns: 80)
        emulator.feed(Array(terminal.received[start...]))
        return emulator
    }

    private func rows(_ emulator: TerminalEmulator) -> [String] {
        (0..<emulator.rows).map { emulator.text(row: $0) }
    }

    private func waitForScreen(_ terminal: PseudoTerminal, _ text: String) -> Bool {
        terminal.read { _ in rows(screen(terminal)).contains { $0.contains(text) } }
    }

    /// The shell at its prompt on a 25x80 terminal.
    private func bootShell() throws -> (PseudoTerminal, termios) {
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        let before = try terminal.attributes()
        try terminal.spawn(Guest.binary, arguments: ["--ramdisk", Guest.ramdisk], environment: ["TERM": "xterm"])
        try #require(waitForScreen(terminal, "pebbles$"), "no prompt: \(rows(screen(terminal)))")
        return (terminal, before)
    }

    private func count(_ text: String, in terminal: PseudoTerminal) -> Int {
        String(decoding: terminal.received, as: UTF8.self).components(separatedBy: text).count - 1
    }

    @Test func theFirstScreenNamesTheHostKey() throws {
        let (terminal, _) = try bootShell()
        #expect(rows(screen(terminal))[0].hasPrefix("Pebblebed: Ctrl-] c opens the monitor"), "\(rows(screen(terminal)))")
        terminal.send([0x1D, UInt8(ascii: "q")])
        #expect(terminal.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func theMonitorListsAndKillsASpinningTaskAndTheShellLivesOn() throws {
        let (terminal, before) = try bootShell()
        terminal.send("guard_spin\r")
        try #require(waitForScreen(terminal, "guard_spin: spinning"))
        terminal.send([0x1D, UInt8(ascii: "c")])
        try #require(waitForScreen(terminal, "(pebblebed)"), "\(rows(screen(terminal)))")
        terminal.send("ps\r")
        try #require(waitForScreen(terminal, "thread"), "\(rows(screen(terminal)))")
        let shown = rows(screen(terminal))
        // ps rows: "TASK  PROGRAM  PARENT  STATUS".
        func taskRow(_ program: String) -> String? {
            shown.first { row in
                let words = row.split(separator: " ")
                return words.count >= 2 && Int(words[0]) != nil && words[1] == program
            }
        }
        let spinRow = try #require(taskRow("guard_spin"), "\(shown)")
        #expect(taskRow("shell") != nil, "\(shown)")
        #expect(shown.contains { $0.contains("running") || $0.contains("runnable") }, "\(shown)")
        let id = try #require(spinRow.split(separator: " ").first.flatMap { Int($0) }, "\(spinRow)")
        terminal.send("kill \(id)\r")
        #expect(waitForScreen(terminal, "task \(id) (guard_spin) killed"), "\(rows(screen(terminal)))")
        terminal.send("\r")  // an empty line closes the monitor
        // The shell's wait saw the status a fault gives, and it prompts again.
        #expect(waitForScreen(terminal, "exited with status -2"), "\(rows(screen(terminal)))")
        terminal.send("hello\r")
        #expect(waitForScreen(terminal, "Hello from a Pebbles guest!"), "\(rows(screen(terminal)))")
        #expect(!rows(screen(terminal)).contains { $0.contains("(pebblebed)") }, "the monitor's rows are gone")
        terminal.send([0x1D, UInt8(ascii: "q")])
        #expect(terminal.waitForExit() == 0)
        #expect(sameTerminalSettings(before, try terminal.attributes()))
    }

    @Test(.timeLimit(.minutes(1)))
    func controlCKillsTheShellsForegroundChild() throws {
        let (terminal, _) = try bootShell()
        terminal.send("guard_spin\r")
        try #require(waitForScreen(terminal, "guard_spin: spinning"))
        terminal.send([0x03])
        #expect(waitForScreen(terminal, "interrupted (status -2)"), "\(rows(screen(terminal)))")
        let prompts = count("pebbles$", in: terminal)
        terminal.send("hello\r")
        #expect(waitForScreen(terminal, "Hello from a Pebbles guest!"))
        #expect(count("pebbles$", in: terminal) >= prompts)
        terminal.send("exit\r")
        #expect(terminal.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func anUnknownKeyAfterTheEscapeIsNamedNotDropped() throws {
        let (terminal, _) = try bootShell()
        terminal.send([0x1D, UInt8(ascii: "x")])
        #expect(waitForScreen(terminal, "Ctrl-] 'x' is not a host key"), "\(rows(screen(terminal)))")
        terminal.send("exit\r")
        #expect(terminal.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func shiftPageUpShowsTheFirstLineOfALongOutput() throws {
        let (terminal, _) = try bootShell()
        terminal.send("console_lines\r")
        try #require(waitForScreen(terminal, "line 60 of 60"))
        try #require(waitForScreen(terminal, "pebbles$"))
        #expect(!rows(screen(terminal)).contains { $0.hasPrefix("console_lines: line 1 of 60") })
        for _ in 0..<4 { terminal.send("\u{1B}[5;2~") }
        #expect(waitForScreen(terminal, "console_lines: line 1 of 60"), "\(rows(screen(terminal)))")
        #expect(rows(screen(terminal)).contains { $0.contains("scrollback:") })
        for _ in 0..<4 { terminal.send("\u{1B}[6;2~") }
        // Back on the live screen: the last line and the prompt, no status line.
        #expect(terminal.read { _ in !rows(screen(terminal)).contains { $0.contains("scrollback:") } })
        #expect(rows(screen(terminal)).contains { $0.hasPrefix("console_lines: line 60 of 60") })
        terminal.send("exit\r")
        #expect(terminal.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aResizeRedrawsAndATooSmallTerminalSaysSo() throws {
        let (terminal, _) = try bootShell()
        terminal.send("hello\r")
        try #require(waitForScreen(terminal, "Hello from a Pebbles guest!"))
        let beforeShrink = terminal.received.count
        // TIOCSWINSZ on the master: the kernel sends SIGWINCH to the terminal's foreground group.
        _ = pb_terminal_set_window_size(terminal.master, 20, 70)
        #expect(terminal.read { _ in
            String(decoding: terminal.received[beforeShrink...], as: UTF8.self).contains("the console needs 80x25")
        }, "\(String(decoding: terminal.received[beforeShrink...], as: UTF8.self))")
        let beforeGrow = terminal.received.count
        _ = pb_terminal_set_window_size(terminal.master, 25, 80)
        // Drawn again from a clear screen: the bytes after the resize alone show the console.
        #expect(terminal.read { _ in
            rows(screen(terminal, from: beforeGrow)).contains { $0.hasPrefix("Hello from a Pebbles guest!") }
        }, "\(rows(screen(terminal, from: beforeGrow)))")
        #expect(rows(screen(terminal, from: beforeGrow)).contains { $0.hasPrefix("pebbles$") })
        #expect(screen(terminal).unknownSequences.isEmpty, "\(screen(terminal).unknownSequences)")
        terminal.send("exit\r")
        #expect(terminal.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(1)), .enabled(if: Guest.hasProgram("simics_calls")))
    func theMonitorShowsTheLogAndStartsAndStopsATrace() throws {
        let (terminal, _) = try bootShell()
        terminal.send("simics_calls\r")
        try #require(waitForScreen(terminal, "PASS simics_calls"))
        terminal.send([0x1D, UInt8(ascii: "c")])
        terminal.send("log\r")
        #expect(waitForScreen(terminal, "simics_calls: hello from sim_puts"), "\(rows(screen(terminal)))")
        let path = "/tmp/pebblebed-monitor-trace-\(getpid()).json"
        defer { unlink(path) }
        terminal.send("trace start \(path)\r")
        #expect(waitForScreen(terminal, "trace: writing"), "\(rows(screen(terminal)))")
        terminal.send("\r")
        terminal.send("hello\r")
        try #require(waitForScreen(terminal, "Hello from a Pebbles guest!"))
        terminal.send([0x1D, UInt8(ascii: "c")])
        terminal.send("trace stop\r")
        #expect(waitForScreen(terminal, "trace: finished"), "\(rows(screen(terminal)))")
        let trace = String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
        #expect(trace.contains("traceEvents") && trace.contains("droppedEvents"), "a complete trace file: \(trace.suffix(200))")
        terminal.send("quit\r")
        #expect(terminal.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func onAPlainConsoleTheMonitorWritesLines() throws {
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        try terminal.spawn(Guest.binary, arguments: ["--console", "plain", "--ramdisk", Guest.ramdisk], environment: ["TERM": "xterm"])
        try #require(terminal.read { String(decoding: $0, as: UTF8.self).contains("pebbles$") })
        let text = { String(decoding: terminal.received, as: UTF8.self) }
        #expect(!text().contains("\u{1B}[?1049h"), "no alternate screen")
        terminal.send([0x1D, UInt8(ascii: "c")])
        terminal.send("ps\r")
        #expect(terminal.read { _ in text().contains("TASK  PROGRAM") && text().contains("shell") }, "\(text())")
        terminal.send("\r")
        terminal.send("exit\r")
        #expect(terminal.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aTraceFromTheCommandLineCanBeStoppedAndAnotherStarted() throws {
        let first = "/tmp/pebblebed-monitor-first-\(getpid()).json"
        let second = "/tmp/pebblebed-monitor-second-\(getpid()).json"
        defer { unlink(first); unlink(second) }
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        try terminal.spawn(Guest.binary, arguments: ["--trace", first, "--ramdisk", Guest.ramdisk], environment: ["TERM": "xterm"])
        try #require(waitForScreen(terminal, "pebbles$"))
        terminal.send([0x1D, UInt8(ascii: "c")])
        terminal.send("trace stop\r")
        #expect(waitForScreen(terminal, "trace: finished"), "\(rows(screen(terminal)))")
        terminal.send("trace start \(second)\r")
        #expect(waitForScreen(terminal, "trace: writing"), "\(rows(screen(terminal)))")
        terminal.send("quit\r")
        #expect(terminal.waitForExit() == 0)
        // Each file finished exactly once: both are whole JSON documents.
        for path in [first, second] {
            let data = try #require(FileManager.default.contents(atPath: path), "\(path)")
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(json?["traceEvents"] != nil, "\(path): \(String(decoding: data.suffix(200), as: UTF8.self))")
        }
        #expect(!String(decoding: terminal.received, as: UTF8.self).contains("cut short"))
    }

    /// Without a foreground task Ctrl-C is the byte a keyboard gives, and Ctrl-] Ctrl-] types
    /// one Ctrl-]: what getchar returns.
    @Test(.timeLimit(.minutes(1)), .enabled(if: Guest.hasProgram("getchar_codes")))
    func controlCReachesAProgramAsTheByteItIs() throws {
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        try terminal.spawn(Guest.binary, arguments: ["run", "--ramdisk", Guest.ramdisk, "getchar_codes", "3"],
                           environment: ["TERM": "xterm"])
        try #require(waitForScreen(terminal, "getchar_codes: ready"))
        terminal.send([0x03, 0x1D, 0x1D, UInt8(ascii: "a")])
        #expect(terminal.waitForExit() == 0)
        #expect(String(decoding: terminal.received, as: UTF8.self).contains("getchar_codes: 0x03 0x1d 0x61"))
    }

    /// stdout to a file, the keyboard a terminal: the monitor talks to the person on stderr and
    /// stays out of the program's output.
    @Test(.timeLimit(.minutes(1)))
    func withOutputInAFileTheMonitorUsesTheTerminal() throws {
        let file = "/tmp/pebblebed-monitor-output-\(getpid()).txt"
        defer { unlink(file) }
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        try terminal.spawn("/bin/sh", arguments: ["-c", "exec '\(Guest.binary)' --ramdisk '\(Guest.ramdisk)' > \(file)"],
                           environment: ["TERM": "xterm"])
        let text = { String(decoding: terminal.received, as: UTF8.self) }
        let written = { String(decoding: FileManager.default.contents(atPath: file) ?? Data(), as: UTF8.self) }
        // The prompt is in the file: the shell is up, the keyboard in raw mode.
        // (Nothing comes on the terminal meanwhile: looked at every 50 ms, for up to 10 s.)
        var up = false
        for _ in 0..<200 where !up { up = terminal.read(seconds: 0.05) { _ in written().contains("pebbles$") } }
        try #require(up, "\(written())")
        terminal.send([0x1D, UInt8(ascii: "c")])
        terminal.send("ps\r")
        #expect(terminal.read { _ in text().contains("TASK  PROGRAM") && text().contains("shell") }, "\(text())")
        terminal.send("\r")
        terminal.send("exit\r")
        #expect(terminal.waitForExit() == 0)
        let output = String(decoding: FileManager.default.contents(atPath: file) ?? Data(), as: UTF8.self)
        #expect(output.contains("pebbles$"), "\(output)")
        #expect(!output.contains("TASK  PROGRAM"), "\(output)")
    }

    @Test func aDrawnConsoleWithoutATerminalIsAUsageError() throws {
        let r = try Guest.launch(["run", "--console", "screen", "--ramdisk", Guest.ramdisk, "hello"], timeout: 30)
        #expect(r.status == 64, "\(r)")
        #expect(r.stderr.contains("--console screen draws on a terminal"), "\(r)")
        let plain = try Guest.launch(["run", "--console", "plain", "--ramdisk", Guest.ramdisk, "hello"], timeout: 30)
        #expect(plain.status == 0 && plain.stdout.contains("Hello from a Pebbles guest!"), "\(plain)")
    }
}
