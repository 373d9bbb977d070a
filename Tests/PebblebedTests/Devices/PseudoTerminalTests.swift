import Glibc
import Testing

/// The harness itself, with a plain shell program: later tests use it on the real binary.
@Suite struct PseudoTerminalTests {
    @Test func aProgramOnTheSlaveReadsTypedLinesAndItsOutputComesBack() throws {
        let terminal = try PseudoTerminal()
        try terminal.spawn("/bin/sh", arguments: ["-c", "stty raw -echo; echo ready; read line; echo \"got [$line]\""])
        #expect(terminal.read { String(decoding: $0, as: UTF8.self).contains("ready") })
        #expect(try terminal.attributes().c_lflag & tcflag_t(ICANON) == 0)
        terminal.send("hello\n")
        let saw = terminal.read { String(decoding: $0, as: UTF8.self).contains("got [hello]") }
        #expect(saw, "received: \(String(decoding: terminal.received, as: UTF8.self))")
        #expect(terminal.waitForExit() == 0)
    }
}
