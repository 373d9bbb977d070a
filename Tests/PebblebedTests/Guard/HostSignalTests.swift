import Foundation
import Glibc
import Testing

/// SIGINT, SIGTERM and SIGHUP end the emulator by that signal with the terminal restored, also
/// when they interrupt guest code (whose FS base is not the emulator's).
@Suite struct HostSignalTests {
    /// Starts guard_spin on a pipe, waits until it computes, sends `signal`; how it ended.
    private func spinAndSignal(_ signal: Int32) throws -> (reason: Process.TerminationReason, status: Int32, stderr: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-signal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        try Data().write(to: out)
        try Data().write(to: err)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Guest.binary)
        p.arguments = ["run", "--ramdisk", Guest.ramdisk, "guard_spin"]
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(30)
        while p.isRunning, Date() < deadline,
              !((try? String(contentsOf: out, encoding: .utf8)) ?? "").contains("spinning") {
            usleep(10_000)
        }
        usleep(50_000)   // let it compute: the signal should land in guest code
        kill(p.processIdentifier, signal)
        let stop = Date().addingTimeInterval(10)
        while p.isRunning && Date() < stop { usleep(5_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        return (p.terminationReason, p.terminationStatus, (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func signalEndsTheEmulatorBySignal(_ signal: Int32) throws {
        let r = try spinAndSignal(signal)
        #expect(r.reason == .uncaughtSignal, "\(r)")
        #expect(r.status == signal, "\(r)")
        #expect(!r.stderr.contains("kernel panic"), "\(r)")
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func signalWhileGuestComputesRestoresTheTerminal(_ signal: Int32) throws {
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        let before = try terminal.attributes()
        try terminal.spawn(Guest.binary, arguments: ["run", "--ramdisk", Guest.ramdisk, "guard_spin"], environment: ["TERM": "xterm"])
        let started = terminal.read(seconds: 30) { String(decoding: $0, as: UTF8.self).contains("spinning") }
        try #require(started, "\(String(decoding: terminal.received, as: UTF8.self))")
        #expect(try terminal.attributes().c_lflag & tcflag_t(ICANON) == 0, "raw mode while running")
        usleep(50_000)
        try terminal.signal(signal)
        #expect(terminal.waitForExit() == -signal)
        #expect(sameTerminalSettings(before, try terminal.attributes()))
        #expect(!String(decoding: terminal.received, as: UTF8.self).contains("kernel panic"))
    }
}
