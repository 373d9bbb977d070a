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

    /// kill -TSTP: the shell gets its terminal back while the emulator is stopped; continued
    /// (kill -CONT), the emulator takes raw mode again and still answers Ctrl-] q. The stop
    /// must be real, so the emulator runs as the foreground job of a session on a pty, in a
    /// process group that is not orphaned (Linux discards stop signals to orphaned groups):
    /// python sets that up, as a login shell would.
    @Test func stopGivesTheTerminalBackAndContinueTakesItAgain() throws {
        let r = try ShellRun.launch(#"""
            exec python3 - "$BIN" "$RAMDISK" <<'PY'
            import os, pty, sys, termios, time, signal, select
            binary, ramdisk = sys.argv[1], sys.argv[2]
            master, slave = pty.openpty()
            before = termios.tcgetattr(slave)
            def lflag(): return termios.tcgetattr(slave)[3]
            def raw(): return not (lflag() & termios.ICANON)
            leader = os.fork()
            if leader == 0:
                # A session on the pty, as a login shell: the emulator runs as its foreground job, in a
                # process group of its own whose parent (this leader) is in the same session, so the
                # group is not orphaned and a stop signal really stops it.
                os.setsid()
                os.close(master)
                fd = os.open(os.ttyname(slave), os.O_RDWR)
                pid = os.fork()
                if pid == 0:
                    os.setpgid(0, 0)
                    for i in (0, 1, 2): os.dup2(fd, i)
                    os.execv(binary, [binary, "run", "--ramdisk", ramdisk, "guard_spin"])
                os.setpgid(pid, pid)
                signal.signal(signal.SIGTTOU, signal.SIG_IGN)
                os.tcsetpgrp(fd, pid)
                while True:
                    p, status = os.waitpid(pid, os.WUNTRACED)
                    if os.WIFSTOPPED(status):
                        continue   # a job control shell would wait for `fg`; the test sends SIGCONT
                    os._exit(os.waitstatus_to_exitcode(status) & 0xff)
            out = b""
            deadline = time.time() + 30
            while b"spinning" not in out and time.time() < deadline:
                r, _, _ = select.select([master], [], [], 0.1)
                if r: out += os.read(master, 4096)
            def emulator():
                for p in os.listdir("/proc"):
                    if p.isdigit():
                        try:
                            st = open(f"/proc/{p}/stat").read()
                            if int(st.split(")")[1].split()[1]) == leader: return int(p), st.split(")")[1].split()[0]
                        except Exception: pass
                return None, None
            pid, state = emulator()
            print("raw while running:", raw())
            os.kill(pid, signal.SIGTSTP)
            for _ in range(300):
                pid, state = emulator()
                if state == "T": break
                time.sleep(0.01)
            print("stopped:", state == "T")
            print("cooked while stopped:", lflag() == before[3])
            os.kill(pid, signal.SIGCONT)
            for _ in range(300):
                if raw(): break
                time.sleep(0.01)
            print("raw again:", raw())
            os.write(master, b"\x1dq")
            _, status = os.waitpid(leader, 0)
            print("exit:", os.waitstatus_to_exitcode(status))
            print("restored:", termios.tcgetattr(slave)[3] == before[3])
            PY
            """#, timeout: 90)
        #expect(r.stdout == """
            raw while running: True
            stopped: True
            cooked while stopped: True
            raw again: True
            exit: 0
            restored: True

            """, "\(r)")
    }
}
