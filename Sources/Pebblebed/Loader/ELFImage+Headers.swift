/// The on-disk ELF32 structures the loader reads, decoded field by field (little-endian).
/// Offsets are those of Elf32_Ehdr, Elf32_Phdr and Elf32_Shdr in the System V i386 ABI.
extension ELFImage {
    /// The fields of Elf32_Ehdr that loading needs, after the identification checks.
    struct Header {
        static let size = 52
        static let magic: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]
        static let classELF32: UInt8 = 1, classELF64: UInt8 = 2
        static let dataLittleEndian: UInt8 = 1
        static let machineI386: UInt16 = 3
        static let typeExecutable: UInt16 = 2

        let entry: UInt32
        let programHeaderOffset: UInt32
        let programHeaderEntrySize: UInt16
        let programHeaderCount: UInt16
        let sectionHeaderOffset: UInt32
        let sectionHeaderEntrySize: UInt16
        let sectionHeaderCount: UInt16

        /// Checks in the order that gives the most useful message: a 64-bit or big-endian file
        /// is named as such even when it is also shorter than a 32-bit header.
        static func read(from reader: ByteReader) throws(LoaderError) -> Header {
            try checkIdentification(reader)
            guard let record = reader.record(at: 0, length: size) else {
                throw .truncated(.elfHeader, needed: UInt64(size), fileSize: reader.count)
            }
            guard record.u16(18) == machineI386 else { throw .wrongMachine(record.u16(18)) }
            guard record.u16(16) == typeExecutable else { throw .notExecutable(type: record.u16(16)) }
            return Header(
                entry: record.u32(24),
                programHeaderOffset: record.u32(28), programHeaderEntrySize: record.u16(42),
                programHeaderCount: record.u16(44),
                sectionHeaderOffset: record.u32(32), sectionHeaderEntrySize: record.u16(46),
                sectionHeaderCount: record.u16(48))
        }

        /// e_ident: magic, class and byte order, each checked as far as the file reaches.
        static func checkIdentification(_ reader: ByteReader) throws(LoaderError) {
            guard let magicBytes = reader.record(at: 0, length: 4),
                  (0..<4).allSatisfy({ magicBytes.u8($0) == magic[$0] }) else { throw .notELF }
            if let elfClass = reader.record(at: 4, length: 1)?.u8(0) {
                if elfClass == classELF64 { throw .sixtyFourBit }
                if elfClass != classELF32 { throw .unknownClass(elfClass) }
            }
            if let byteOrder = reader.record(at: 5, length: 1)?.u8(0), byteOrder != dataLittleEndian {
                throw .notLittleEndian(byteOrder)
            }
        }
    }

    /// The fields of one Elf32_Phdr.
    struct ProgramHeader {
        static let size = 32

        let type: UInt32
        let fileOffset: UInt32
        let virtualAddress: UInt32
        let fileSize: UInt32
        let memorySize: UInt32
        let flags: UInt32

        /// Every entry of the table, which must lie wholly inside the file. e_phentsize is the
        /// stride (a larger one is legal ELF); a smaller one than Elf32_Phdr is not.
        static func readTable(of header: Header, from reader: ByteReader) throws(LoaderError) -> [ProgramHeader] {
            let count = Int(header.programHeaderCount)
            let stride = Int(header.programHeaderEntrySize)
            guard count > 0 else { return [] }
            guard stride >= size else { throw .badProgramHeaderEntrySize(header.programHeaderEntrySize) }
            let offset = Int(header.programHeaderOffset)
            guard reader.contains(offset: offset, length: count * stride) else {
                throw .truncated(.programHeaderTable, needed: UInt64(offset + count * stride), fileSize: reader.count)
            }
            return (0..<count).map { entry in
                // In bounds: the whole table was checked just above.
                decode(reader.record(at: offset + entry * stride, length: size)!)
            }
        }

        static func decode(_ record: ByteReader.Record) -> ProgramHeader {
            ProgramHeader(
                type: record.u32(0), fileOffset: record.u32(4), virtualAddress: record.u32(8),
                fileSize: record.u32(16), memorySize: record.u32(20), flags: record.u32(24))
        }
    }

    /// The fields of one Elf32_Shdr that finding the symbol table and the code needs.
    struct SectionHeader {
        static let size = 40
        static let typeProgramBits: UInt32 = 1
        static let typeSymbolTable: UInt32 = 2
        static let flagAlloc: UInt32 = 2, flagExecute: UInt32 = 4

        let type: UInt32
        let flags: UInt32
        let address: UInt32
        let fileOffset: UInt32
        let byteCount: UInt32
        let link: UInt32
        let entrySize: UInt32

        static func decode(_ record: ByteReader.Record) -> SectionHeader {
            SectionHeader(
                type: record.u32(4), flags: record.u32(8), address: record.u32(12),
                fileOffset: record.u32(16), byteCount: record.u32(20),
                link: record.u32(24), entrySize: record.u32(36))
        }
    }
}
