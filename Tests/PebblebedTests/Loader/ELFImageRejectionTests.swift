import Testing
@testable import Pebblebed

/// Each test breaks one thing in an otherwise valid program and checks both the error case and
/// the message a user of `pebblebed run` would read.
@Suite("ELFImage.parse rejects bad programs with a clear message")
struct ELFImageRejectionTests {
    /// The error `parse` throws, or nil when it accepts the file.
    func rejection(_ file: [UInt8]) -> LoaderError? {
        do {
            _ = try ELFImage.parse(file)
            return nil
        } catch {
            return error
        }
    }

    func rejection(_ change: (inout ELFBuilder) -> Void) -> LoaderError? {
        var builder = ELFBuilder.twoSegmentProgram()
        change(&builder)
        return rejection(builder.build())
    }

    @Test func theUnchangedProgramIsAccepted() {
        #expect(rejection { _ in } == nil)
    }

    @Test func notELF() {
        let error = rejection(Array("#!/bin/sh\necho hello\n".utf8))
        #expect(error == .notELF)
        #expect(error?.description == "is not an ELF file (its first bytes are not \\x7fELF)")
        #expect(rejection([]) == .notELF)
        #expect(rejection([0x7f, 0x45]) == .notELF)
    }

    @Test func sixtyFourBit() {
        #expect(rejection { $0.elfClass = 2 } == .sixtyFourBit)
        #expect(LoaderError.sixtyFourBit.description == "is a 64-bit ELF; Pebbles guests are 32-bit i386 programs")
        // Named as 64-bit even when too short to be a whole 32-bit header.
        #expect(rejection([0x7f, 0x45, 0x4c, 0x46, 2, 1]) == .sixtyFourBit)
    }

    @Test func unknownClass() {
        #expect(rejection { $0.elfClass = 0 } == .unknownClass(0))
    }

    @Test func bigEndian() {
        let error = rejection { $0.byteOrder = 2 }
        #expect(error == .notLittleEndian(2))
        #expect(error?.description == "is big-endian; Pebbles guests are little-endian i386 programs")
    }

    @Test func wrongMachine() {
        let error = rejection { $0.machine = 62 } // EM_X86_64
        #expect(error == .wrongMachine(62))
        #expect(error?.description == "is for machine type 62, not i386 (EM_386 = 3)")
    }

    @Test func notExecutable() {
        let error = rejection { $0.type = 3 }
        #expect(error == .notExecutable(type: 3))
        #expect(error?.description.hasPrefix("is not an executable (ELF type ET_DYN") == true)
        #expect(rejection { $0.type = 1 } == .notExecutable(type: 1))
    }

    @Test func truncatedHeader() {
        let file = Array(ELFBuilder.twoSegmentProgram().build().prefix(40))
        let error = rejection(file)
        #expect(error == .truncated(.elfHeader, needed: 52, fileSize: 40))
        #expect(error?.description == "is truncated: the 52-byte ELF header runs to byte 52, past the end of the file (40 bytes)")
    }

    @Test func truncatedProgramHeaderTable() {
        // Header plus one and a half program headers.
        let file = Array(ELFBuilder.twoSegmentProgram().build().prefix(52 + 48))
        let error = rejection(file)
        #expect(error == .truncated(.programHeaderTable, needed: 52 + 64, fileSize: 100))
        #expect(error?.description == "is truncated: the program header table runs to byte 116, past the end of the file (100 bytes)")
    }

    @Test func programHeaderTableOffsetPastTheEnd() {
        var file = ELFBuilder.twoSegmentProgram().build()
        ELFBuilder.patch32(&file, at: 28, 0xffff_fff0)
        #expect(rejection(file) == .truncated(.programHeaderTable, needed: 0xffff_fff0 + 64, fileSize: file.count))
    }

    @Test func programHeaderEntriesTooSmall() {
        #expect(rejection { $0.programHeaderEntrySize = 16 } == .badProgramHeaderEntrySize(16))
    }

    @Test func segmentDataPastEndOfFile() {
        let error = rejection { $0.segments[1].fileSizeOverride = 0x2000 }
        #expect(error == .truncated(.segmentData(index: 1), needed: 0x5000, fileSize: 0x3600))
        #expect(error?.description == "is truncated: the file data of segment 1 runs to byte 20480, past the end of the file (13824 bytes)")
    }

    @Test func segmentFileOffsetNearFourGiBDoesNotWrap() {
        // 0xfffff000 + 0x600 wraps in 32 bits; the check must still see it as past the end.
        var file = ELFBuilder.twoSegmentProgram().build()
        ELFBuilder.patch32(&file, at: 52 + 32 + 4, 0xffff_f000)
        #expect(rejection(file) == .truncated(.segmentData(index: 1), needed: 0xffff_f000 + 0x600, fileSize: file.count))
    }

    @Test func fileSizeLargerThanMemorySize() {
        let error = rejection { $0.segments[1].memorySize = 0x100 }
        #expect(error == .segmentFileSizeExceedsMemorySize(index: 1, fileSize: 0x600, memorySize: 0x100))
        #expect(error?.description == "segment 1 has more file bytes (0x00000600) than memory bytes (0x00000100)")
    }

    @Test func segmentBelowUserMemory() {
        // What today's binutils do with -Ttext=0x1000000: the ELF header segment at 0x00fff000.
        let error = rejection {
            $0.segments.insert(.init(virtualAddress: 0x00ff_f000, memorySize: 0x1000, flags: 4, fileOffset: 0), at: 0)
        }
        #expect(error == .segmentOutsideUserMemory(index: 0, start: 0x00ff_f000, end: 0x0100_0000))
        #expect(error?.description == "segment 0 at 0x00fff000-0x01000000 lies outside user memory [0x01000000, 0x100000000)")
    }

    @Test func segmentReachingIntoUserMemoryFromBelowIsStillOutside() {
        #expect(rejection { $0.segments[1].virtualAddress = 0x00ff_ff00 }
                == .segmentOutsideUserMemory(index: 1, start: 0x00ff_ff00, end: 0x0100_2f00))
    }

    @Test func segmentWrappingPastFourGiB() {
        let error = rejection { $0.segments[1].virtualAddress = 0xffff_f000 }
        #expect(error == .segmentWrapsAddressSpace(index: 1, start: 0xffff_f000, memorySize: 0x3000))
        #expect(error?.description == "segment 1 at 0xfffff000 with size 0x00003000 wraps past the end of the 4 GiB address space")
    }

    @Test func noLoadableSegment() {
        let error = rejection { builder in
            for index in builder.segments.indices { builder.segments[index].type = 4 }
        }
        #expect(error == .noLoadableSegment)
        #expect(error?.description == "has no loadable (PT_LOAD) segment")
        #expect(rejection { $0.segments = [] } == .noLoadableSegment)
    }

    @Test func dynamicallyLinked() {
        let error = rejection { $0.segments.insert(.init(type: 3, virtualAddress: 0, memorySize: 0, flags: 4), at: 0) }
        #expect(error == .dynamicallyLinked)
    }

    @Test func entryOutsideText() {
        let inData = rejection { $0.entry = 0x0100_2000 }
        #expect(inData == .entryNotExecutable(entry: 0x0100_2000))
        #expect(inData?.description == "has its entry point 0x01002000 outside every executable segment")
        #expect(rejection { $0.entry = 0x0100_1800 } == .entryNotExecutable(entry: 0x0100_1800)) // one past text
        #expect(rejection { $0.entry = 0 } == .entryNotExecutable(entry: 0))
    }
}
