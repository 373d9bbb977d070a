import Testing
@testable import Pebblebed

/// The system-call path in the test process: vector lookup, argument decoding, outcomes.
extension InProcessKernel {
    @Suite struct SyscallDispatchTests {
        @Test func unknownVectorReturnsNoSuchCallAndSkipsTheInstruction() throws {
            let k = try FakeKernel()
            var eipAfter: UInt32 = 0
            k.machine.scripts[1] = [
                .init(trap: .syscall(vector: 0x43)) { $0.eip = 0x0100_0010 },
                .init(trap: .syscall(vector: Vectors.of("gettid"))) { eipAfter = $0.eip },
            ]
            _ = k.run()
            #expect(k.machine.results[1]?.first == PebblesError.noSuchCall.rawValue)
            #expect(eipAfter == 0x0100_0012)
        }

        @Test func packetOutsideUserMemoryIsABadAddress() throws {
            let k = try FakeKernel()
            k.machine.scripts[1] = [.call("new_pages", esi: 0x1000), .call("readfile", esi: 0x0300_0000)]
            _ = k.run()
            #expect(k.machine.results[1] == [PebblesError.badAddress.rawValue, PebblesError.badAddress.rawValue])
        }

        @Test func packetWordsReachTheHandler() throws {
            let k = try FakeKernel()
            let base: UInt32 = 0x4000_0000
            k.machine.scripts[1] = [.call("new_pages", packet: [base, 2 * 4096]),
                                    .call("new_pages", packet: [base + 0x10_0000, 4095]),
                                    .call("remove_pages", esi: base)]
            _ = k.run()
            #expect(k.machine.results[1] == [0, PebblesError.invalidArgument.rawValue, 0])
        }

        @Test func gettidAndSetStatusOutcomes() throws {
            let k = try FakeKernel()
            k.machine.scripts[1] = [.call("gettid"), .call("set_status", esi: 4)]
            #expect(k.run() == 4)
            #expect(k.machine.results[1] == [1, 0])
        }
    }
}
