/// The frame allocator: reference counts, a free bitmap, and reservations.
///
/// Strict accounting (no overcommit): a mapping that may later need a frame of its own (a ZFOD
/// page, a writable page shared copy-on-write) *reserves* one when it is made, so that the COW
/// and ZFOD fault handlers, which cannot report errors, always find a frame. `reserve` is the
/// only call that can fail; `allocateReserved` never does.
///
/// Invariant: `reserved <= freeCount` (reserve checks it, unreserved allocation respects it).
///
/// Allocation is first-fit over a bitmap from a cursor at or below the lowest free frame, and
/// takes a hint: the frame right after the one that backs the neighbouring guest page.
/// Neighbouring pages with consecutive frames merge into one host mapping (one mmap for a
/// fault-around run, one VMA against vm.max_map_count); reusing the lowest frames keeps the
/// memfd's touched part (host memory, and the physmap's page-table entries) small and warm.
public struct FramePool {
    public let frameCount: Int
    private var refcount: [UInt32]
    /// Bit i of word i/64 set: frame i is free.
    private var freeBits: [UInt64]
    /// Where the next unhinted search starts; no frame below it is free.
    private var cursor = 1
    public private(set) var freeCount: Int
    /// Frames promised to reservations and not yet allocated.
    public private(set) var reserved: Int = 0

    /// Creates a pool of `frameCount` frames; frame 0 is kept as the zero frame.
    public init(frameCount: Int) {
        kernelAssert(frameCount >= 2, "physical memory needs at least two frames")
        self.frameCount = frameCount
        refcount = Array(repeating: 0, count: frameCount)
        refcount[0] = 1
        freeBits = Array(repeating: ~0, count: (frameCount + 63) / 64)
        let tail = frameCount % 64
        if tail != 0 { freeBits[freeBits.count - 1] = (1 << UInt64(tail)) - 1 }
        freeBits[0] &= ~1
        freeCount = frameCount - 1
    }

    /// Frames neither allocated nor promised.
    public var available: Int { freeCount - reserved }
    /// Frames allocated, the zero frame included.
    public var usedCount: Int { frameCount - freeCount }

    /// Promises `count` future allocations, or throws `.noMemory` leaving nothing changed.
    public mutating func reserve(_ count: Int) throws(PebblesError) {
        kernelAssert(count >= 0, "reserve of \(count) frames")
        guard count <= available else { throw .noMemory }
        reserved += count
    }

    /// Gives back promises that will not be used.
    public mutating func unreserve(_ count: Int) {
        kernelAssert(count >= 0 && count <= reserved, "unreserve \(count) of \(reserved)")
        reserved -= count
    }

    /// Allocates a frame against an earlier reservation, `near` if that frame is free. Never fails.
    public mutating func allocateReserved(near hint: FrameNumber? = nil) -> FrameNumber {
        kernelAssert(reserved > 0 && freeCount > 0, "allocation without a reservation")
        reserved -= 1
        return take(near: hint)
    }

    /// Allocates a frame without a prior reservation, or throws `.noMemory`.
    public mutating func allocate(near hint: FrameNumber? = nil) throws(PebblesError) -> FrameNumber {
        guard available > 0 else { throw .noMemory }
        return take(near: hint)
    }

    public func isFree(_ f: FrameNumber) -> Bool {
        f.index < frameCount && freeBits[f.index >> 6] & (1 << UInt64(f.index & 63)) != 0
    }

    private mutating func take(near hint: FrameNumber?) -> FrameNumber {
        let i: Int
        if let hint, hint != .zero, isFree(hint) {
            i = hint.index
        } else {
            i = nextFree(from: cursor)
            cursor = i + 1 < frameCount ? i + 1 : 1
        }
        freeBits[i >> 6] &= ~(1 << UInt64(i & 63))
        freeCount -= 1
        kernelAssert(refcount[i] == 0, "free frame \(i) has references")
        refcount[i] = 1
        return FrameNumber(i)
    }

    /// The first free frame at or after `start`, wrapping around; one word per 64 frames.
    private func nextFree(from start: Int) -> Int {
        kernelAssert(freeCount > 0, "allocation from an empty pool")
        var w = start >> 6
        var bits = freeBits[w] & (~0 << UInt64(start & 63))
        for _ in 0...freeBits.count {
            if bits != 0 { return w << 6 | bits.trailingZeroBitCount }
            w = w + 1 == freeBits.count ? 0 : w + 1
            bits = freeBits[w]
        }
        kernelPanic("frame pool: free count \(freeCount) but no free frame")
    }

    /// How far past the cursor `firstFreeRun` looks: it runs in the fault path, and a badly
    /// fragmented pool must not make every fault scan all of memory.
    static let runSearchLimit = 1 << 14

    /// The first frame of the lowest run of `length` free frames within `runSearchLimit`
    /// frames of the cursor, if there is one: where a block of pages about to be filled
    /// together gets consecutive frames.
    public func firstFreeRun(length: Int) -> FrameNumber? {
        guard length > 0 else { return nil }
        var i = cursor, start = cursor, run = 0
        let end = min(frameCount, cursor + FramePool.runSearchLimit)
        while i < end {
            if i & 63 == 0 && freeBits[i >> 6] == 0 {   // a fully allocated word
                run = 0
                i += 64
                continue
            }
            if freeBits[i >> 6] & (1 << UInt64(i & 63)) != 0 {
                if run == 0 { start = i }
                run += 1
                if run == length { return FrameNumber(start) }
            } else {
                run = 0
            }
            i += 1
        }
        return nil
    }

    public func references(_ f: FrameNumber) -> Int { Int(refcount[f.index]) }

    public mutating func retain(_ f: FrameNumber) {
        guard f != .zero else { return }
        kernelAssert(refcount[f.index] > 0, "retain of free frame \(f.rawValue)")
        refcount[f.index] += 1
    }

    /// Drops one reference; the last one returns the frame to the pool.
    /// Returns the references left.
    @discardableResult
    public mutating func release(_ f: FrameNumber) -> Int {
        guard f != .zero else { return 1 }
        kernelAssert(refcount[f.index] > 0, "release of free frame \(f.rawValue)")
        refcount[f.index] -= 1
        if refcount[f.index] == 0 {
            freeBits[f.index >> 6] |= 1 << UInt64(f.index & 63)
            freeCount += 1
            cursor = min(cursor, f.index)
        }
        return Int(refcount[f.index])
    }
}
