import Testing
@testable import Pebblebed

/// The frame allocator alone: a value, no global state, so these run in parallel.
@Suite struct FramePoolTests {
    @Test func freshPoolHasAllButTheZeroFrameFree() {
        let pool = FramePool(frameCount: 100)
        #expect(pool.freeCount == 99)
        #expect(pool.usedCount == 1)
        #expect(pool.available == 99)
        #expect(pool.references(.zero) == 1)
        #expect(!pool.isFree(.zero))
    }

    @Test func reserveIsTheOnlyCallThatFailsAndLeavesNothingChanged() throws {
        var pool = FramePool(frameCount: 11)
        try pool.reserve(7)
        #expect(pool.reserved == 7 && pool.available == 3)
        #expect(throws: PebblesError.noMemory) { try pool.reserve(4) }
        #expect(pool.reserved == 7 && pool.available == 3)
        try pool.reserve(3)
        #expect(pool.available == 0)
        #expect(throws: PebblesError.noMemory) { try pool.allocate() }
        pool.unreserve(10)
        #expect(pool.reserved == 0 && pool.available == 10)
    }

    @Test func allocateReservedConsumesTheReservationNotTheAvailableFrames() throws {
        var pool = FramePool(frameCount: 5)
        try pool.reserve(2)
        let a = pool.allocateReserved()
        #expect(pool.reserved == 1)
        #expect(pool.available == 2)          // 3 free, 1 still promised
        #expect(pool.references(a) == 1)
        #expect(a != .zero)
        _ = try pool.allocate()
        _ = try pool.allocate()
        #expect(pool.available == 0)
        #expect(throws: PebblesError.noMemory) { try pool.allocate() }
        let b = pool.allocateReserved()       // the promise still holds with nothing available
        #expect(b != a && pool.freeCount == 0 && pool.reserved == 0)
    }

    @Test func retainAndReleaseCountReferencesAndTheLastReleaseFrees() throws {
        var pool = FramePool(frameCount: 8)
        let f = try pool.allocate()
        pool.retain(f)
        pool.retain(f)
        #expect(pool.references(f) == 3)
        #expect(pool.release(f) == 2)
        #expect(pool.release(f) == 1)
        #expect(!pool.isFree(f))
        #expect(pool.release(f) == 0)
        #expect(pool.isFree(f))
        #expect(pool.freeCount == 7)
    }

    @Test func zeroFrameIsNeverCountedOrFreed() {
        var pool = FramePool(frameCount: 8)
        pool.retain(.zero)
        #expect(pool.release(.zero) == 1)
        #expect(pool.release(.zero) == 1)
        #expect(pool.references(.zero) == 1)
        #expect(!pool.isFree(.zero) && pool.freeCount == 7)
    }

    @Test func successiveAllocationsAreConsecutiveFrames() throws {
        var pool = FramePool(frameCount: 300)
        try pool.reserve(200)
        let frames = (0..<200).map { _ in pool.allocateReserved() }
        for (a, b) in zip(frames, frames.dropFirst()) { #expect(b.rawValue == a.rawValue + 1) }
    }

    @Test func hintIsTakenWhenFreeAndIgnoredOtherwise() throws {
        var pool = FramePool(frameCount: 200)
        let a = try pool.allocate(near: FrameNumber(150))
        #expect(a == FrameNumber(150))
        let b = try pool.allocate(near: FrameNumber(150))   // taken: next-fit instead
        #expect(b != a && pool.references(b) == 1)
        let c = try pool.allocate(near: .zero)               // the zero frame is never a hint
        #expect(c != .zero)
        let d = try pool.allocate(near: FrameNumber(5000))  // out of range: ignored
        #expect(d.index < 200)
    }

    @Test func freedFramesAreReusedLowestFirst() throws {
        var pool = FramePool(frameCount: 130)   // spans three bitmap words
        let frames = try (0..<129).map { _ in try pool.allocate() }
        #expect(pool.freeCount == 0)
        pool.release(frames[70])
        pool.release(frames[3])
        pool.release(frames[100])
        #expect(try pool.allocate() == frames[3])
        #expect(try pool.allocate() == frames[70])
        #expect(try pool.allocate() == frames[100])
        #expect(pool.freeCount == 0)
    }

    @Test func aHintedAllocationDoesNotHideLowerFreeFrames() throws {
        var pool = FramePool(frameCount: 200)
        let low = try pool.allocate()
        pool.release(low)
        _ = try pool.allocate(near: FrameNumber(150))
        #expect(try pool.allocate() == low)
    }

    @Test func firstFreeRunSkipsHolesTooShort() throws {
        var pool = FramePool(frameCount: 200)
        let frames = try (0..<150).map { _ in try pool.allocate() }   // frames 1...150
        for i in [10, 11, 12, 40, 41, 42, 43, 44, 90] { pool.release(frames[i - 1]) }
        #expect(pool.firstFreeRun(length: 3) == FrameNumber(10))
        #expect(pool.firstFreeRun(length: 4) == FrameNumber(40))
        #expect(pool.firstFreeRun(length: 6) == FrameNumber(151))
        #expect(pool.firstFreeRun(length: 60) == nil)
    }

    @Test func aFreedRegionComesBackContiguous() throws {
        var pool = FramePool(frameCount: 100)
        let a = try (0..<20).map { _ in try pool.allocate() }
        let b = try (0..<20).map { _ in try pool.allocate() }
        for f in a { pool.release(f) }
        let again = try (0..<20).map { _ in try pool.allocate() }
        #expect(again == a)
        _ = b
    }
}
