/// The copy-on-write copy of an address space that fork makes.
extension AddressSpace {
    /// Frames the copy must reserve: one per writable page (its frame may need a copy, or the
    /// child's zero-fill page needs its own frame).
    private func forkReservation() -> Int {
        var n = 0
        table.forEachPresent { _, e in if e.flags.contains(.writable) { n += 1 } }
        return n
    }

    /// Makes a copy-on-write copy, or throws `.noMemory` with nothing changed if the frames
    /// that later writes could need cannot be reserved, or the host is near `ulimit -v`.
    public func forkCopy() throws(PebblesError) -> AddressSpace {
        try HostMemory.checkHeadroom()   // the copy's page tables are host memory (ulimit -v)
        try memory.pool.reserve(forkReservation())
        // The parent's writable pages become read-only COW pages in the host too (one call per
        // run); what it shows read-only stays shown.
        if isActive { downgradeHostWritable() }
        let child = AddressSpace()
        child.regions = regions
        var updates: [(UInt32, PageTableEntry)] = []
        table.forEachPresent { page, e in
            var shared = e
            if e.flags.contains(.writable) && !e.flags.contains(.zeroFill) {
                shared.flags.insert(.copyOnWrite)
                // The parent keeps its soft-TLB state: the page may still be shown read-only.
                updates.append((page, shared))
            }
            // Zero-fill pages stay zero-fill on both sides, each with its own reservation.
            memory.pool.retain(shared.frame)
            shared.flags.subtract([.inHost, .hostWritable])
            child.table[page] = shared
        }
        for (page, e) in updates { table[page] = e }
        return child
    }
}
