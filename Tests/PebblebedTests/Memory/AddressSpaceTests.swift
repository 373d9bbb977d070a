import Testing
@testable import Pebblebed

/// AddressSpace bookkeeping in process: page tables, reservations, fork, COW and ZFOD through
/// the kernel's own write path (resolveWrite), checked against the frame audit. No space here
/// is ever active, so nothing touches the host's guest range. They share the global `memory`,
/// hence serialized (and nothing else in the test process may use it).
extension InProcessKernel {
@Suite(.serialized) struct AddressSpaceTests {
    static let base: UInt32 = 0x4000_0000
    static let page0 = base >> pageShift

    /// A fresh machine memory of `frames` frames for one test.
    @discardableResult
    func freshMemory(frames: Int = 64) throws -> Memory {
        memory = try Memory(bytes: frames * pageSize)
        return memory
    }

    func expectClean(_ spaces: [AddressSpace], _ where_: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        let a = FrameAudit(spaces: spaces, pool: memory.pool, active: nil)
        #expect(a.isClean, "\(where_): \(a.problems)", sourceLocation: sourceLocation)
    }

    func presentCount(_ s: AddressSpace) -> Int {
        var n = 0
        s.table.forEachPresent { _, _ in n += 1 }
        return n
    }

    /// A private writable page with a frame of its own, as the loader makes data pages.
    func mapPrivate(_ s: AddressSpace, _ page: UInt32, fill: UInt8) throws {
        try memory.pool.reserve(1)
        let f = memory.pool.allocateReserved()
        [UInt8](repeating: fill, count: pageSize).withUnsafeBytes { memory.physical.write(f, offset: 0, $0) }
        s.mapFrame(page, frame: f, writable: true)
    }

    func byte(_ s: AddressSpace, _ address: UInt32) throws -> UInt8 { try s.copyIn(address, count: 1)[0] }

    // MARK: new_pages and remove_pages

    @Test func newPagesErrorCasesChangeNothing() throws {
        try freshMemory()
        let s = AddressSpace()
        try s.newPages(base: Self.base, length: 2 * 4096)
        let reserved = memory.pool.reserved
        let cases: [(UInt32, Int32, PebblesError)] = [
            (Self.base + 1, 4096, .invalidArgument),            // unaligned base
            (Self.base + 0x10000, 0, .invalidArgument),         // empty
            (Self.base + 0x10000, -4096, .invalidArgument),     // negative
            (Self.base + 0x10000, Int32.min, .invalidArgument),
            (Self.base + 0x10000, 4097, .invalidArgument),      // not whole pages
            (0x0080_0000, 4096, .badAddress),                   // kernel memory
            (0x00FF_F000, 8192, .badAddress),                   // straddles USER_MEM_START
            (0, 4096, .badAddress),
            (0xFFFF_F000, 8192, .badAddress),                   // wraps past 4 GiB
            (0xC000_0000, 0x7FFF_F000, .badAddress),
            (Self.base, 4096, .busy),                           // overlaps: same start
            (Self.base + 4096, 4096, .busy),                    // inside
            (Self.base - 4096, 8192, .busy),                    // overlaps the start
            (Self.base - 4096, 4 * 4096, .busy),                // covers it
            (Self.base + 0x10000, 64 * 4096, .noMemory),        // more than the machine has
        ]
        for (b, l, e) in cases {
            #expect(throws: e, "new_pages(\(hex(b)), \(l))") { try s.newPages(base: b, length: l) }
            #expect(memory.pool.reserved == reserved)
            #expect(presentCount(s) == 2)
        }
        #expect(s.regions.count == 1)
        expectClean([s])
    }

    @Test func newPagesAtTheTopOfMemoryIsAllowed() throws {
        try freshMemory()
        let s = AddressSpace()
        try s.newPages(base: 0xFFFF_E000, length: 8192)
        #expect(s[0xFFFFF].isPresent)
        try s.removePages(base: 0xFFFF_E000)
        expectClean([s])
    }

    @Test func newPagesReservesAndReadsZeroWithoutFrames() throws {
        try freshMemory(frames: 32)
        let s = AddressSpace()
        try s.newPages(base: Self.base, length: 10 * 4096)
        #expect(memory.pool.reserved == 10)
        #expect(memory.pool.usedCount == 1)
        #expect(try s.copyIn(Self.base, count: 10 * 4096).allSatisfy { $0 == 0 })
        #expect(memory.pool.usedCount == 1, "reading zero-fill pages allocates nothing")
        expectClean([s])
    }

    @Test func removePagesErrorsAndReturnsEverything() throws {
        try freshMemory()
        let s = AddressSpace()
        try s.newPages(base: Self.base, length: 4 * 4096)
        try s.copyOut([1, 2, 3], to: Self.base + 4096 - 1)   // two frames now
        #expect(memory.pool.usedCount == 3)
        for bad: UInt32 in [Self.base + 4096, Self.base + 1, Self.base - 4096, 0x5000_0000, 0] {
            #expect(throws: PebblesError.invalidArgument, "remove_pages(\(hex(bad)))") { try s.removePages(base: bad) }
        }
        #expect(presentCount(s) == 4)
        try s.removePages(base: Self.base)
        #expect(throws: PebblesError.invalidArgument) { try s.removePages(base: Self.base) }
        #expect(presentCount(s) == 0)
        #expect(memory.pool.usedCount == 1 && memory.pool.reserved == 0)
        expectClean([s])
    }

    @Test func removePagesDoesNotTouchLoaderPages() throws {
        try freshMemory()
        let s = AddressSpace()
        try mapPrivate(s, Self.page0, fill: 7)
        #expect(throws: PebblesError.invalidArgument) { try s.removePages(base: Self.base) }
        #expect(try byte(s, Self.base) == 7)
    }

    @Test func exhaustionThenFreeThenAllocateAgain() throws {
        try freshMemory(frames: 40)
        let s = AddressSpace()
        var bases: [UInt32] = []
        var b = Self.base
        while (try? s.newPages(base: b, length: 4 * 4096)) != nil {
            bases.append(b)
            b += 0x10000
        }
        #expect(bases.count == 9)              // 39 free frames, 4 at a time
        for a in bases { try s.copyOut([UInt8](repeating: 9, count: 4 * 4096), to: a) }   // every promise kept
        #expect(memory.pool.available == 3)
        try s.removePages(base: bases[0])
        try s.newPages(base: 0x7000_0000, length: 7 * 4096)
        try s.copyOut([UInt8](repeating: 1, count: 7 * 4096), to: 0x7000_0000)
        #expect(try s.copyIn(0x7000_0000, count: 7 * 4096).allSatisfy { $0 == 1 })
        expectClean([s])
        s.destroy()
        #expect(memory.pool.usedCount == 1 && memory.pool.reserved == 0)
    }

    // MARK: fork, COW, ZFOD

    @Test func forkSharesFramesAndCopiesOnWrite() throws {
        try freshMemory()
        let parent = AddressSpace()
        try mapPrivate(parent, Self.page0, fill: 0xAA)                     // data
        try memory.pool.reserve(1)
        let text = memory.pool.allocateReserved()
        parent.mapFrame(Self.page0 + 1, frame: text, writable: false)     // text
        try parent.newPages(base: Self.base + 0x10000, length: 4096)       // ZFOD
        let dataFrame = parent[Self.page0].frame
        let child = try parent.forkCopy()
        expectClean([parent, child], "after fork")
        #expect(memory.pool.references(dataFrame) == 2)
        #expect(memory.pool.references(text) == 2)
        #expect(memory.pool.reserved == 3, "one COW copy, two zero-fill pages")
        #expect(parent[Self.page0].flags.contains(.copyOnWrite) && child[Self.page0].flags.contains(.copyOnWrite))
        #expect(!child[Self.page0 + 1].flags.contains(.copyOnWrite))

        try child.copyOut([0xCC], to: Self.base)                          // child copies
        #expect(child[Self.page0].frame != dataFrame)
        #expect(try byte(child, Self.base) == 0xCC && byte(child, Self.base + 1) == 0xAA)
        #expect(try byte(parent, Self.base) == 0xAA)
        expectClean([parent, child], "after the child's copy")

        try parent.copyOut([0xBB], to: Self.base)                         // parent takes over
        #expect(parent[Self.page0].frame == dataFrame)
        #expect(!parent[Self.page0].flags.contains(.copyOnWrite))
        #expect(try byte(child, Self.base) == 0xCC)
        expectClean([parent, child], "after the parent's takeover")

        try child.copyOut([5], to: Self.base + 0x10000)                   // child's ZFOD page
        #expect(try byte(parent, Self.base + 0x10000) == 0)
        #expect(throws: PebblesError.badAddress) { try child.copyOut([1], to: Self.base + 4096) }
        expectClean([parent, child], "after the child's zero fill")
        child.destroy()
        expectClean([parent], "after the child's exit")
        parent.destroy()
        #expect(memory.pool.usedCount == 1 && memory.pool.reserved == 0)
    }

    @Test func lastSharerOfAForkChainTakesTheFrameOver() throws {
        try freshMemory()
        let a = AddressSpace()
        try mapPrivate(a, Self.page0, fill: 1)
        let f = a[Self.page0].frame
        let b = try a.forkCopy()
        let c = try b.forkCopy()
        #expect(memory.pool.references(f) == 3 && memory.pool.reserved == 2)
        expectClean([a, b, c])
        a.destroy()
        b.destroy()
        expectClean([c], "one sharer left")
        #expect(memory.pool.reserved == 0)
        try c.copyOut([2], to: Self.base)
        #expect(c[Self.page0].frame == f, "no copy for the last sharer")
        expectClean([c])
    }

    @Test func forkRefusedWhenItCannotReserveThenEveryLaterWriteSucceeds() throws {
        try freshMemory(frames: 64)
        let parent = AddressSpace()
        try parent.newPages(base: Self.base, length: 40 * 4096)
        try parent.copyOut([UInt8](repeating: 3, count: 40 * 4096), to: Self.base)
        let before = (memory.pool.reserved, memory.pool.usedCount)
        #expect(throws: PebblesError.noMemory) { _ = try parent.forkCopy() }
        #expect((memory.pool.reserved, memory.pool.usedCount) == before)
        #expect(!parent[Self.page0].flags.contains(.copyOnWrite))
        expectClean([parent], "after the refused fork")

        try parent.removePages(base: Self.base)
        try parent.newPages(base: Self.base, length: 30 * 4096)
        try parent.copyOut([UInt8](repeating: 4, count: 30 * 4096), to: Self.base)
        let child = try parent.forkCopy()
        #expect(memory.pool.available == 3)
        // Nothing else can be had now, yet every copy-on-write write on both sides succeeds.
        #expect(throws: PebblesError.noMemory) { try child.newPages(base: 0x7000_0000, length: 4 * 4096) }
        try child.copyOut([UInt8](repeating: 5, count: 30 * 4096), to: Self.base)
        try parent.copyOut([UInt8](repeating: 6, count: 30 * 4096), to: Self.base)
        #expect(try child.copyIn(Self.base, count: 30 * 4096).allSatisfy { $0 == 5 })
        #expect(try parent.copyIn(Self.base, count: 30 * 4096).allSatisfy { $0 == 6 })
        expectClean([parent, child])
        #expect(memory.pool.reserved == 0)
    }

    @Test func copiedPagesGetConsecutiveFrames() throws {
        try freshMemory(frames: 64)
        let parent = AddressSpace()
        try parent.newPages(base: Self.base, length: 8 * 4096)
        try parent.copyOut([UInt8](repeating: 1, count: 8 * 4096), to: Self.base)
        // Make the free frames scattered: allocate and free every other one.
        let scatter = try (0..<10).map { _ in try memory.pool.allocate() }
        for f in scatter.enumerated() where f.offset % 2 == 0 { memory.pool.release(f.element) }
        let child = try parent.forkCopy()
        for q in Self.page0..<Self.page0 + 2 {       // the fault path: isolated, then sequential
            child.privatize(q)
            child.copyAround(q)
        }
        let frames = (2..<8).map { child[Self.page0 + UInt32($0)].frame.rawValue }
        for (a, b) in zip(frames, frames.dropFirst()) { #expect(b == a + 1, "\(frames)") }
        try child.copyOut([UInt8](repeating: 2, count: 8 * 4096), to: Self.base)
        #expect(try parent.copyIn(Self.base, count: 8 * 4096).allSatisfy { $0 == 1 })
        for f in scatter.enumerated() where f.offset % 2 == 1 { memory.pool.release(f.element) }
        expectClean([parent, child])
    }

    // MARK: copy-in and copy-out

    @Test func copyValidationRejectsBadPointers() throws {
        try freshMemory()
        let s = AddressSpace()
        try s.newPages(base: Self.base, length: 2 * 4096)
        try memory.pool.reserve(1)
        s.mapFrame(Self.page0 + 2, frame: memory.pool.allocateReserved(), writable: false)
        let used = memory.pool.usedCount
        #expect(throws: PebblesError.badAddress) { _ = try s.copyIn(Self.base + 3 * 4096, count: 1) }
        #expect(throws: PebblesError.badAddress) { _ = try s.copyIn(Self.base + 3 * 4096 - 2, count: 4) }
        #expect(throws: PebblesError.badAddress) { _ = try s.copyIn(0x0080_0000, count: 4) }
        #expect(throws: PebblesError.badAddress) { _ = try s.copyIn(0xFFFF_FFFF, count: 2) }
        #expect(throws: PebblesError.badAddress) { try s.copyOut([1, 2], to: Self.base + 2 * 4096 - 1) }
        #expect(memory.pool.usedCount == used, "a refused write privatizes nothing")
        #expect(try s.copyIn(Self.base + 2 * 4096 - 2, count: 4) == [0, 0, 0, 0])
        #expect(try s.copyIn(0, count: 0) == [])
        #expect(throws: PebblesError.invalidArgument) { _ = try s.copyIn(Self.base, count: -1) }
    }

    /// readWord reads straight into a word (no array): little-endian, across a page end, and
    /// refused, changing nothing, where copyIn of the same four bytes is refused.
    @Test func readWordAcrossAPageEndAndAtHoles() throws {
        try freshMemory()
        let s = AddressSpace()
        try s.newPages(base: Self.base, length: 2 * 4096)
        try s.copyOut([0x11, 0x22, 0x33, 0x44, 0x55], to: Self.base + 4096 - 2)
        #expect(try s.readWord(Self.base + 4096 - 2) == 0x4433_2211)
        #expect(try s.readWord(Self.base + 4096 - 1) == 0x5544_3322)
        #expect(try s.readWord(Self.base + 4096 - 2) == littleEndianWords(try s.copyIn(Self.base + 4096 - 2, count: 4))[0])
        let used = memory.pool.usedCount
        #expect(try s.readWord(Self.base + 2 * 4096 - 4) == 0, "zero-fill reads zero")
        #expect(memory.pool.usedCount == used, "a read fills nothing")
        #expect(throws: PebblesError.badAddress) { _ = try s.readWord(Self.base + 2 * 4096 - 2) }
        #expect(throws: PebblesError.badAddress) { _ = try s.readWord(0xFFFF_FFFE) }
    }

    @Test func readStringStopsAtNulLimitAndHoles() throws {
        try freshMemory()
        let s = AddressSpace()
        try s.newPages(base: Self.base, length: 2 * 4096)
        try s.copyOut(Array("hello".utf8) + [0], to: Self.base + 4096 - 3)
        #expect(try s.readString(Self.base + 4096 - 3, limit: 10) == Array("hello".utf8))
        #expect(throws: PebblesError.argumentsTooLong) { _ = try s.readString(Self.base + 4096 - 3, limit: 4) }
        try s.copyOut([UInt8](repeating: 65, count: 8), to: Self.base + 2 * 4096 - 8)
        #expect(throws: PebblesError.badAddress) { _ = try s.readString(Self.base + 2 * 4096 - 8, limit: 100) }
        #expect(throws: PebblesError.badAddress) { _ = try s.readString(0x10, limit: 100) }
    }

    // MARK: fault-around and frame hints

    @Test func faultAroundCoversConsecutiveFramesOfTheSameProtection() throws {
        try freshMemory(frames: 128)
        let s = AddressSpace()
        try s.newPages(base: Self.base, length: 50 * 4096)
        try s.copyOut([UInt8](repeating: 1, count: 50 * 4096), to: Self.base)
        let p = Self.page0
        for i in 0..<49 { #expect(s[p + UInt32(i) + 1].frame.rawValue == s[p + UInt32(i)].frame.rawValue + 1) }
        let mid = p + 25
        #expect(s.faultAroundRun(mid, frame: s[mid].frame, writable: true) == (mid - 16)...(mid + 16))
        #expect(s.faultAroundRun(mid, frame: s[mid].frame, writable: false) == mid...mid, "protection differs")
        #expect(s.faultAroundRun(p, frame: s[p].frame, writable: true) == p...(p + 16), "no page below the region")
        try s.removePages(base: Self.base)
        expectClean([s])
    }

    @Test func faultAroundStopsAtShownPagesForeignFramesAndZeroFill() throws {
        try freshMemory(frames: 64)
        let s = AddressSpace()
        try memory.pool.reserve(12)
        let frames = (0..<12).map { _ in memory.pool.allocateReserved() }
        let p = Self.page0
        for i in 0..<10 { s.mapFrame(p + UInt32(i), frame: frames[i], writable: true) }
        s.mapFrame(p + 10, frame: frames[11], writable: true)            // frame does not follow
        s.mapZeroFill(p - 1)
        try memory.pool.reserve(1)
        s.table[p + 7].flags.insert(.inHost)
        #expect(s.faultAroundRun(p + 3, frame: frames[3], writable: true) == p...(p + 6))
        #expect(s.faultAroundRun(p + 8, frame: frames[8], writable: true) == (p + 8)...(p + 9))
        #expect(s.faultAroundRun(p - 1, frame: .zero, writable: false) == (p - 1)...(p - 1))
        s.table[p + 7].flags.remove(.inHost)
        memory.pool.release(frames[10])
        expectClean([s])
    }

    @Test func zeroFillWriteFillsItsBlockWithConsecutiveFrames() throws {
        try freshMemory(frames: 64)
        let s = AddressSpace()
        let p = Self.page0
        // Scattered free frames below: the block must still get a row of its own.
        let scatter = try (0..<10).map { _ in try memory.pool.allocate() }
        for f in scatter.enumerated() where f.offset % 2 == 0 { memory.pool.release(f.element) }
        defer { for f in scatter.enumerated() where f.offset % 2 == 1 { memory.pool.release(f.element) } }
        try s.newPages(base: Self.base, length: 20 * 4096)
        s.table[p + 9].flags.insert(.inHost)        // shown (zero frame): must stay zero-fill
        let reserved = memory.pool.reserved
        s.fillAround(p + 5)
        for i: UInt32 in 0..<16 where i != 9 {
            #expect(!s[p + i].flags.contains(.zeroFill), "page \(i)")
        }
        #expect(s[p + 9].flags.contains(.zeroFill))
        #expect(s[p + 16].flags.contains(.zeroFill), "outside the block")
        for i: UInt32 in 0..<8 { #expect(s[p + i + 1].frame.rawValue == s[p + i].frame.rawValue + 1) }
        #expect(memory.pool.reserved == reserved - 15, "promises spent, none added")
        #expect(try s.copyIn(Self.base, count: 20 * 4096).allSatisfy { $0 == 0 })
        #expect(s.faultAroundRun(p + 5, frame: s[p + 5].frame, writable: true) == p...(p + 8))
        s.table[p + 9].flags.remove(.inHost)
    }

    @Test func copyOnWriteFaultTakesOverUnsharedNeighbours() throws {
        try freshMemory(frames: 64)
        let parent = AddressSpace()
        let p = Self.page0
        try parent.newPages(base: Self.base, length: 20 * 4096)
        try parent.copyOut([UInt8](repeating: 1, count: 20 * 4096), to: Self.base)
        let child = try parent.forkCopy()
        try child.copyOut([3], to: Self.base + 6 * 4096)      // the parent's page 6 is unshared again
        let reserved = memory.pool.reserved
        parent.takeOverAround(p + 1)
        #expect(!parent[p + 6].flags.contains(.copyOnWrite), "sole sharer: taken over")
        #expect(parent[p + 5].flags.contains(.copyOnWrite), "still shared with the child")
        #expect(parent[p + 1].flags.contains(.copyOnWrite), "the faulting page is left to privatize")
        #expect(parent[p + 16].flags.contains(.copyOnWrite), "outside the block")
        #expect(memory.pool.reserved == reserved)
        expectClean([parent, child])
        child.destroy()
        parent.takeOverAround(p + 17)
        for i: UInt32 in 16..<20 where i != 17 { #expect(!parent[p + i].flags.contains(.copyOnWrite)) }
        expectClean([parent])
    }

    @Test func sequentialCopyFaultsCopyTheRestOfTheBlock() throws {
        try freshMemory(frames: 96)
        let parent = AddressSpace()
        let p = Self.page0
        try parent.newPages(base: Self.base, length: 32 * 4096)
        try parent.copyOut((0..<32 * 4096).map { UInt8(truncatingIfNeeded: $0 / 4096) }, to: Self.base)
        func fault(_ s: AddressSpace, _ q: UInt32) { _ = s.privatize(q); s.copyAround(q) }
        func contentsKept(_ s: AddressSpace) throws {
            for i: UInt32 in 0..<32 { #expect(try byte(s, Self.base + i * 4096 + 7) == UInt8(i)) }
        }
        let child = try parent.forkCopy()
        child.table[p + 9].flags.insert(.inHost)     // shown: must stay shared
        fault(child, p + 4)                          // an isolated fault copies one page
        #expect(child[p + 5].flags.contains(.copyOnWrite))
        fault(child, p + 5)                          // continues 4: copies 6..15 but 9
        for i: UInt32 in 6..<16 { #expect(child[p + i].flags.contains(.copyOnWrite) == (i == 9), "page \(i)") }
        #expect(child[p + 16].flags.contains(.copyOnWrite), "outside the block")
        fault(child, p + 16)                         // continues the block copied up to 15
        for i: UInt32 in 17..<32 { #expect(!child[p + i].flags.contains(.copyOnWrite), "page \(i)") }
        child.table[p + 9].flags.remove(.inHost)
        try contentsKept(child)
        expectClean([parent, child])
        child.destroy()

        let other = try parent.forkCopy()
        fault(other, p + 20)                         // isolated
        #expect(other[p + 19].flags.contains(.copyOnWrite) && other[p + 21].flags.contains(.copyOnWrite))
        fault(other, p + 19)                         // continues 20 downwards: copies 16..18
        for i: UInt32 in 16..<20 { #expect(!other[p + i].flags.contains(.copyOnWrite), "page \(i)") }
        #expect(other[p + 21].flags.contains(.copyOnWrite))
        try contentsKept(other)
        expectClean([parent, other])
        parent.destroy()
        expectClean([other])
    }

    /// Only the refusals: a resolved fault maps into the host's guest range, which the test
    /// process does not have (the guest programs cover those).
    @Test func faultsTheTableDoesNotAllowAreViolations() throws {
        try freshMemory()
        let s = AddressSpace()
        try memory.pool.reserve(1)
        s.mapFrame(Self.page0, frame: memory.pool.allocateReserved(), writable: false)
        try s.newPages(base: Self.base + 4096, length: 4096)
        #expect(s.handleFault(at: Self.base + 2 * 4096, write: false) == .violation, "no page")
        #expect(s.handleFault(at: Self.base + 5, write: true) == .violation, "read-only page")
        #expect(s.handleFault(at: 0x0080_0000, write: false) == .violation, "kernel memory")
        s.table[Self.page0].flags.insert(.inHost)
        #expect(s.handleFault(at: Self.base, write: false) == .violation, "readable and shown already")
        s.table[Self.page0].flags.remove(.inHost)
        s.table[Self.page0 + 1].flags.formUnion([.inHost, .hostWritable])
        #expect(s.handleFault(at: Self.base + 4096, write: true) == .violation, "writable and shown writable")
        s.table[Self.page0 + 1].flags.subtract([.inHost, .hostWritable])
        #expect(s[Self.page0 + 1].flags.contains(.zeroFill), "a refused fault changes nothing")
        expectClean([s])
    }

    @Test func shownRunsMergeOverlappingAndAdjacentOnes() throws {
        try freshMemory()
        let s = AddressSpace()
        s.hostRuns = [HostRun(start: 50, count: 3), HostRun(start: 10, count: 5), HostRun(start: 12, count: 2),
                      HostRun(start: 15, count: 1), HostRun(start: 53, count: 4), HostRun(start: 30, count: 1)]
        var runs: [[Int]] = []
        s.forEachShownRun { runs.append([Int($0), $1]) }
        #expect(runs == [[10, 6], [30, 1], [50, 7]])
        s.hostRuns = []
    }

    @Test func frameHintContinuesTheNeighbour() throws {
        try freshMemory()
        let s = AddressSpace()
        #expect(s.frameHint(Self.page0) == nil)
        let before = try (0..<5).map { _ in try memory.pool.allocate() }
        try mapPrivate(s, Self.page0 + 5, fill: 0)
        let f = s[Self.page0 + 5].frame.rawValue
        #expect(f > 1)
        for b in before { memory.pool.release(b) }
        #expect(s.frameHint(Self.page0 + 6) == FrameNumber(rawValue: f + 1))
        #expect(s.frameHint(Self.page0 + 4) == FrameNumber(rawValue: f - 1))
    }

    // MARK: the audit itself

    @Test func auditCatchesLeaksRefcountsAndReservations() throws {
        try freshMemory()
        let s = AddressSpace()
        try mapPrivate(s, Self.page0, fill: 0)
        expectClean([s])
        let stray = try memory.pool.allocate()
        #expect(!FrameAudit(spaces: [s], pool: memory.pool, active: nil).isClean, "leaked frame")
        memory.pool.release(stray)
        memory.pool.retain(s[Self.page0].frame)
        #expect(!FrameAudit(spaces: [s], pool: memory.pool, active: nil).isClean, "refcount too high")
        memory.pool.release(s[Self.page0].frame)
        try memory.pool.reserve(1)
        #expect(!FrameAudit(spaces: [s], pool: memory.pool, active: nil).isClean, "stray reservation")
        memory.pool.unreserve(1)
        s.table[Self.page0].flags.insert(.inHost)
        #expect(!FrameAudit(spaces: [s], pool: memory.pool, active: nil).isClean, "inactive space shown")
        s.table[Self.page0].flags.remove(.inHost)
        expectClean([s])
    }
}
}
