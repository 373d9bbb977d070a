import Foundation
import Testing

/// Issue 4, scheduling half: yield, deschedule/make_runnable, sleep, get_ticks, timer
/// preemption, --hz and misbehave, run as real guests under the kernel's resource audits.
@Suite(.serialized) struct SchedulerGuestTests {
    @Test func yieldRefusesMissingAndBlockedTargets() throws {
        let r = try Audited.run("sched_yield")
        Audited.expectPass(r, "sched_yield")
    }

    /// Many handshake rounds at a fast tick, so preemptions land all over the race window;
    /// both outcomes (woken by make_runnable, returned early) must occur.
    @Test func descheduleLosesNoWakeupUnderPreemption() throws {
        let r = try Audited.run("sched_deschedule", ["3000"], options: ["--hz", "1000"])
        Audited.expectPass(r, "sched_deschedule")
        #expect(!r.stdout.contains(" 0 woken"), "\(r)")
        #expect(!r.stdout.contains(" 0 returned early"), "\(r)")
    }

    /// Seeded chaos preempts at arbitrary guest instructions: the handshake still loses nothing.
    @Test(arguments: [1, 2])
    func descheduleLosesNoWakeupUnderSeededChaos(seed: Int) throws {
        let r = try Audited.run("sched_deschedule", ["100", "1"], options: ["--seed", String(seed)])
        Audited.expectPass(r, "sched_deschedule")
    }

    /// A lone thread whose instruction budget runs out must get a new one, or virtual time
    /// stands still and get_ticks never advances (a hang this test caught).
    @Test func sleepAndTicksUnderSeededChaos() throws {
        let r = try Audited.run("sched_sleep", options: ["--seed", "1"], timeout: 60)
        Audited.expectPass(r, "sched_sleep")
    }

    @Test func sleepersWakeInOrder() throws {
        let r = try Audited.run("sched_sleep")
        Audited.expectPass(r, "sched_sleep")
    }

    @Test func busyThreadsAndTasksArePreempted() throws {
        let r = try Audited.run("sched_busy")
        Audited.expectPass(r, "sched_busy")
    }

    @Test func misbehaveModesChangeTheSchedule() throws {
        let r = try Audited.run("sched_misbehave")
        Audited.expectPass(r, "sched_misbehave")
    }

    /// Guests written for any schedule pass under every misbehave mode (`sched_with MODE PROGRAM`
    /// selects the mode, which survives exec). Mode 1 with two tasks once livelocked: yielding
    /// after page faults undid each task's host mappings (Trap.countsForYieldOnTrap).
    @Test(arguments: [1, 2, 8, 15])
    func programsPassUnderEveryMode(mode: Int) throws {
        for (program, status) in [("task_wait", Int32(0)), ("task_vanish", 0), ("mutex_counter", 0), ("task_threads", 7)] {
            let r = try Audited.run("sched_with", [String(mode), program], timeout: 60)
            Audited.expectPass(r, program, status: status)
        }
    }

    /// `--hz` sets the tick length: a sleep of N ticks takes at least N/hz seconds of host time.
    @Test(arguments: [(hz: 20, ticks: 10), (hz: 1000, ticks: 300)])
    func hzSetsTheTickLength(hz: Int, ticks: Int) throws {
        let start = Date()
        let r = try Audited.run("sched_sleep", ["nap", String(ticks)], options: ["--hz", String(hz)])
        let elapsed = Date().timeIntervalSince(start)
        Audited.expectPass(r, "sched_sleep")
        let expected = Double(ticks) / Double(hz)
        #expect(elapsed >= expected, "slept \(elapsed)s, expected at least \(expected)s\n\(r)")
        #expect(elapsed < expected + 10, "slept \(elapsed)s for \(expected)s\n\(r)")
    }
}
