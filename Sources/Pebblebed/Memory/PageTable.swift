/// One guest page's entry in a task's software page table.
public struct PageTableEntry: Sendable {
    public struct Flags: OptionSet, Sendable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// The page exists in the task's address space.
        public static let present = Flags(rawValue: 1 << 0)
        /// The guest may write it (possibly after a copy-on-write or zero-fill).
        public static let writable = Flags(rawValue: 1 << 1)
        /// The frame is shared copy-on-write: a write must copy it (or take it over when this is
        /// the last reference). Reservations for the copies live with the frame (see AddressSpace).
        public static let copyOnWrite = Flags(rawValue: 1 << 2)
        /// No frame yet: reads see the zero frame, the first write allocates. Holds one reservation.
        public static let zeroFill = Flags(rawValue: 1 << 3)
        /// Part of a region made by new_pages (remove_pages may unmap it).
        public static let newPages = Flags(rawValue: 1 << 4)
        /// Currently mapped into the host's guest range (the soft-TLB holds it).
        public static let inHost = Flags(rawValue: 1 << 5)
        /// ... and mapped there writable.
        public static let hostWritable = Flags(rawValue: 1 << 6)
    }
    public var frame: FrameNumber
    public var flags: Flags
    public static let empty = PageTableEntry(frame: .zero, flags: [])
    public var isPresent: Bool { flags.contains(.present) }
}

/// A two-level table of page-table entries indexed by guest page number, as x86's own
/// (1024 directory slots of 1024 entries), so lookups are two array indexings.
public struct PageTable {
    final class Leaf {
        var entries = [PageTableEntry](repeating: .empty, count: 1024)
        var presentCount = 0
        init() {}
        init(copying other: Leaf) { entries = other.entries; presentCount = other.presentCount }
    }
    private var directory = [Leaf?](repeating: nil, count: 1024)

    public init() {}

    public subscript(page: UInt32) -> PageTableEntry {
        get {
            guard let leaf = directory[Int(page >> 10)] else { return .empty }
            return leaf.entries[Int(page & 1023)]
        }
        set {
            let d = Int(page >> 10)
            // No other reference to the leaf may be held across the uniqueness check, or it
            // always fails and every store copies the whole leaf.
            if directory[d] == nil {
                guard newValue.isPresent else { return }
                directory[d] = Leaf()
            } else if !isKnownUniquelyReferenced(&directory[d]!) {
                directory[d] = Leaf(copying: directory[d]!)
            }
            let leaf = directory[d]!
            let old = leaf.entries[Int(page & 1023)]
            leaf.entries[Int(page & 1023)] = newValue
            leaf.presentCount += (newValue.isPresent ? 1 : 0) - (old.isPresent ? 1 : 0)
            if leaf.presentCount == 0 { directory[d] = nil }
        }
    }

    /// Calls `body` for every present entry in increasing page order.
    public func forEachPresent(_ body: (UInt32, PageTableEntry) -> Void) {
        for d in 0..<1024 {
            guard let leaf = directory[d] else { continue }
            for i in 0..<1024 where leaf.entries[i].isPresent {
                body(UInt32(d << 10 | i), leaf.entries[i])
            }
        }
    }
}
