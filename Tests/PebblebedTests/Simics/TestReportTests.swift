@testable import Pebblebed
import Testing

/// The verdict rules of `pebblebed run --report`, on report lines as 15-410 tests write them.
struct TestReportTests {
    @Test func parsesTheLinesOf410sReportLibrary() {
        #expect(TestReport.parse("(^_^)_fork_test1: START__TYPE_COMPLETE") == .start(name: "fork_test1", kind: .complete))
        #expect(TestReport.parse("(^_^)_knife START__TYPE_ABORT") == .start(name: "knife", kind: .abort))
        #expect(TestReport.parse("(^_^)_loop: START__TYPE_FOREVER_PROGRESS") == .start(name: "loop", kind: .forever))
        #expect(TestReport.parse("(^_^)_a b: END__SUCCESS") == .success(name: "a b"))
        #expect(TestReport.parse("(^_^)_x: END__FAIL") == .fail(name: "x"))
    }

    @Test func otherLinesAreNotReports() {
        #expect(TestReport.parse("hello") == nil)
        #expect(TestReport.parse("(^_^)_x: Err -3 on line 12: `fork()'") == nil)
        #expect(TestReport.parse("(^_^)_ END__SUCCESS") == nil, "a report needs a name")
        #expect(TestReport.parse("fork_test1: END__SUCCESS") == nil, "the prefix is required")
    }

    private func report(_ lines: [String], task: Int32 = 1) -> TestReport {
        var r = TestReport()
        for l in lines { r.note(l, task: task) }
        return r
    }

    @Test func completeTypePassesOnlyWithSuccessAndNoFail() {
        #expect(report(["(^_^)_t: START__TYPE_COMPLETE", "(^_^)_t: END__SUCCESS"]).passed)
        #expect(!report(["(^_^)_t: START__TYPE_COMPLETE"]).passed)
        #expect(!report(["(^_^)_t: START__TYPE_COMPLETE", "(^_^)_t: END__SUCCESS", "(^_^)_t: END__FAIL"]).passed)
        #expect(!report(["(^_^)_t: START__TYPE_COMPLETE", "(^_^)_t: END__FAIL", "(^_^)_t: END__SUCCESS"]).passed)
    }

    @Test func abortTypePassesWhenItsTaskIsKilledBeforeAnyFail() {
        var killed = report(["(^_^)_t: START__TYPE_ABORT"], task: 3)
        killed.taskKilled(3)
        #expect(killed.passed)
        var otherTask = report(["(^_^)_t: START__TYPE_ABORT"], task: 3)
        otherTask.taskKilled(4)
        #expect(!otherTask.passed, "only the task that started the test counts")
        var failedFirst = report(["(^_^)_t: START__TYPE_ABORT", "(^_^)_t: END__FAIL"], task: 3)
        failedFirst.taskKilled(3)
        #expect(!failedFirst.passed)
        var failedAfter = report(["(^_^)_t: START__TYPE_ABORT"], task: 3)
        failedAfter.taskKilled(3)
        failedAfter.note("(^_^)_t: END__FAIL", task: 5)
        #expect(failedAfter.passed, "an END__FAIL after the kill does not undo it")
    }

    /// Issue 19.8: halting, vanishing (a library panic) and a kill all end an abort-type test;
    /// only an END line first, or a timeout with its task still running, fails it.
    @Test func abortTypePassesWhenItsTaskEndsAnyWayBeforeItsEndLine() {
        var halted = report(["(^_^)_t: START__TYPE_ABORT"], task: 3)
        halted.halted = true
        #expect(halted.passed, "\(halted.verdicts)")
        var vanished = report(["(^_^)_t: START__TYPE_ABORT"], task: 3)
        vanished.noteEndedTasks { $0 == 3 }
        #expect(vanished.passed, "\(vanished.verdicts)")
        var stillRunning = report(["(^_^)_t: START__TYPE_ABORT"], task: 3)
        stillRunning.noteEndedTasks { $0 == 4 }
        stillRunning.timedOut = true
        #expect(!stillRunning.passed)
        #expect(stillRunning.verdicts[0].reason == "timed out without ending")
        var endedBeforeTimeout = report(["(^_^)_t: START__TYPE_ABORT"], task: 3)
        endedBeforeTimeout.noteEndedTasks { $0 == 3 }
        endedBeforeTimeout.timedOut = true
        #expect(endedBeforeTimeout.passed, "its task ended before another task kept the machine up")
        var reachedSuccess = report(["(^_^)_t: START__TYPE_ABORT", "(^_^)_t: END__SUCCESS"], task: 3)
        reachedSuccess.noteEndedTasks { $0 == 3 }
        reachedSuccess.halted = true
        #expect(!reachedSuccess.passed, "an abort test that reaches its END line did not abort")
        var childAfterEnd = report(["(^_^)_t: START__TYPE_ABORT"], task: 3)
        childAfterEnd.noteEndedTasks { $0 == 3 }
        childAfterEnd.note("(^_^)_t: END__FAIL", task: 5)
        childAfterEnd.halted = true
        #expect(childAfterEnd.passed, "an END line after the test's task ended does not undo it")
    }

    @Test func foreverTypePassesOnlyAtTheTimeout() {
        var r = report(["(^_^)_t: START__TYPE_FOREVER"])
        #expect(!r.passed)
        r.timedOut = true
        #expect(r.passed)
        r.note("(^_^)_t: END__FAIL", task: 1)
        #expect(!r.passed)
    }

    @Test func noReportIsAFailureAndEveryTestMustPass() {
        #expect(!TestReport().passed)
        let two = report(["(^_^)_a: START__TYPE_COMPLETE", "(^_^)_a: END__SUCCESS", "(^_^)_b: START__TYPE_COMPLETE"])
        #expect(!two.passed)
        #expect(two.verdicts.map(\.passed) == [true, false])
        #expect(two.verdicts[1].description == "verdict: FAIL b (complete type): ended without END__SUCCESS")
    }
}
