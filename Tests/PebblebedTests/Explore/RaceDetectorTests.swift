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

    /// remove_pages unmapping a region is a write of every word there the run saw accessed
    /// (RaceDetector.kernelUnmap): a read by another thread not ordered before it races, and
    /// only that read becomes a point (the remove_pages is one already); a word outside the
    /// region, or in another task, does not.
    @Test func anUnmappingRacesWithAnUnorderedAccessInItsRegion() {
        let d = Self.detector()
        d.access(2, address: 0x0100_8010, write: false, eip: 0x0100_1000)   // in the region
        d.access(2, address: 0x0100_9000, write: false, eip: 0x0100_1004)   // just past it
        d.access(3, address: 0x0100_8020, write: false, eip: 0x0100_1008)   // another task
        d.kernelUnmap(1, base: 0x0100_8000, length: 0x1000)
        #expect(d.racingInstructions == [0x0100_1000], "\(d.races)")
        #expect(d.races.first.map { $0.0 } == 0x0100_8010)
        // Ordered before it (a release the unmapping thread acquired): no race.
        let e = Self.detector()
        e.access(2, address: 0x0100_8010, write: false, eip: 0x0100_1000)
        e.release(2, "exit 2")
        e.acquireLater(1, "exit 2")
        e.kernelUnmap(1, base: 0x0100_8000, length: 0x1000)
        #expect(e.races.isEmpty, "\(e.races)")
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
