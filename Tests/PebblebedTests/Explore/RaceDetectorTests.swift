import Testing
@testable import Pebblebed

/// A word is an address in one task's memory (RaceDetector.taskOf): a forked child's pages are
/// its own, so the same address in parent and child is not shared, while threads of one task
/// share theirs.
@Suite struct RaceDetectorTests {
    /// Threads 1 and 2 are task 1, thread 3 is task 3 (a forked child).
    static func detector() -> RaceDetector {
        RaceDetector(isLibrary: { _ in false }, taskOf: { $0 == 3 ? 3 : 1 })
    }

    @Test func theSameAddressInAForkedChildIsAnotherWord() {
        let d = Self.detector()
        d.access(1, address: 0x0100_6000, write: true, eip: 0x0100_1000)
        d.access(3, address: 0x0100_6000, write: true, eip: 0x0100_1004)
        #expect(d.races.isEmpty, "parent and child do not share memory: \(d.races)")
        d.access(2, address: 0x0100_6000, write: false, eip: 0x0100_1008)
        #expect(d.racingInstructions == [0x0100_1000, 0x0100_1008], "threads of one task do")
    }

    @Test func atomicsInTwoTasksAreNotShared() {
        let d = Self.detector()
        d.atomic(1, address: 0x0100_6000, eip: 0x0100_1000)
        d.atomic(3, address: 0x0100_6000, eip: 0x0100_1000)
        #expect(d.sharedAtomics.isEmpty)
        d.atomic(2, address: 0x0100_6000, eip: 0x0100_1000)
        #expect(d.sharedAtomics.map(\.word) == [0x0100_6000])
    }
}
