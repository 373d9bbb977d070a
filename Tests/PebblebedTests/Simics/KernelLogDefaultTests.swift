import Foundation
import Testing

/// Where the kernel log goes without --log: stderr; when the console owns the terminal, also
/// ./pebblebed.log at once (the terminal gets the lines only after the console is done).
@Suite(.enabled(if: Guest.hasProgram("simics_calls")))
struct KernelLogDefaultTests {
    @Test func onATerminalTheLogAlsoGoesToAFileNamedAtExit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-cwd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        let command = "cd '\(dir.path)' && exec '\(Guest.binary)' run --ramdisk '\(Guest.ramdisk)' simics_calls"
        try terminal.spawn("/bin/sh", arguments: ["-c", command], environment: ["TERM": "xterm"])
        let status = terminal.waitForExit(seconds: 30)
        terminal.read(seconds: 1) { String(decoding: $0, as: UTF8.self).contains("kernel log in") }
        let shown = String(decoding: terminal.received, as: UTF8.self)
        #expect(status == 0, "\(shown)")
        #expect(shown.contains("pebblebed: kernel log in pebblebed.log"), "\(shown)")
        // On the terminal the console holds log lines until it has left the alternate screen.
        let restored = try #require(shown.range(of: "\u{1B}[?1049l"), "\(shown)")
        let line = try #require(shown.range(of: "hello from sim_puts"), "\(shown)")
        #expect(line.lowerBound > restored.upperBound, "log lines must not tear the screen: \(shown)")
        let log = try String(contentsOf: dir.appendingPathComponent("pebblebed.log"), encoding: .utf8)
        #expect(log.contains("[task 1 thread 1] simics_calls: hello from sim_puts"), "\(log)")
    }

    @Test func withoutATerminalTheLogGoesToStderr() throws {
        let r = try Guest.run("simics_calls")
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("[task 1 thread 1] simics_calls: hello from sim_puts"), "\(r)")
        #expect(!r.stderr.contains("kernel log in"), "\(r)")
    }
}
