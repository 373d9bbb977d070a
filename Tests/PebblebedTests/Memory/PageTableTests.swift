import Testing
@testable import Pebblebed

@Suite struct PageTableTests {
    static func entry(_ frame: UInt32, _ flags: PageTableEntry.Flags = [.present]) -> PageTableEntry {
        PageTableEntry(frame: FrameNumber(rawValue: frame), flags: flags)
    }

    @Test func absentPagesReadAsEmpty() {
        let t = PageTable()
        #expect(!t[0x1000].isPresent)
        #expect(!t[0xFFFFF].isPresent)
    }

    @Test func setAndGetAcrossDirectorySlots() {
        var t = PageTable()
        t[0x1000] = Self.entry(5)
        t[0x13FF] = Self.entry(6, [.present, .writable])
        t[0xFFFFF] = Self.entry(7)
        #expect(t[0x1000].frame.rawValue == 5)
        #expect(t[0x13FF].flags.contains(.writable))
        #expect(t[0xFFFFF].frame.rawValue == 7)
        #expect(!t[0x1001].isPresent)
    }

    @Test func forEachPresentVisitsInPageOrderAndSkipsRemoved() {
        var t = PageTable()
        for p: UInt32 in [0xFFFFF, 0x1000, 0x5432, 0x1001] { t[p] = Self.entry(p) }
        t[0x5432] = .empty
        var seen: [UInt32] = []
        t.forEachPresent { p, e in
            #expect(e.frame.rawValue == p)
            seen.append(p)
        }
        #expect(seen == [0x1000, 0x1001, 0xFFFFF])
    }

    @Test func storingAnEmptyEntryInAnAbsentLeafCreatesNothing() {
        var t = PageTable()
        t[0x2000] = .empty
        var n = 0
        t.forEachPresent { _, _ in n += 1 }
        #expect(n == 0)
    }

    @Test func copiesAreIndependent() {
        var a = PageTable()
        a[0x1000] = Self.entry(1)
        var b = a
        b[0x1000] = Self.entry(2)
        b[0x1001] = Self.entry(3)
        a[0x1002] = Self.entry(4)
        #expect(a[0x1000].frame.rawValue == 1 && !a[0x1001].isPresent)
        #expect(b[0x1000].frame.rawValue == 2 && !b[0x1002].isPresent)
    }
}
