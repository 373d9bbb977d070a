/// The frame allocator: reference counts, a free list, and reservations.
///
/// Strict accounting (no overcommit): a mapping that may later need a frame of its own (a ZFOD
/// page, a writable page shared copy-on-write) *reserves* one when it is made, so that the COW
/// and ZFOD fault handlers, which cannot report errors, always find a frame. `reserve` is the
/// only call that can fail; `allocateReserved` never does.
public struct FramePool {
    public let frameCount: Int
    private var refcount: [UInt32]
    private var freeList: [UInt32]
    /// Frames promised to reservations and not yet allocated.
    public private(set) var reserved: Int = 0

    /// Creates a pool of `frameCount` frames; frame 0 is kept as the zero frame.
    public init(frameCount: Int) {
        precondition(frameCount >= 2, "physical memory needs at least two frames")
        self.frameCount = frameCount
        refcount = Array(repeating: 0, count: frameCount)
        refcount[0] = 1
        // Handing out low frames first keeps neighbouring allocations contiguous, so
        // neighbouring guest pages can merge into one host mapping.
        freeList = (1..<UInt32(frameCount)).reversed()
    }

    public var freeCount: Int { freeList.count }
    /// Frames neither allocated nor promised.
    public var available: Int { freeList.count - reserved }
    public var usedCount: Int { frameCount - freeList.count }

    /// Promises `count` future allocations, or throws `.noMemory` leaving nothing changed.
    public mutating func reserve(_ count: Int) throws(PebblesError) {
        precondition(count >= 0)
        guard count <= available else { throw .noMemory }
        reserved += count
    }

    /// Gives back promises that will not be used.
    public mutating func unreserve(_ count: Int) {
        precondition(count >= 0 && count <= reserved, "unreserve \(count) of \(reserved)")
        reserved -= count
    }

    /// Allocates a frame against an earlier reservation. Never fails.
    public mutating func allocateReserved() -> FrameNumber {
        precondition(reserved > 0 && !freeList.isEmpty, "allocation without a reservation")
        reserved -= 1
        return take()
    }

    /// Allocates a frame without a prior reservation, or throws `.noMemory`.
    public mutating func allocate() throws(PebblesError) -> FrameNumber {
        guard available > 0 else { throw .noMemory }
        return take()
    }

    private mutating func take() -> FrameNumber {
        let f = freeList.removeLast()
        assert(refcount[Int(f)] == 0)
        refcount[Int(f)] = 1
        return FrameNumber(rawValue: f)
    }

    public func references(_ f: FrameNumber) -> Int { Int(refcount[f.index]) }

    public mutating func retain(_ f: FrameNumber) {
        guard f != .zero else { return }
        precondition(refcount[f.index] > 0, "retain of free frame \(f.rawValue)")
        refcount[f.index] += 1
    }

    /// Drops one reference; the last one returns the frame to the free list.
    /// Returns the references left.
    @discardableResult
    public mutating func release(_ f: FrameNumber) -> Int {
        guard f != .zero else { return 1 }
        precondition(refcount[f.index] > 0, "release of free frame \(f.rawValue)")
        refcount[f.index] -= 1
        if refcount[f.index] == 0 { freeList.append(f.rawValue) }
        return Int(refcount[f.index])
    }
}
