/// Page faults and the soft-TLB: a guest access the host mapping did not allow arrives here.
///
/// This is the hot path (ARCHITECTURE.md, measured costs): a fault round trip costs several
/// microseconds and an mmap about two, so a fault maps as much as one mmap can cover (fault-
/// around over neighbouring pages whose frames are consecutive), a COW or ZFOD write maps the
/// new frame at once, and nothing is withdrawn that mmap(MAP_FIXED) would replace anyway.
extension AddressSpace {
    public enum FaultOutcome: Equatable {
        /// The soft-TLB filled in: the page was in the table and is now shown in the host as
        /// the table allows; resume the guest.
        case mapped
        /// A write to a zero-fill page: it got a zeroed frame of its own (and its block too).
        case zeroFilled
        /// A write to a copy-on-write page: it got its own copy, or took the frame over.
        case copied
        /// The access is not allowed (no page, or a write to a read-only page): a real fault.
        case violation
    }

    /// Pages a fault may map besides the faulting one, on each side.
    static let faultAround = 16

    /// Handles a fault at `address` of the active space; `write` says whether it was a write.
    /// COW and ZFOD work here never fails: its frames were reserved when the mapping was made.
    public func handleFault(at address: UInt32, write: Bool) -> FaultOutcome {
        let page = address >> pageShift
        let e = table[page]
        guard e.isPresent, address >= GuestLayout.userStart else { return .violation }
        guard write else {
            // Shown already and still a read fault: the host disagrees with the table.
            return e.flags.contains(.inHost) ? .violation : fillTLB(page, e)
        }
        guard e.flags.contains(.writable) else { return .violation }
        // Shown writable already and still a write fault: the host disagrees with the table.
        if e.flags.contains(.hostWritable) { return .violation }
        if e.flags.contains(.zeroFill) { return zeroFillFault(page) }
        if e.flags.contains(.copyOnWrite) { return copyOnWriteFault(page) }
        return fillTLBForWrite(page, e)
    }

    /// A read of a page the host does not show: show it as the table allows.
    private func fillTLB(_ page: UInt32, _ e: PageTableEntry) -> FaultOutcome {
        show(page, frame: e.frame, writable: e.mapsWritable)
        return .mapped
    }

    /// A write to a private writable page the host shows read-only or not at all.
    private func fillTLBForWrite(_ page: UInt32, _ e: PageTableEntry) -> FaultOutcome {
        show(page, frame: e.frame, writable: true, populate: true)
        return .mapped
    }

    /// A first write to a zero-fill page: it and the untouched zero-fill pages of its block get
    /// zeroed frames in a row (fillAround), shown writable with one mmap.
    private func zeroFillFault(_ page: UInt32) -> FaultOutcome {
        fillAround(page)
        let frame = privatize(page)
        show(page, frame: frame, writable: true, populate: true)
        return .zeroFilled
    }

    /// A write to a copy-on-write page: the faulting page first (privatize copies or takes the
    /// frame over), then its sequential neighbours (copyAround), so their copies continue its
    /// frame; shown writable with one mmap.
    private func copyOnWriteFault(_ page: UInt32) -> FaultOutcome {
        let frame = privatize(page)
        copyAround(page)
        show(page, frame: frame, writable: true, populate: true)
        return .copied
    }

    /// Gives `page` a frame of its own that may be written (see `privatize`) for a kernel write
    /// through the physmap. If the host showed the old frame, the new one replaces it at once.
    @discardableResult
    func resolveWrite(_ page: UInt32) -> FrameNumber {
        let old = table[page]
        let frame = privatize(page)
        if old.flags.contains(.inHost) && isActive && (frame != old.frame || !old.flags.contains(.hostWritable)) {
            show(page, frame: frame, writable: true)
        }
        return frame
    }

    /// Gives `page` a frame of its own that may be written: allocates a ZFOD frame, copies a
    /// shared COW frame, or takes over a COW frame whose other sharers are gone. Leaves the host
    /// mapping alone (the caller remaps). The page must be present and writable.
    /// A new frame goes `near` when that one is free, else next to the neighbours' frames.
    @discardableResult
    func privatize(_ page: UInt32, near: FrameNumber? = nil) -> FrameNumber {
        var e = table[page]
        kernelAssert(e.isPresent && e.flags.contains(.writable), "privatize of page \(hex(page << 12)), which is not present and writable")
        let hint = near.flatMap { memory.pool.isFree($0) ? $0 : nil } ?? frameHint(page)
        if e.flags.contains(.zeroFill) {
            let f = memory.pool.allocateReserved(near: hint)
            memory.physical.zero(f)
            e.frame = f
            e.flags.remove(.zeroFill)
        } else if e.flags.contains(.copyOnWrite) {
            if memory.pool.references(e.frame) > 1 {
                let f = memory.pool.allocateReserved(near: hint)
                memory.physical.copy(from: e.frame, to: f)
                memory.pool.release(e.frame)
                e.frame = f
            }
            e.flags.remove(.copyOnWrite)
        } else {
            return e.frame
        }
        table[page] = e
        return e.frame
    }

    /// Pages of the aligned block that one zero-fill write fault fills.
    static let zeroFillAround: UInt32 = 16

    /// A write to a zero-fill page fills the untouched zero-fill pages of its aligned block too,
    /// in page order so their frames are consecutive, and the fault-around run then shows them
    /// all with one mmap: sequential writes (memset, a growing stack) take one fault per block.
    /// Their frames were reserved when they were mapped, so this only spends a promise early.
    /// Pages the host shows already (the zero frame) are left alone: the host would go on
    /// showing the zero frame instead of their new frame.
    func fillAround(_ page: UInt32) {
        let start = page & ~(AddressSpace.zeroFillAround - 1)
        privatizeInRow(start..<start + AddressSpace.zeroFillAround) { q, e in
            e.flags.isSuperset(of: [.zeroFill, .writable]) && (q == page || !e.flags.contains(.inHost))
        }
    }

    /// Privatizes the pages of `pages` that are `eligible`, in increasing order, with frames in
    /// a row: continuing the frame below the first one if that is free, else the lowest run of
    /// free frames long enough (first-fit alone would scatter them over freed holes).
    func privatizeInRow(_ pages: Range<UInt32>, _ eligible: (UInt32, PageTableEntry) -> Bool) {
        var count = 0
        var first: UInt32? = nil
        for q in pages where eligible(q, table[q]) {
            count += 1
            if first == nil { first = q }
        }
        guard let first else { return }
        var next = frameHint(first).flatMap { memory.pool.isFree($0) ? $0 : nil }
            ?? memory.pool.firstFreeRun(length: count)
        for q in pages where eligible(q, table[q]) {
            next = FrameNumber(rawValue: privatize(q, near: next).rawValue + 1)
        }
    }

    /// A write to a copy-on-write page also takes over the COW pages of its aligned block whose
    /// frames have no other sharer left (after fork and the child's exec or exit, all of them):
    /// no copy and no reservation is involved, and the fault-around run then shows them
    /// writable with the faulting page. Pages shown read-only already stay so until written.
    func takeOverAround(_ page: UInt32) {
        let start = page & ~(AddressSpace.zeroFillAround - 1)
        for q in start..<start + AddressSpace.zeroFillAround where q != page {
            var e = table[q]
            guard e.flags.contains(.copyOnWrite), memory.pool.references(e.frame) == 1 else { continue }
            e.flags.remove(.copyOnWrite)
            table[q] = e
        }
    }

    /// Copy-on-write neighbours for a write fault at `page` (already made private): the
    /// unshared ones of its block are taken over; and when this fault continues a sequential
    /// run (the previous copy fault, or the end of the previous block copied, is the page next
    /// to it), the shared ones from `page` to the end of the block in that direction are copied
    /// now, as a sequential writer will write them next: one fault per block in the steady
    /// state. Their copies were reserved at fork; pages the host shows already are left alone
    /// (the host would go on showing the shared frame).
    func copyAround(_ page: UInt32) {
        takeOverAround(page)
        let last = lastCopyFault
        lastCopyFault = page
        guard page == last &+ 1 || page == last &- 1 else { return }
        let start = page & ~(AddressSpace.zeroFillAround - 1)
        let copyable = { (q: UInt32, e: PageTableEntry) in
            e.flags.isSuperset(of: [.copyOnWrite, .writable]) && !e.flags.contains(.inHost)
        }
        if page > last {
            privatizeInRow(page + 1..<start + AddressSpace.zeroFillAround, copyable)
            lastCopyFault = start + AddressSpace.zeroFillAround - 1
        } else {
            // Downwards (a stack): each copy continues the frame of the page above it.
            for q in (start..<page).reversed() where copyable(q, table[q]) { privatize(q) }
            lastCopyFault = start
        }
    }

    /// The frame that would make `page` continue its neighbour's frame, so the two can share
    /// one host mapping.
    func frameHint(_ page: UInt32) -> FrameNumber? {
        let below = page > 0 ? table[page - 1] : .empty
        if below.isPresent, below.frame != .zero { return FrameNumber(rawValue: below.frame.rawValue + 1) }
        let above = page < UInt32.max >> pageShift ? table[page + 1] : .empty
        if above.isPresent, above.frame.rawValue > 1 { return FrameNumber(rawValue: above.frame.rawValue - 1) }
        return nil
    }

    /// The run of pages one mmap can show together with `page` (at `frame`, `writable`): its
    /// neighbours, up to `faultAround` on each side, that are present, not shown yet, backed by
    /// the frames consecutive to `frame`, and shown with the same protection. Only the page
    /// itself while a race watcher keeps track of what is shown (`watchShown`).
    func faultAroundRun(_ page: UInt32, frame: FrameNumber, writable: Bool) -> ClosedRange<UInt32> {
        guard frame != .zero, watchShown == nil else { return page...page }
        func fits(_ q: UInt32, _ f: Int) -> Bool {
            let e = table[q]
            return e.isPresent && f > 0 && e.frame.index == f && e.frame != .zero
                && !e.flags.contains(.inHost) && !e.flags.contains(.zeroFill) && e.mapsWritable == writable
        }
        var low = page, high = page
        let top = UInt32.max >> pageShift
        while page - low < AddressSpace.faultAround, low > GuestLayout.userStart >> pageShift,
              fits(low - 1, frame.index - Int(page - low) - 1) { low -= 1 }
        while high - page < AddressSpace.faultAround, high < top,
              fits(high + 1, frame.index + Int(high - page) + 1) { high += 1 }
        return low...high
    }

    /// Maps `page` (and its fault-around run) into the host's guest range with one mmap. This
    /// space must be the active one.
    /// `populate`: the guest is writing here now (see HostMapping.map).
    private func show(_ page: UInt32, frame: FrameNumber, writable: Bool, populate: Bool = false) {
        kernelAssert(isActive, "fault in an inactive address space")
        if hostCalls >= AddressSpace.maxHostCalls { withdrawAllFromHost() }
        let run = faultAroundRun(page, frame: frame, writable: writable)
        let first = FrameNumber(rawValue: frame.rawValue &- (page - run.lowerBound))
        HostMapping.map(page: run.lowerBound, count: run.count, frame: first, writable: writable,
                        fd: memory.physical.fd, populate: populate)
        hostCalls += 1
        hostRuns.append(HostRun(start: run.lowerBound, count: UInt32(run.count)))
        for q in run {
            var e = table[q]
            if e.flags.contains(.writable) { watchShown?.append(q) }
            e.flags.insert(.inHost)
            if writable { e.flags.insert(.hostWritable) } else { e.flags.remove(.hostWritable) }
            table[q] = e
        }
    }

    /// Withdraws `count` pages from `first` from the host (they need not all be shown).
    func withdrawFromHost(_ first: UInt32, count: Int) {
        HostMapping.withdraw(page: first, count: count)
        hostCalls += 1
        for q in first..<first + UInt32(count) {
            var e = table[q]
            guard e.flags.contains(.inHost) else { continue }
            e.flags.subtract([.inHost, .hostWritable])
            table[q] = e
        }
    }

    /// Withdraws every page the host shows for this space, one call per contiguous run.
    func withdrawAllFromHost() {
        forEachShownRun { start, count in
            HostMapping.withdraw(page: start, count: count)
            for q in start..<start + UInt32(count) {
                var e = table[q]
                e.flags.subtract([.inHost, .hostWritable])
                table[q] = e
            }
        }
        hostRuns.removeAll(keepingCapacity: true)
        hostCalls = 0
        if watchShown != nil { watchShown = [] }
    }

    /// Makes every page the host shows writable read-only there (fork turns them copy-on-write),
    /// one call per contiguous run; read-only pages stay shown.
    func downgradeHostWritable() {
        forEachShownRun { start, count in
            var runStart: UInt32? = nil
            for q in start...start + UInt32(count) {
                let e = q < start + UInt32(count) ? table[q] : .empty
                if e.flags.contains(.hostWritable) {
                    if runStart == nil { runStart = q }
                    table[q].flags.remove(.hostWritable)
                } else if let s = runStart {
                    HostMapping.protectReadOnly(page: s, count: Int(q - s))
                    hostCalls += 1
                    runStart = nil
                }
            }
        }
    }

    /// Calls `body` for each maximal run of pages covered by `hostRuns`, in page order.
    func forEachShownRun(_ body: (UInt32, Int) -> Void) {
        guard !hostRuns.isEmpty else { return }
        hostRuns.sort { $0.start < $1.start }
        var current = hostRuns[0]
        for r in hostRuns.dropFirst() {
            if r.start <= current.end {
                current.count = max(current.end, r.end) - current.start
            } else {
                body(current.start, Int(current.count))
                current = r
            }
        }
        body(current.start, Int(current.count))
    }
}

extension PageTableEntry {
    /// How a fault shows the page: writable only when writes need no copy or fill first.
    var mapsWritable: Bool {
        flags.contains(.writable) && flags.isDisjoint(with: [.copyOnWrite, .zeroFill])
    }
}
