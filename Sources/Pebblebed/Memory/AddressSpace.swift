/// A task's address space: its software page table, its new_pages regions, and the soft-TLB
/// bookkeeping of which of its pages the host currently shows.
///
/// Reservations (see FramePool): every zero-fill entry holds one; every frame shared by k
/// copy-on-write entries carries k-1 (one per copy that writes could force). So a COW or ZFOD
/// fault always finds its frame, and the call that created the mapping is the one that failed
/// if memory was short.
public final class AddressSpace {
    var table = PageTable()
    /// new_pages regions: first page -> page count.
    var regions: [UInt32: UInt32] = [:]
    /// Runs of pages mapped in the host since the last flush (meaningful only while active),
    /// one per mmap. Runs may overlap or hold pages withdrawn individually since; a flush
    /// merges them and withdraws such pages again, harmlessly.
    var hostRuns: [HostRun] = []
    /// mmap/mprotect calls into the guest range since the last flush. Each can add at most two
    /// host mappings (splitting one at both ends), so bounding the calls bounds the mappings.
    var hostCalls = 0
    /// The page of the last copy-on-write write fault (sequential copies, see copyAround).
    var lastCopyFault: UInt32 = 0
    /// Writable pages shown in the host since the race watcher last took them back
    /// (Explore/Kernel+Races.swift), in the order shown; nil when nobody watches this space.
    /// While it is set a fault shows only its own page (no fault-around): the watcher takes
    /// each page back right after the access, so neighbours shown with it would only cost.
    var watchShown: [UInt32]?

    /// Bound on host calls between flushes: vm.max_map_count is 65530 and each call may cost two
    /// mappings, so past this the soft-TLB is flushed rather than letting mmap fail. The margin
    /// leaves the emulator's own mappings (libraries, stacks, heap) room.
    static let maxHostCalls = 28000

    public init() {}

    deinit { kernelAssert(hostRuns.isEmpty || memory.active !== self, "active address space freed") }

    public subscript(page: UInt32) -> PageTableEntry { table[page] }

    var isActive: Bool { memory.active === self }

    // MARK: building

    /// Maps a page with a frame of its own (the caller's reference moves into the table).
    public func mapFrame(_ page: UInt32, frame: FrameNumber, writable: Bool, flags extra: PageTableEntry.Flags = []) {
        kernelAssert(!table[page].isPresent, "mapFrame: remap of page \(hex(page << 12))")
        var flags: PageTableEntry.Flags = [.present]
        if writable { flags.insert(.writable) }
        table[page] = PageTableEntry(frame: frame, flags: flags.union(extra))
    }

    /// Maps a zero-fill-on-demand page. If writable, the caller has reserved one frame for it.
    public func mapZeroFill(_ page: UInt32, writable: Bool = true, flags extra: PageTableEntry.Flags = []) {
        kernelAssert(!table[page].isPresent, "mapZeroFill: remap of page \(hex(page << 12))")
        var flags: PageTableEntry.Flags = [.present, .zeroFill]
        if writable { flags.insert(.writable) }
        table[page] = PageTableEntry(frame: .zero, flags: flags.union(extra))
    }

    /// Removes `count` pages from `first`, returning their frame references and reservations.
    /// The host loses them in one call (not one per page).
    func unmap(_ first: UInt32, count: UInt32) {
        var shown = false
        for page in first..<first + count where table[page].flags.contains(.inHost) { shown = true }
        if shown && isActive { withdrawFromHost(first, count: Int(count)) }
        for page in first..<first + count {
            var e = table[page]
            guard e.isPresent else { continue }
            release(&e)
            table[page] = .empty
        }
    }

    private func release(_ e: inout PageTableEntry) {
        if e.flags.contains(.zeroFill) {
            // Only a writable zero-fill page holds a reservation (a read-only one never
            // needs a frame of its own).
            if e.flags.contains(.writable) { memory.pool.unreserve(1) }
        } else if e.flags.contains(.copyOnWrite) {
            // This entry's share of the frame's reserved copies goes away with it.
            if memory.pool.release(e.frame) > 0 { memory.pool.unreserve(1) }
        } else {
            memory.pool.release(e.frame)
        }
    }

    /// Releases every page and reservation; the space must not be used afterwards.
    public func destroy() {
        if isActive { withdrawAllFromHost(); memory.active = nil }
        var pages: [UInt32] = []
        table.forEachPresent { page, _ in pages.append(page) }
        for page in pages {
            var e = table[page]
            release(&e)
        }
        table = PageTable()
        regions = [:]
    }
}

/// Consecutive guest pages shown by one host call.
struct HostRun {
    var start: UInt32
    var count: UInt32
    var end: UInt32 { start + count }
}
