import Testing
@testable import Pebblebed

@Suite("ELFImage.parse accepts valid programs")
struct ELFImageParseTests {
    @Test func twoSegmentProgramYieldsItsSegmentsAndEntry() throws {
        let image = try ELFImage.parse(ELFBuilder.twoSegmentProgram().build())
        #expect(image.entry == 0x0100_0010)
        #expect(image.segments == [
            ELFImage.Segment(index: 0, virtualAddress: 0x0100_0000, memorySize: 0x1800,
                             fileOffset: 0x1000, fileSize: 0x1800, protection: [.read, .execute]),
            ELFImage.Segment(index: 1, virtualAddress: 0x0100_2000, memorySize: 0x3000,
                             fileOffset: 0x3000, fileSize: 0x600, protection: [.read, .write]),
        ])
    }

    @Test func nonLoadProgramHeadersAreSkippedButKeepTheirIndex() throws {
        var builder = ELFBuilder.twoSegmentProgram()
        // PT_NOTE (4) and PT_GNU_STACK (0x6474e551) appear in real gcc output.
        builder.segments.insert(.init(type: 4, virtualAddress: 0x0800_0000, memorySize: 0, flags: 4), at: 0)
        builder.segments.append(.init(type: 0x6474_e551, virtualAddress: 0, memorySize: 0, flags: 6))
        let image = try ELFImage.parse(builder.build())
        #expect(image.segments.map(\.index) == [1, 2])
    }

    @Test func segmentMayEndExactlyAtTheTopOfMemory() throws {
        let builder = ELFBuilder(entry: 0x0100_0000, segments: [
            .init(virtualAddress: 0x0100_0000, memorySize: 0x10, flags: ELFBuilder.rx, data: [0xc3]),
            .init(virtualAddress: 0xffff_f000, memorySize: 0x1000, flags: ELFBuilder.rw),
        ])
        let image = try ELFImage.parse(builder.build())
        #expect(image.segments[1].memoryEnd == 0x1_0000_0000)
    }

    @Test func largerProgramHeaderStrideIsHonoured() throws {
        // ELF allows e_phentsize > sizeof(Elf32_Phdr); entries are then found by stride.
        var builder = ELFBuilder.twoSegmentProgram()
        builder.programHeaderEntrySize = 32
        var file = builder.build()
        // Re-lay the two headers 48 bytes apart, with the table moved to the end of the file.
        let table = Array(file[52 ..< 52 + 64])
        let newOffset = file.count
        file += table[0 ..< 32] + [UInt8](repeating: 0xee, count: 16) + table[32 ..< 64] + [UInt8](repeating: 0xee, count: 16)
        ELFBuilder.patch32(&file, at: 28, UInt32(newOffset))
        ELFBuilder.patch16(&file, at: 42, 48)
        let image = try ELFImage.parse(file)
        #expect(image.segments.map(\.virtualAddress) == [0x0100_0000, 0x0100_2000])
    }

    @Test func entryMayBeInAnyExecutableSegment() throws {
        var builder = ELFBuilder.twoSegmentProgram()
        builder.segments[1].flags = 7 // RWX data, as old linkers sometimes emit
        builder.entry = 0x0100_2004
        #expect(try ELFImage.parse(builder.build()).entry == 0x0100_2004)
    }
}

@Suite("ByteReader bounds")
struct ByteReaderTests {
    @Test func readsLittleEndianFields() throws {
        let reader = ByteReader([0x78, 0x56, 0x34, 0x12, 0xff])
        let record = try #require(reader.record(at: 0, length: 5))
        #expect(record.u32(0) == 0x1234_5678)
        #expect(record.u16(3) == 0xff12) // low byte first
        #expect(record.u8(4) == 0xff)
    }

    @Test func refusesRecordsReachingPastTheEndOrWrapping() {
        let reader = ByteReader([UInt8](repeating: 0, count: 8))
        #expect(reader.record(at: 4, length: 4) != nil)
        #expect(reader.record(at: 5, length: 4) == nil)
        #expect(reader.record(at: -1, length: 2) == nil)
        #expect(reader.record(at: Int.max, length: 2) == nil)
    }

    @Test func cStringStopsAtTheLimit() {
        let reader = ByteReader(Array("ab\0cd".utf8))
        #expect(reader.cString(at: 0, limit: 5) == "ab")
        #expect(reader.cString(at: 3, limit: 5) == nil) // "cd" has no NUL before the limit
        #expect(reader.cString(at: 0, limit: 2) == nil)
        #expect(reader.cString(at: 0, limit: 9) == nil)
    }
}
