import Foundation
import Testing

/// Issue 4, life cycle half: fork, exec, wait, vanish, task_vanish, thread_fork, gettid, with
/// their error returns, run as real guests under the kernel's resource audits.
@Suite(.serialized) struct TaskGuestTests {
    @Test func thousandSequentialForksAndFiftyConcurrentChildren() throws {
        let r = try Audited.run("task_fork", timeout: 240)
        Audited.expectPass(r, "task_fork")
    }

    @Test func waitErrorsAndDeliveredStatuses() throws {
        let r = try Audited.run("task_wait")
        Audited.expectPass(r, "task_wait")
        // The child that wrote through NULL was killed with the standard message (status -2).
        #expect(r.stdout.contains("(task_wait) killed: page fault (write) at address 0x00000000"), "\(r)")
    }

    @Test func orphansAndUncollectedZombiesGoToTheFirstTask() throws {
        let r = try Audited.run("task_orphans")
        Audited.expectPass(r, "task_orphans")
    }

    /// With the first task gone the kernel collects its orphan, and the machine halts only once
    /// the orphan is gone too, with the first task's status.
    @Test func orphansOfAnExitedFirstTaskAreCollectedByTheKernel() throws {
        let r = try Audited.run("task_orphans", ["detach"])
        #expect(!r.timedOut && r.status == 5, "\(r)")
        #expect(r.stdout.contains("first task exits\norphan done\n"), "\(r)")
        #expect(!r.stderr.contains("audit failed"), "\(r)")
    }

    @Test func taskVanishEndsThreadsBlockedInTheKernel() throws {
        let r = try Audited.run("task_vanish")
        Audited.expectPass(r, "task_vanish")
    }

    /// Raw thread_fork + vanish of every thread; fork and exec refused with two threads; the
    /// task outlives its first thread and ends with the status that thread set.
    @Test func threadForkAndVanishOfEachThread() throws {
        let r = try Audited.run("task_threads")
        Audited.expectPass(r, "task_threads", status: 7)
    }

    @Test func execFailuresLeaveTheProgramIntact() throws {
        let r = try Audited.run("task_exec")
        Audited.expectPass(r, "task_exec")
        #expect(r.stdout.contains("exitcode: exiting with status 42"), "\(r)")
    }
}
