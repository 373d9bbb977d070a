import Testing
@testable import Pebblebed

/// fork, wait, vanish, task_vanish and exits in the test process, on a FakeMachine.
extension InProcessKernel {
    @Suite struct LifecycleTests {
        static let status = FakeKernel.dataBase

        /// A step that reads init's status word (before init's next call) into `seen`.
        static func readStatus(_ k: FakeKernel, into seen: Box) -> FakeMachine.Step {
            .init(trap: .syscall(vector: Vectors.of("gettid"))) { _ in
                seen.value = try? k.kernel.firstTask.space.readWord(status)
            }
        }

        final class Box { var value: UInt32? }

        @Test func waitCollectsTheChildWithItsStatus() throws {
            let k = try FakeKernel()
            let seen = Box()
            k.machine.scripts[1] = [.call("fork"), .call("wait", esi: Self.status), Self.readStatus(k, into: seen)]
            k.machine.scripts[2] = [.call("set_status", esi: 42)]
            #expect(k.run() == 0)
            #expect(k.machine.results[1]?.prefix(2) == [2, 2])
            #expect(seen.value == 42)
        }

        @Test func orphansAreGivenToInit() throws {
            let k = try FakeKernel()
            // 1 forks 2; 2 forks 3 and exits at once; 3 exits later. init collects both.
            let seen = Box()
            k.machine.scripts[1] = [.call("fork"), .call("wait", esi: Self.status), .call("wait", esi: Self.status),
                                    Self.readStatus(k, into: seen), .call("wait", esi: 0)]
            k.machine.scripts[2] = [.call("fork"), .call("set_status", esi: 5)]
            k.machine.scripts[3] = [.call("sleep", esi: 2), .call("set_status", esi: 7)]
            #expect(k.run() == 0)
            #expect(k.machine.results[1] == [2, 2, 3, 1, PebblesError.noChild.rawValue])
            #expect(seen.value == 7, "the grandchild's status reached init")
        }

        @Test func waitWithoutChildrenFails() throws {
            let k = try FakeKernel()
            k.machine.scripts[1] = [.call("wait", esi: 0)]
            #expect(k.run() == 0)
            #expect(k.machine.results[1] == [PebblesError.noChild.rawValue])
        }

        @Test func waitWithABadStatusPointerConsumesNothing() throws {
            let k = try FakeKernel()
            k.machine.scripts[1] = [.call("fork"), .call("wait", esi: 0x10), .call("wait", esi: 0)]
            k.machine.scripts[2] = []
            #expect(k.run() == 0)
            #expect(k.machine.results[1] == [2, PebblesError.badAddress.rawValue, 2])
        }

        @Test func taskVanishEndsBlockedSiblingsAndSetsTheStatus() throws {
            let k = try FakeKernel()
            k.machine.scripts[1] = [.call("thread_fork"), .call("yield", esi: UInt32(bitPattern: -1)),
                                    .call("task_vanish", esi: 3)]
            k.machine.scripts[2] = [.call("sleep", esi: 1_000_000)]
            #expect(k.run() == 3)
            #expect(k.kernel.threads.isEmpty)
            #expect(k.kernel.liveTasks == 0)
            #expect(k.machine.idleWaits < 10, "the sleeper was woken to end, not left to sleep")
        }

        @Test func theMachineHaltsWhenTheLastTaskEnds() throws {
            let k = try FakeKernel()
            k.machine.scripts[1] = [.call("set_status", esi: 9)]
            #expect(k.run() == 9)
            #expect(Pebblebed.Thread.alive == 0, "every thread object is gone")
        }

        @Test func forkIsRefusedInAMultiThreadedTask() throws {
            let k = try FakeKernel()
            k.machine.scripts[1] = [.call("thread_fork"), .call("fork")]
            _ = k.run()
            #expect(k.machine.results[1]?.dropFirst().first == PebblesError.busy.rawValue)
        }
    }
}
