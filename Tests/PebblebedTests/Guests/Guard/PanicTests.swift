import Foundation
import Testing

/// The panic path, triggered on purpose through the debug-only vector 0x8F: a report with the
/// event, the current thread, registers and a backtrace on stderr, and exit code 70.
@Suite(.serialized) struct PanicTests {
    private func panic(mode: Int) throws -> GuestRun {
        try Guest.run("guard_panic", [String(mode)], options: ["--debug-panic-vector"], timeout: 30)
    }

    /// What every report has, whatever the cause.
    private func expectReport(_ r: GuestRun, headline: String) {
        #expect(r.status == 70, "\(r)")
        #expect(!r.stdout.contains("PASS guard_panic"), "\(r)")
        #expect(r.stderr.contains(headline), "\(r)")
        #expect(r.stderr.contains("current thread 1 of task 1 'guard_panic'"), "\(r)")
        #expect(r.stderr.contains("its user registers:"), "\(r)")
        #expect(r.stderr.contains("eip=0x01"), "\(r)")
        #expect(r.stderr.contains("backtrace (symbolize: addr2line -Cfpe /"), "\(r)")
        #expect(r.stderr.contains("pebblebed("), "backtrace frames missing: \(r)")
        #expect(!r.stderr.contains("fault while reporting a panic"), "\(r)")
    }

    @Test func brokenInvariantPanics() throws {
        let r = try panic(mode: 0)
        expectReport(r, headline: "kernel panic: debug panic vector: invariant broken on purpose")
    }

    /// A kernelAssert that fails reports its message and where it is, like kernelPanic, in
    /// release builds too (a bare precondition would be a SIGILL with no message there).
    @Test func failedInvariantCheckPanicsWithItsMessage() throws {
        let r = try panic(mode: 4)
        expectReport(r, headline: "kernel panic: makeRunnable of thread 1 in running (Pebblebed/Scheduler.swift:")
    }

    @Test func badPointerInTheKernelPanicsWithKernelRegisters() throws {
        let r = try panic(mode: 1)
        expectReport(r, headline: "kernel panic: Segmentation fault in kernel mode at address 0x0000000000000008")
        #expect(r.stderr.contains("kernel registers:"), "\(r)")
        #expect(r.stderr.contains("rip=0x"), "\(r)")
    }

    @Test func swiftRuntimeTrapPanics() throws {
        let r = try panic(mode: 2)
        expectReport(r, headline: "kernel panic: Illegal instruction in kernel mode")
        #expect(r.stderr.contains("Fatal error: debug panic vector: Swift trap on purpose"), "\(r)")
    }

    /// The handler runs on the alternate signal stack, so even a kernel stack overflow reports.
    @Test func kernelStackOverflowPanics() throws {
        let r = try panic(mode: 3)
        expectReport(r, headline: "kernel panic: Segmentation fault in kernel mode")
    }

    @Test func panicReportIgnoresTheLogFile() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("panic-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: log) }
        let r = try Guest.run("guard_panic", ["0"], options: ["--debug-panic-vector", "--log", log.path], timeout: 30)
        expectReport(r, headline: "kernel panic: debug panic vector")
    }

    /// Without the flag the vector is an unknown system call: an error return, no panic.
    @Test func vectorIsAnErrorWithoutTheFlag() throws {
        for mode in 0...3 {
            let r = try Guest.run("guard_panic", [String(mode)], timeout: 30)
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.contains("PASS guard_panic"), "\(r)")
        }
    }

    /// At a terminal, the panic path restores the terminal settings before it reports.
    @Test(.enabled(if: Guest.hasProgram("guard_panic")))
    func panicRestoresTheTerminal() throws {
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        let before = try terminal.attributes()
        try terminal.spawn(Guest.binary, arguments: ["run", "--ramdisk", Guest.ramdisk, "--debug-panic-vector", "guard_panic", "1"],
                           environment: ["TERM": "xterm"])
        #expect(terminal.waitForExit(seconds: 30) == 70)
        #expect(sameTerminalSettings(before, try terminal.attributes()))
        let text = String(decoding: terminal.received, as: UTF8.self)
        #expect(text.contains("kernel panic: Segmentation fault in kernel mode"), "\(text)")
    }
}
