import Foundation
import Testing

/// Where the kernel log goes without --log: stderr. When the drawn console hides it (it owns
/// the terminal), the lines wait until the terminal is restored, and, if there were any, they
/// also go to ./pebblebed.log as they come, named at exit; a run that logs nothing writes no
/// file. `--log -` is stderr and never a file; with a plain console its lines come among the
/// guest's output, in order.
@Suite(.enabled(if: Guest.hasProgram("simics_calls") && Guest.hasProgram("hello")))
struct KernelLogDefaultTests {
    /// Runs `arguments` at a terminal in a fresh directory; what it showed and the directory.
    private func runAtTerminal(_ arguments: String) throws -> (shown: String, status: Int32?, directory: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-cwd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        let command = "cd '\(dir.path)' && exec '\(Guest.binary)' run --ramdisk '\(Guest.ramdisk)' \(arguments)"
        try terminal.spawn("/bin/sh", arguments: ["-c", command], environment: ["TERM": "xterm"])
        let status = terminal.waitForExit(seconds: 30)
        return (String(decoding: terminal.received, as: UTF8.self), status, dir)
    }

    @Test func onATerminalAHiddenLogAlsoGoesToAFileNamedAtExit() throws {
        let (shown, status, dir) = try runAtTerminal("simics_calls")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(status == 0, "\(shown)")
        #expect(shown.contains("pebblebed: the console hid the kernel log; it is in pebblebed.log"), "\(shown)")
        // On the terminal the console holds log lines until it has left the alternate screen.
        let restored = try #require(shown.range(of: "\u{1B}[?1049l"), "\(shown)")
        let line = try #require(shown.range(of: "hello from sim_puts"), "\(shown)")
        #expect(line.lowerBound > restored.upperBound, "log lines must not tear the screen: \(shown)")
        let log = try String(contentsOf: dir.appendingPathComponent("pebblebed.log"), encoding: .utf8)
        #expect(log.contains("[task 1 thread 1] simics_calls: hello from sim_puts"), "\(log)")
    }

    @Test func aRunThatLogsNothingWritesNoFile() throws {
        let (shown, status, dir) = try runAtTerminal("hello")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(status == 0, "\(shown)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pebblebed.log").path), "\(shown)")
        #expect(!shown.contains("kernel log"), "\(shown)")
    }

    @Test func logDashIsStderrAndNeverAFile() throws {
        let (shown, status, dir) = try runAtTerminal("--log - simics_calls")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(status == 0, "\(shown)")
        #expect(shown.contains("hello from sim_puts"), "\(shown)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pebblebed.log").path), "\(shown)")
    }

    @Test func aPlainConsoleInterleavesTheLogWithTheOutput() throws {
        let (shown, status, dir) = try runAtTerminal("--console plain --log - simics_calls")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(status == 0, "\(shown)")
        #expect(!shown.contains("\u{1B}[?1049h"), "a plain console draws no screen: \(shown)")
        // The log line written during the run comes before the program's last output line.
        let line = try #require(shown.range(of: "hello from sim_puts"), "\(shown)")
        let verdict = try #require(shown.range(of: "PASS simics_calls"), "\(shown)")
        #expect(line.lowerBound < verdict.lowerBound, "\(shown)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pebblebed.log").path))
    }

    @Test func withoutATerminalTheLogGoesToStderr() throws {
        let r = try Guest.run("simics_calls")
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("[task 1 thread 1] simics_calls: hello from sim_puts"), "\(r)")
        #expect(!r.stderr.contains("kernel log"), "\(r)")
    }
}
