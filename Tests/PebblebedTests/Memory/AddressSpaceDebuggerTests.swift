import Testing
@testable import Pebblebed

/// The debugger's reads and writes of guest memory (AddressSpace+Debugger.swift): reads change
/// nothing the guest could see, writes go to a frame of the written space only. In the
/// serialized AddressSpaceTests suite: they share the global `memory`.
extension InProcessKernel.AddressSpaceTests {
    @Test func debuggerReadLeavesZeroFillAndCopyOnWriteAlone() throws {
        try freshMemory()
        let s = AddressSpace()
        try memory.pool.reserve(1)
        s.mapZeroFill(Self.page0)
        try mapPrivate(s, Self.page0 + 1, fill: 0x5A)
        let child = try s.forkCopy()
        let used = memory.pool.usedCount
        #expect(s.debuggerRead(Self.base, count: 4) == [0, 0, 0, 0])
        #expect(child.debuggerRead(Self.base + UInt32(pageSize) - 2, count: 4) == [0, 0, 0x5A, 0x5A],
                "a read across two pages, the first never written")
        #expect(s[Self.page0].flags.contains(.zeroFill), "a read must not fill a zero-fill page")
        #expect(child[Self.page0 + 1].flags.contains(.copyOnWrite), "a read must not break COW sharing")
        #expect(memory.pool.references(child[Self.page0 + 1].frame) == 2)
        #expect(memory.pool.usedCount == used, "a read allocates nothing")
        #expect(s.debuggerRead(Self.base + 2 * UInt32(pageSize), count: 1) == nil, "no page: no bytes")
        expectClean([s, child], "after reads")
        child.destroy()
        s.destroy()
    }

    @Test func debuggerWriteToSharedReadOnlyTextIsPrivateToTheWrittenSpace() throws {
        try freshMemory()
        let parent = AddressSpace()
        try memory.pool.reserve(1)
        let f = memory.pool.allocateReserved()
        [UInt8](repeating: 0x90, count: pageSize).withUnsafeBytes { memory.physical.write(f, offset: 0, $0) }
        parent.mapFrame(Self.page0, frame: f, writable: false)   // text: read-only
        let child = try parent.forkCopy()
        #expect(memory.pool.references(f) == 2)
        try child.debuggerWrite([0xCC], at: Self.base + 16)
        #expect(child.debuggerRead(Self.base + 15, count: 3) == [0x90, 0xCC, 0x90])
        #expect(parent.debuggerRead(Self.base + 16, count: 1) == [0x90], "the parent shares no planted byte")
        #expect(!child[Self.page0].flags.contains(.writable), "the guest's protection is unchanged")
        #expect(child[Self.page0].frame != f && memory.pool.references(f) == 1)
        expectClean([parent, child], "after the write")
        // A second write to the now-private frame copies nothing more.
        let used = memory.pool.usedCount
        try child.debuggerWrite([0x90], at: Self.base + 16)
        #expect(memory.pool.usedCount == used)
        child.destroy()
        parent.destroy()
        expectClean([], "after both ended")
    }

    @Test func debuggerWriteToAWritableCopyOnWritePageCopiesIt() throws {
        try freshMemory()
        let parent = AddressSpace()
        try mapPrivate(parent, Self.page0, fill: 1)
        let child = try parent.forkCopy()
        try parent.debuggerWrite([7, 8], at: Self.base + UInt32(pageSize) - 1 - 1)
        #expect(parent.debuggerRead(Self.base + UInt32(pageSize) - 2, count: 2) == [7, 8])
        #expect(child.debuggerRead(Self.base + UInt32(pageSize) - 2, count: 2) == [1, 1])
        expectClean([parent, child], "after the write")
        child.destroy()
        parent.destroy()
    }

    @Test func debuggerWriteIntoAMissingPageWritesNothing() throws {
        try freshMemory()
        let s = AddressSpace()
        try mapPrivate(s, Self.page0, fill: 3)
        #expect(throws: PebblesError.badAddress) {
            try s.debuggerWrite([9, 9], at: Self.base + UInt32(pageSize) - 1)
        }
        #expect(s.debuggerRead(Self.base + UInt32(pageSize) - 1, count: 1) == [3], "nothing written")
        #expect(throws: PebblesError.badAddress) { try s.debuggerWrite([1], at: 0x10) }
        s.destroy()
    }
}
