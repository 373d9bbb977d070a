import Testing
@testable import Pebblebed

/// misbehave's mode decoding (Scheduler/README.md): -1 and 0 restore the standard policy,
/// 1...63 is a bit set, anything else is unknown and ignored.
struct SchedulingPolicyTests {
    @Test func standardModes() {
        #expect(SchedulingPolicy(mode: -1) == .standard)
        #expect(SchedulingPolicy(mode: 0) == .standard)
        #expect(SchedulingPolicy.standard.quantum == 1)
        #expect(!SchedulingPolicy.standard.lifo && !SchedulingPolicy.standard.yieldOnTrap && !SchedulingPolicy.standard.childFirst)
    }

    @Test func eachBitSelectsItsVariation() throws {
        let all = try #require(SchedulingPolicy(mode: 1 | 2 | 4 | 8))
        #expect(all.yieldOnTrap && all.lifo && all.childFirst)
        #expect(all.quantum == SchedulingPolicy.longQuantum)
        let lifo = try #require(SchedulingPolicy(mode: 2))
        #expect(lifo.lifo && !lifo.yieldOnTrap && !lifo.childFirst && lifo.quantum == 1)
        // The reserved bits change nothing.
        #expect(SchedulingPolicy(mode: 16 | 32) == .standard)
    }

    @Test(arguments: [Int32(-2), 64, 12345, Int32.min, Int32.max])
    func unknownModesAreIgnored(mode: Int32) {
        #expect(SchedulingPolicy(mode: mode) == nil)
    }
}
