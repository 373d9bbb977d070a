import Testing
@testable import Pebblebed

/// The scheduler in the test process, on a FakeMachine: which thread runs when, and that
/// blocked threads come back. A thread that is never made runnable again shows up as an idle
/// machine that powers itself off with 99 (FakeMachine.waitForInterrupt).
extension InProcessKernel {
    @Suite struct SchedulerTests {
        @Test func sleepingThreadIsWokenAndRunsAgain() throws {
            let k = try FakeKernel()
            k.machine.scripts[1] = [.call("sleep", esi: 3), .call("get_ticks")]
            #expect(k.run() == 0)
            #expect(k.machine.runs == [1, 1, 1])
            let r = k.machine.results[1] ?? []
            #expect(r.count == 2 && r[0] == 0 && r[1] >= 3, "sleep returns 0; get_ticks has advanced 3: \(r)")
        }

        @Test func negativeSleepIsRefusedAndZeroDoesNotBlock() throws {
            let k = try FakeKernel()
            k.machine.scripts[1] = [.call("sleep", esi: UInt32(bitPattern: -1)), .call("sleep", esi: 0)]
            #expect(k.run() == 0)
            #expect(k.machine.results[1] == [PebblesError.invalidArgument.rawValue, 0])
            #expect(k.machine.idleWaits == 0)
        }

        @Test func yieldRunsTheOtherThreadFirst() throws {
            let k = try FakeKernel()
            k.machine.scripts[1] = [.call("thread_fork"), .call("yield", esi: UInt32(bitPattern: -1)), .call("gettid")]
            k.machine.scripts[2] = [.call("gettid")]
            #expect(k.run() == 0)
            // 1 forks, yields to 2; 2 runs its gettid and vanishes; 1 resumes.
            #expect(Array(k.machine.runs.prefix(5)) == [1, 1, 2, 2, 1])
        }

        @Test func yieldToABlockedThreadIsBusyAndToAnUnknownOneNotFound() throws {
            let k = try FakeKernel()
            // 2 runs first (yield -1) and blocks in sleep; then it cannot be yielded to.
            k.machine.scripts[1] = [.call("thread_fork"), .call("yield", esi: UInt32(bitPattern: -1)),
                                    .call("yield", esi: 2), .call("yield", esi: 77), .call("yield", esi: 1)]
            k.machine.scripts[2] = [.call("sleep", esi: 1000)]
            _ = k.run()
            let r = k.machine.results[1] ?? []
            #expect(Array(r.prefix(5)) == [2, 0, PebblesError.busy.rawValue, PebblesError.notFound.rawValue, 0])
        }

        @Test func descheduledThreadRunsOnlyAfterMakeRunnable() throws {
            let k = try FakeKernel()
            // Thread 2 deschedules (reject word 0 at dataBase); 1 then makes it runnable.
            k.machine.scripts[1] = [.call("thread_fork"), .call("yield", esi: UInt32(bitPattern: -1)),
                                    .call("make_runnable", esi: 2), .call("make_runnable", esi: 2)]
            k.machine.scripts[2] = [.call("deschedule", esi: FakeKernel.dataBase), .call("gettid")]
            #expect(k.run() == 0)
            #expect(k.machine.results[1]?.dropFirst(2).first == 0, "make_runnable of the descheduled thread")
            #expect(k.machine.results[2]?.first == 0, "deschedule returns 0 once made runnable")
        }

        @Test func childFirstPolicyRunsTheChildBeforeTheParentReturns() throws {
            let k = try FakeKernel(policy: SchedulingPolicy(mode: 8)!)
            k.machine.scripts[1] = [.call("thread_fork"), .call("gettid")]
            k.machine.scripts[2] = [.call("gettid")]
            _ = k.run()
            // The child runs (gettid, vanish) before the parent's thread_fork returns.
            #expect(Array(k.machine.runs.prefix(4)) == [1, 2, 2, 1])
        }

        @Test func timerTickPreemptsAfterTheQuantum() throws {
            let k = try FakeKernel()
            k.machine.scripts[1] = [.call("thread_fork"), .call("gettid"), .call("gettid")]
            k.machine.scripts[2] = [.call("gettid")]
            // A tick two quanta later arrives while thread 1 runs: it gives way to thread 2
            // (without the preemption thread 1 would run its two gettids first).
            k.machine.scripts[1]!.insert(.init(trap: .timer) { _ in k.machine.clock += 30_000_000 }, at: 1)
            _ = k.run()
            #expect(Array(k.machine.runs.prefix(5)) == [1, 1, 2, 2, 1])
        }

        @Test func aSlowSwitchDoesNotPreemptTheIncomingThreadBeforeItRuns() throws {
            let k = try FakeKernel()
            // 1 yields to 2 and the switch is slow: five ticks pass in the kernel and the
            // timer's note is pending when 2 is about to run (a debug build at --hz 10000).
            var slowYield = FakeMachine.Step.call("yield", esi: UInt32(bitPattern: -1))
            let setUp = slowYield.setUp
            slowYield.setUp = { f in
                setUp(f)
                k.machine.clock += 50_000_000
                k.machine.timerPending = true
            }
            k.machine.scripts[1] = [.call("thread_fork"), slowYield, .call("gettid")]
            k.machine.scripts[2] = [.call("gettid"), .call("gettid")]
            _ = k.run()
            // 2's first run returns the pending tick; its quantum began when it got the CPU,
            // so the tick does not end it: 2 runs its calls (and vanishes) before 1 resumes.
            // (Counted from the last tick the kernel had seen, the quantum was used up and 2
            // gave way before running anything: [1, 1, 2, 1, ...].)
            #expect(Array(k.machine.runs.prefix(6)) == [1, 1, 2, 2, 2, 2])
        }

        @Test func aRefillRestartsTheQuantumFromTheNextTick() throws {
            let k = try FakeKernel()
            let s = k.kernel.scheduler
            s.enterUser(now: 0)
            s.tick(now: 3)
            #expect(s.preemptPending, "three ticks use up a one-tick quantum")
            s.preemptPending = false
            // The thread refilled a page at tick 3 (Kernel.pageFault, .mapped): a tick noted
            // during that refill, or later in tick 3, does not end the quantum; tick 5 does
            // (the thread had all of tick 4).
            s.restartSlice(now: 3)
            s.tick(now: 3)
            s.tick(now: 4)
            #expect(!s.preemptPending)
            s.tick(now: 5)
            #expect(s.preemptPending)
        }
    }
}
