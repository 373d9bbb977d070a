/// new_pages and remove_pages.
extension AddressSpace {
    /// Maps `length` bytes of zero-fill pages at `base`, reserving their frames.
    public func newPages(base: UInt32, length: Int32) throws(PebblesError) {
        guard base & UInt32(pageSize - 1) == 0 else { throw .invalidArgument }
        guard length > 0, Int(length) % pageSize == 0 else { throw .invalidArgument }
        let count = UInt32(Int(length) / pageSize)
        let first = base >> pageShift
        guard base >= GuestLayout.userStart,
              UInt64(first) + UInt64(count) <= UInt64(1) << (32 - UInt64(pageShift)) else { throw .badAddress }
        for page in first..<first + count where table[page].isPresent { throw .busy }
        try HostMemory.checkHeadroom()   // its page tables are host memory (ulimit -v)
        try memory.pool.reserve(Int(count))
        for page in first..<first + count { mapZeroFill(page, flags: .newPages) }
        regions[first] = count
    }

    /// Unmaps the whole region one earlier new_pages made at exactly `base`.
    public func removePages(base: UInt32) throws(PebblesError) {
        guard base & UInt32(pageSize - 1) == 0, let count = regions[base >> pageShift] else {
            throw .invalidArgument
        }
        let first = base >> pageShift
        unmap(first, count: count)
        regions[first] = nil
    }

    /// The first page of the new_pages region holding `address`, nil outside every region
    /// (race watching tells a thread's own stack from its neighbour's: Kernel.ownFrame).
    func region(containing address: UInt32) -> UInt32? {
        let page = address >> pageShift
        return regions.first { page >= $0.key && page - $0.key < $0.value }?.key
    }
}
