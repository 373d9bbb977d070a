import Foundation
import Testing

/// Programs with their own sim_call (examples/tests/simics_*.c) on the real machine: magic
/// calls reach the kernel, their output goes to the kernel log with task and thread, and a
/// program without sim_call runs unchanged.
@Suite(.enabled(if: Guest.hasProgram("simics_calls")))
struct SimicsGuestTests {
    @Test func everyMagicCallIsServed() throws {
        let r = try Guest.run("simics_calls", options: ["--memory", "64"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS simics_calls"), "\(r)")
        #expect(r.stdout.contains("memsize 65536 KiB"), "SIM_MEMSIZE answers KiB: \(r)")
        #expect(r.stderr.contains("[task 1 thread 1] simics_calls: hello from sim_puts\n"), "\(r)")
        #expect(r.stderr.contains("sim_call 0x0410800b (test harness; ecx 0x00000007, edx 0x00000009) ignored"), "\(r)")
        #expect(r.stderr.contains("SIM_BREAKPOINT at eip 0x"), "\(r)")
        #expect(r.stderr.contains("no debugger attached, continuing"), "\(r)")
    }

    @Test func unsizedSimCallIsPatchedToo() throws {
        let r = try Guest.run("simics_unsized")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS simics_unsized"), "\(r)")
        #expect(r.stderr.contains("[task 1 thread 1] simics_unsized: hello from an unsized sim_call"), "\(r)")
    }

    @Test func programWithoutSimCallRunsUnchanged() throws {
        let r = try Guest.run("simics_none")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS simics_none"), "\(r)")
        #expect(!r.stderr.contains("[task"), "no magic call may reach the kernel: \(r)")
    }

    @Test func simHaltStopsTheWholeMachine() throws {
        let r = try Guest.run("simics_halt", timeout: 20)
        #expect(!r.timedOut, "a sleeping child must not keep the machine up: \(r)")
        #expect(r.status == 7, "the first task's status: \(r)")
        #expect(r.stdout.contains("simics_halt: halting"), "\(r)")
        #expect(!r.stdout.contains("FAIL"), "\(r)")
        #expect(r.stderr.contains("SIM_HALT: halting the machine"), "\(r)")
    }

    @Test func lprintfLinesCarryTaskAndThread() throws {
        let r = try Guest.run("simics_report", ["lprintf"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("[task 1 thread 1] (^_^)_simics_report: END__SUCCESS\n"), "\(r)")
    }

    @Test func logOptionSendsTheLogToAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-log-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Guest.run("simics_calls", options: ["--log", path])
        #expect(r.status == 0, "\(r)")
        #expect(!r.stderr.contains("hello from sim_puts"), "\(r)")
        let log = try String(contentsOfFile: path, encoding: .utf8)
        #expect(log.contains("[task 1 thread 1] simics_calls: hello from sim_puts"), "\(log)")
    }

    @Test func timeoutHaltsWith124() throws {
        let r = try Guest.run("simics_report", ["forever"], options: ["--timeout", "0.5"], timeout: 20)
        #expect(!r.timedOut, "\(r)")
        #expect(r.status == 124, "\(r)")
        #expect(r.stderr.contains("timeout"), "\(r)")
    }
}

/// `pebblebed run --report`: each verdict path of simics_report.
@Suite(.enabled(if: Guest.hasProgram("simics_report")))
struct SimicsVerdictTests {
    static let cases: [(mode: String, passed: Bool, reason: String)] = [
        ("complete", true, "(complete type): END__SUCCESS reported"),
        ("lprintf", true, "(complete type): END__SUCCESS reported"),
        ("fail", false, "(complete type): END__FAIL reported"),
        ("hang", false, "(complete type): timed out before END__SUCCESS"),
        ("abort", true, "(abort type): task killed by the kernel"),
        ("abortfail", false, "(abort type): END__FAIL reported before the task ended"),
        // Issue 19.8: an abort-type test passes when it ends without reaching its END line.
        ("survive", true, "(abort type): task ended without reaching its END line"),
        ("forever", true, "(forever type): still running at the timeout"),
        ("foreverexit", false, "(forever type): the machine stopped before the timeout"),
    ]

    @Test(arguments: cases.map(\.mode))
    func verdict(mode: String) throws {
        let c = Self.cases.first { $0.mode == mode }!
        let r = try Guest.run("simics_report", [mode], options: ["--report", "--timeout", "1"], timeout: 30)
        #expect(!r.timedOut, "\(r)")
        #expect(r.status == (c.passed ? 0 : 1), "\(r)")
        let line = "verdict: \(c.passed ? "PASS" : "FAIL") simics_report \(c.reason)\n"
        #expect(r.stdout.hasSuffix(line), "\(r)")
    }

    @Test func timeoutCountsInSeededRunsToo() throws {
        let r = try Guest.run("simics_report", ["forever"], options: ["--seed", "3", "--report", "--timeout", "1"], timeout: 30)
        #expect(!r.timedOut, "seeded runs have no timer tick: \(r)")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasSuffix("verdict: PASS simics_report (forever type): still running at the timeout\n"), "\(r)")
    }

    @Test func noReportLinesFail() throws {
        let r = try Guest.run("simics_report", ["silent"], options: ["--report"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("verdict: FAIL: no test report lines"), "\(r)")
    }
}
