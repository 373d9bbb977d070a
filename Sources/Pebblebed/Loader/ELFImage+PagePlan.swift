/// Turning segments into pages.
///
/// Segments need not start or end on page boundaries, and two segments may share a page: older
/// Pebbles toolchains put the data segment mid-page right after the text. So the plan is built
/// page by page, each page collecting the protection and the file bytes of every segment that
/// touches it.
///
/// Overlaps: segments are applied in program-header order, as if each one were copied into
/// memory over the ones before it. Where two segments cover the same address, the later one
/// wins for that byte, both for file bytes and for its zero fill; protections still combine.
extension ELFImage {
    /// Every page some segment touches, in address order.
    public func pagePlan() -> [PagePlan] {
        var drafts: [UInt32: PageDraft] = [:]
        for segment in segments where segment.memorySize > 0 {
            Self.apply(segment, to: &drafts)
        }
        return drafts.keys.sorted().map { drafts[$0]!.plan(page: $0) }
    }

    /// The 4096 bytes a planned page starts with: zeros overlaid with its copies.
    public func contents(of plan: PagePlan) -> [UInt8] {
        var page = [UInt8](repeating: 0, count: PagePlan.size)
        for copy in plan.copies {
            page[copy.pageOffset ..< copy.pageEnd] = bytes[copy.fileOffset ..< copy.fileOffset + copy.length]
        }
        return page
    }

    /// Walks the pages of one segment. Addresses are 64-bit so a segment ending exactly at
    /// 2^32 needs no special case.
    static func apply(_ segment: Segment, to drafts: inout [UInt32: PageDraft]) {
        let pageSize = UInt64(PagePlan.size)
        let start = UInt64(segment.virtualAddress)
        var page = start & ~(pageSize - 1)
        while page < segment.memoryEnd {
            let (covered, fileBacked) = share(of: segment, inPageAt: page)
            // The first page starts before the segment, so go through Int: page - start may be negative.
            let fileOffset = Int(segment.fileOffset) + Int(page) + fileBacked.lowerBound - Int(start)
            drafts[UInt32(page), default: PageDraft()].overlay(
                covered: covered, fileBacked: fileBacked, fileOffset: fileOffset, protection: segment.protection)
            page += pageSize
        }
    }

    /// The page offsets of the page at `page` that the segment covers, and the part of those
    /// that comes from its file bytes (always a prefix: file bytes precede the zero fill).
    static func share(of segment: Segment, inPageAt page: UInt64) -> (covered: Range<Int>, fileBacked: Range<Int>) {
        let pageEnd = page + UInt64(PagePlan.size)
        let start = UInt64(segment.virtualAddress)
        let fileEnd = start + UInt64(segment.fileSize)
        let covered = Int(max(start, page) - page) ..< Int(min(segment.memoryEnd, pageEnd) - page)
        let fileTop = Int(min(max(fileEnd, page), pageEnd) - page)
        return (covered, covered.lowerBound ..< max(covered.lowerBound, fileTop))
    }
}

/// A page under construction: copies may still be cut by later segments.
struct PageDraft {
    var protection: PagePlan.Protection = []
    var copies: [PagePlan.Copy] = []

    /// One segment's share of this page: it covers `covered` (page offsets), of which
    /// `fileBacked` (a prefix) comes from the file at `fileOffset`; the rest is zero fill.
    mutating func overlay(covered: Range<Int>, fileBacked: Range<Int>, fileOffset: Int,
                          protection: PagePlan.Protection) {
        self.protection.formUnion(protection)
        erase(covered)
        if !fileBacked.isEmpty {
            copies.append(PagePlan.Copy(pageOffset: fileBacked.lowerBound, fileOffset: fileOffset,
                                        length: fileBacked.count))
        }
    }

    /// Cuts `range` out of the existing copies, keeping the parts on either side, so the
    /// later segment's bytes (or zeros) are what the page ends up with there.
    mutating func erase(_ range: Range<Int>) {
        copies = copies.flatMap { copy -> [PagePlan.Copy] in
            // Clamped into the copy, so a range that misses it leaves it whole.
            let before = copy.pageOffset ..< max(copy.pageOffset, min(copy.pageEnd, range.lowerBound))
            let after = min(copy.pageEnd, max(copy.pageOffset, range.upperBound)) ..< copy.pageEnd
            return [before, after].filter { !$0.isEmpty }.map { part in
                PagePlan.Copy(pageOffset: part.lowerBound, fileOffset: copy.fileOffset + part.lowerBound - copy.pageOffset,
                              length: part.count)
            }
        }
    }

    func plan(page: UInt32) -> PagePlan {
        PagePlan(page: page, protection: protection, copies: copies.sorted { $0.pageOffset < $1.pageOffset })
    }
}
