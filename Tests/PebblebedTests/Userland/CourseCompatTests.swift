import Foundation
import Testing

/// Programs written the way 15-410 students and course tests write them (issue 19) and the
/// guest library's own trap handling (issue 17, item 7).
@Suite struct CourseCompatTests {
    /// Signed-int page rounding of `&local` must land just above the first thread's stack, not
    /// at 0x1000 (stack in the topmost page); one-page thread stacks work.
    @Test func stackRoundsWithSignedArithmetic() throws {
        let r = try Guest.run("stack_signed_round")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS stack_signed_round"), "\(r)")
    }

    /// crt0's autostack handler handles stack growth only: an overflow trap (`into` with OF set,
    /// `int $4`) is not resumed past, it kills the thread as with no handler at all.
    @Test(arguments: ["fault_into", "fault_int4", "fault_int3"])
    func autostackPassesOnTrapsItDoesNotOwn(program: String) throws {
        let r = try Guest.run(program)
        #expect(r.status == 254, "killed: exit status -2 \(r)")
        #expect(!r.stdout.contains("FAIL"), "\(r)")
        #expect(r.stdout.contains("killed:") || r.stderr.contains("killed:"), "\(r)")
    }

    /// `--report` on abort-type tests (issue 19.8): halting or the library's own panic before
    /// the END line passes; reaching the END line fails.
    @Test(arguments: [("p410_abort_halt", [String](), "PASS", "machine halted before its END line"),
                      ("p410_abort_panic", [], "PASS", "task ended without reaching its END line"),
                      ("p410_abort_panic", ["reach-end"], "FAIL", "END__FAIL reported before the task ended")])
    func abortTestVerdicts(program: String, args: [String], verdict: String, reason: String) throws {
        let r = try Guest.run(program, args, options: ["--report"])
        #expect(r.stdout.contains("verdict: \(verdict) \(program) (abort type): \(reason)"), "\(r)")
        #expect(r.status == (verdict == "PASS" ? 0 : 1), "\(r)")
    }
}
