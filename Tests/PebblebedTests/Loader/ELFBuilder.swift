/// Writes small ELF32 files byte by byte, so loader tests need no binaries on disk and each
/// test can state exactly the layout it exercises (and then break one field of it).
///
/// Layout: ELF header at 0, program headers right after it, then each segment's file bytes at
/// its `fileOffset` (or, when nil, appended at the next 16-byte boundary), then, if there are
/// symbols, .symtab, .strtab and the section header table. The header and program headers are
/// written last, so a segment placed at file offset 0 (as real text segments are) holds them.
struct ELFBuilder {
    struct Segment {
        var type: UInt32 = 1 // PT_LOAD
        var virtualAddress: UInt32
        var memorySize: UInt32
        var flags: UInt32 // PF_X 1, PF_W 2, PF_R 4
        var data: [UInt8] = []
        var fileOffset: Int? = nil
        /// Overrides p_filesz (default: data.count) to describe bytes the file does not hold.
        var fileSizeOverride: UInt32? = nil
    }

    struct Symbol {
        var name: String
        var value: UInt32
        var size: UInt32
        var info: UInt8 = 0x12 // STB_GLOBAL, STT_FUNC
        var sectionIndex: UInt16 = 1
    }

    /// Where the builder put the parts a test may want to damage.
    struct Layout {
        var sectionHeaderOffset = 0
        var symtabOffset = 0
        var strtabOffset = 0
    }

    static let rx: UInt32 = 5, rw: UInt32 = 6

    var elfClass: UInt8 = 1
    var byteOrder: UInt8 = 1
    var type: UInt16 = 2
    var machine: UInt16 = 3
    var entry: UInt32 = 0x0100_0000
    var programHeaderEntrySize: UInt16 = 32
    var segments: [Segment] = []
    /// nil: no section headers at all (a stripped file); empty: sections but no symbols.
    var symbols: [Symbol]? = nil

    func build() -> [UInt8] { buildWithLayout().bytes }

    func buildWithLayout() -> (bytes: [UInt8], layout: Layout) {
        var file = [UInt8](repeating: 0, count: 52 + 32 * segments.count)
        var offsets: [Int] = []
        for segment in segments {
            let offset = segment.fileOffset ?? (file.count + 15) / 16 * 16
            file.write(segment.data, at: offset)
            offsets.append(offset)
        }
        var layout = Layout()
        if let symbols { layout = appendSymbolSections(symbols, to: &file) }
        writeHeader(into: &file, sectionHeaderOffset: layout.sectionHeaderOffset, sectionCount: symbols == nil ? 0 : 3)
        for (index, segment) in segments.enumerated() {
            writeProgramHeader(segment, offset: offsets[index], into: &file, at: 52 + 32 * index)
        }
        return (file, layout)
    }

    private func writeHeader(into file: inout [UInt8], sectionHeaderOffset: Int, sectionCount: UInt16) {
        file.write([0x7f, 0x45, 0x4c, 0x46, elfClass, byteOrder, 1], at: 0)
        file.write16(type, at: 16)
        file.write16(machine, at: 18)
        file.write32(1, at: 20)
        file.write32(entry, at: 24)
        file.write32(52, at: 28)
        file.write32(UInt32(sectionHeaderOffset), at: 32)
        file.write16(52, at: 40)
        file.write16(programHeaderEntrySize, at: 42)
        file.write16(UInt16(segments.count), at: 44)
        file.write16(40, at: 46)
        file.write16(sectionCount, at: 48)
        file.write16(0, at: 50)
    }

    private func writeProgramHeader(_ segment: Segment, offset: Int, into file: inout [UInt8], at base: Int) {
        let fields: [UInt32] = [segment.type, UInt32(offset), segment.virtualAddress, segment.virtualAddress,
                      segment.fileSizeOverride ?? UInt32(segment.data.count), segment.memorySize,
                      segment.flags, 0x1000]
        for (index, value) in fields.enumerated() { file.write32(value, at: base + 4 * index) }
    }

    /// Section 0 is SHT_NULL, 1 is .symtab (linked to 2), 2 is .strtab.
    private func appendSymbolSections(_ symbols: [Symbol], to file: inout [UInt8]) -> Layout {
        var strtab: [UInt8] = [0]
        var symtab = [UInt8](repeating: 0, count: 16) // entry 0 is the null symbol
        for symbol in symbols {
            var entry = [UInt8](repeating: 0, count: 16)
            entry.write32(UInt32(strtab.count), at: 0)
            entry.write32(symbol.value, at: 4)
            entry.write32(symbol.size, at: 8)
            entry[12] = symbol.info
            entry.write16(symbol.sectionIndex, at: 14)
            symtab += entry
            strtab += Array(symbol.name.utf8) + [0]
        }
        var layout = Layout()
        layout.symtabOffset = file.count
        file += symtab
        layout.strtabOffset = file.count
        file += strtab
        layout.sectionHeaderOffset = file.count
        file += [UInt8](repeating: 0, count: 40) // SHT_NULL
        file += sectionHeader(type: 2, offset: layout.symtabOffset, size: symtab.count, link: 2, entrySize: 16)
        file += sectionHeader(type: 3, offset: layout.strtabOffset, size: strtab.count, link: 0, entrySize: 0)
        return layout
    }

    private func sectionHeader(type: UInt32, offset: Int, size: Int, link: UInt32, entrySize: UInt32) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 40)
        header.write32(type, at: 4)
        header.write32(UInt32(offset), at: 16)
        header.write32(UInt32(size), at: 20)
        header.write32(link, at: 24)
        header.write32(entrySize, at: 36)
        return header
    }
}

extension ELFBuilder {
    /// Bytes whose value names their position, so a copy from the wrong file offset shows.
    static func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) | 1 }
    }

    /// A typical modern guest: text R-X at 0x01000000 (entry inside), then data RW- on the next
    /// page followed by two and a half pages of bss.
    static func twoSegmentProgram() -> ELFBuilder {
        ELFBuilder(entry: 0x0100_0010, segments: [
            Segment(virtualAddress: 0x0100_0000, memorySize: 0x1800, flags: rx,
                    data: pattern(0x1800, seed: 1), fileOffset: 0x1000),
            Segment(virtualAddress: 0x0100_2000, memorySize: 0x3000, flags: rw,
                    data: pattern(0x600, seed: 2), fileOffset: 0x3000),
        ])
    }
}

extension ELFBuilder {
    /// Overwrites a 32-bit little-endian field of a built file, to damage one thing in it.
    static func patch32(_ file: inout [UInt8], at offset: Int, _ value: UInt32) {
        file.write32(value, at: offset)
    }

    static func patch16(_ file: inout [UInt8], at offset: Int, _ value: UInt16) {
        file.write16(value, at: offset)
    }
}

// File-private so these helpers cannot clash with other test suites' byte utilities.
fileprivate extension Array where Element == UInt8 {
    /// Writes `bytes` at `offset`, growing the array with zeros when it is too short.
    mutating func write(_ bytes: [UInt8], at offset: Int) {
        if count < offset + bytes.count { append(contentsOf: [UInt8](repeating: 0, count: offset + bytes.count - count)) }
        replaceSubrange(offset ..< offset + bytes.count, with: bytes)
    }

    mutating func write16(_ value: UInt16, at offset: Int) {
        write([UInt8(value & 0xff), UInt8(value >> 8)], at: offset)
    }

    mutating func write32(_ value: UInt32, at offset: Int) {
        write16(UInt16(value & 0xffff), at: offset)
        write16(UInt16(value >> 16), at: offset + 2)
    }
}
