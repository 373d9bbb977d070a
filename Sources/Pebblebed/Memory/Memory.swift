/// The machine's physical memory and its frame pool, and which address space the host's guest
/// range currently shows. There is one per machine (one per host process).
public final class Memory {
    public let physical: PhysicalMemory
    public var pool: FramePool
    /// The address space whose pages the soft-TLB may show in the guest range.
    public internal(set) var active: AddressSpace?

    public init(bytes: Int) throws(BootError) {
        physical = try PhysicalMemory(bytes: bytes)
        pool = FramePool(frameCount: physical.frameCount)
    }

    /// Shows `space` in the guest range from now on: the outgoing space's pages are withdrawn
    /// (their count, not the size of either space, is the cost), the incoming ones fault in.
    public func activate(_ space: AddressSpace?) {
        guard space !== active else { return }
        active?.withdrawAllFromHost()
        active = space
    }
}

/// The one machine's memory; set at boot.
nonisolated(unsafe) public var memory: Memory!
