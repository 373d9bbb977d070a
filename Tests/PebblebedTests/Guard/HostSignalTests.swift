import CShims
import Foundation
import Glibc
import Testing

/// Every catchable host signal is used, left at a harmless default on purpose, or ends the
/// emulator by that signal with the terminal restored, also when it interrupts guest code (whose
/// FS base is not the emulator's); fault signals sent by a process are not faults (issue 17, 3).
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

    /// The signals that used to reach the Swift runtime's crash handler or end the emulator with
    /// the terminal raw (issue 17, 3), and the real-time ones.
    static let rtmin = __libc_current_sigrtmin(), rtmax = __libc_current_sigrtmax()
    static let endingSignals: [Int32] = [SIGQUIT, SIGABRT, SIGUSR1, SIGUSR2, SIGXCPU, SIGVTALRM,
                                         SIGPROF, SIGPWR, SIGSTKFLT, rtmin, rtmin + 5, rtmax]

    @Test(arguments: endingSignals)
    func everyOtherEndingSignalEndsTheEmulatorBySignal(_ signal: Int32) throws {
        let r = try spinAndSignal(signal)
        #expect(r.reason == .uncaughtSignal && r.status == signal, "\(r)")
        #expect(r.stderr.contains("stopping the emulator"), "\(r)")
        #expect(!r.stderr.contains("kernel panic") && !r.stderr.contains("Crash"), "\(r)")
    }

    @Test(arguments: endingSignals)
    func everyOtherEndingSignalRestoresTheTerminal(_ signal: Int32) throws {
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        let before = try terminal.attributes()
        try terminal.spawn(Guest.binary, arguments: ["run", "--ramdisk", Guest.ramdisk, "guard_spin"], environment: ["TERM": "xterm"])
        let started = terminal.read(seconds: 30) { String(decoding: $0, as: UTF8.self).contains("spinning") }
        try #require(started, "\(String(decoding: terminal.received, as: UTF8.self))")
        usleep(50_000)
        try terminal.signal(signal)
        #expect(terminal.waitForExit() == -signal)
        #expect(sameTerminalSettings(before, try terminal.attributes()))
    }

    /// `kill -SEGV` and friends (si_code SI_USER) used to be reported as a kernel panic in kernel
    /// mode with the sender's pid as the address; a real fault of the guest is still its own.
    @Test(arguments: [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS])
    func aSentFaultSignalIsNotAFault(_ signal: Int32) throws {
        let r = try spinAndSignal(signal)
        #expect(r.reason == .uncaughtSignal && r.status == signal, "\(r)")
        #expect(r.stderr.contains("sent by process \(getpid()): not a fault"), "\(r)")
        #expect(!r.stderr.contains("kernel panic"), "\(r)")
    }

    /// Every signal number is accounted for: the machine's own, one that ends or stops the
    /// emulator, or one whose default is harmless and kept on purpose.
    @Test func everyCatchableSignalHasADecidedDisposition() {
        let machine: Set<Int32> = [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGALRM, SIGIO]
        let keptDefaults: Set<Int32> = [SIGCHLD, SIGURG, SIGWINCH, SIGCONT, SIGKILL, SIGSTOP, 32, 33]
        for sig in 1...Self.rtmax {
            let d = pb_terminal_signal_disposition(sig)
            let decided = machine.contains(sig) || keptDefaults.contains(sig) || d != 0
            #expect(decided, "signal \(sig) has no decided disposition")
            #expect(!(machine.contains(sig) && d != 0), "signal \(sig) would have two handlers")
        }
        #expect(pb_terminal_signal_disposition(SIGTSTP) == 2)
        #expect(pb_terminal_signal_disposition(SIGXFSZ) == 3, "ignored: writes past ulimit -f fail instead")
    }

    /// kill -TSTP, then -CONT: the emulator gives the terminal back before it stops and takes
    /// raw mode again when continued, so Ctrl-] q still works. (The test's emulator leads its
    /// own session, an orphaned process group, where Linux discards the stop itself; what is
    /// checked is that the handler's round trip leaves a working raw terminal.)
    @Test func stopAndContinueKeepAWorkingTerminal() throws {
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        let before = try terminal.attributes()
        try terminal.spawn(Guest.binary, arguments: ["run", "--ramdisk", Guest.ramdisk, "guard_spin"], environment: ["TERM": "xterm"])
        let started = terminal.read(seconds: 30) { String(decoding: $0, as: UTF8.self).contains("spinning") }
        try #require(started)
        try terminal.signal(SIGTSTP)
        try terminal.signal(SIGCONT)
        var raw = false
        for _ in 0..<500 where !raw {
            raw = try terminal.attributes().c_lflag & tcflag_t(ICANON) == 0
            if !raw { usleep(10_000) }
        }
        #expect(raw, "raw again once continued")
        terminal.send([0x1D, UInt8(ascii: "q")])
        #expect(terminal.waitForExit() != nil)
        #expect(sameTerminalSettings(before, try terminal.attributes()))
    }
}
