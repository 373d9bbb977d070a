/// The program's .symtab, read leniently.
///
/// Symbols are a debugging aid (the Simics magic-call support looks up `sim_call`), never
/// needed to run a program, so nothing here can reject a file: a missing, stripped or damaged
/// section header table or symbol table gives an empty table, and a damaged entry is skipped.
struct SymbolTable {
    struct Symbol: Equatable {
        let address: UInt32
        let size: UInt32
        /// STB_GLOBAL or STB_WEAK, which win over a same-named STB_LOCAL (a static function).
        let isGlobal: Bool
    }

    static let empty = SymbolTable(byName: [:], localFiles: [:])

    private(set) var byName: [String: Symbol]
    /// The source file of local (static) symbols, by address, where the table says it.
    var localFiles: [UInt32: String] = [:]

    func lookup(_ name: String) -> Symbol? { byName[name] }

    /// Finds the first SHT_SYMTAB section and the string table its sh_link names.
    static func read(header: ELFImage.Header, from reader: ByteReader) -> SymbolTable {
        let sections = sectionHeaders(header, reader)
        guard let symtab = sections.first(where: { $0.type == ELFImage.SectionHeader.typeSymbolTable }),
              sections.indices.contains(Int(symtab.link)) else { return .empty }
        let strtab = sections[Int(symtab.link)]
        var table = SymbolTable.empty
        var file: String?
        for entry in symbolRecords(symtab, reader) {
            // STT_FILE names the source file of the local symbols after it (a static function's
            // file; globals come after all locals and have none).
            if entry.u8(12) & 0xf == 4 {
                let start = Int(strtab.fileOffset)
                file = reader.cString(at: start + Int(entry.u32(0)), limit: min(start + Int(strtab.byteCount), reader.count))
                continue
            }
            if let (name, symbol) = decodeSymbol(entry, strtab: strtab, reader: reader) {
                table.insert(symbol, named: name)
                if !symbol.isGlobal, let file { table.localFiles[symbol.address] = file }
            }
        }
        return table
    }

    /// All section headers, or none when the table is absent, cut off or oddly sized.
    static func sectionHeaders(_ header: ELFImage.Header, _ reader: ByteReader) -> [ELFImage.SectionHeader] {
        let count = Int(header.sectionHeaderCount)
        let stride = Int(header.sectionHeaderEntrySize)
        let offset = Int(header.sectionHeaderOffset)
        guard count > 0, stride >= ELFImage.SectionHeader.size,
              reader.contains(offset: offset, length: count * stride) else { return [] }
        return (0..<count).compactMap { index in
            reader.record(at: offset + index * stride, length: ELFImage.SectionHeader.size)
                .map(ELFImage.SectionHeader.decode)
        }
    }

    static let symbolSize = 16

    /// The Elf32_Sym records of the section that lie inside the file; a section that runs past
    /// the end of the file yields the entries before the cut.
    static func symbolRecords(_ symtab: ELFImage.SectionHeader, _ reader: ByteReader) -> [ByteReader.Record] {
        let stride = max(Int(symtab.entrySize), symbolSize)
        let count = Int(symtab.byteCount) / stride
        let offset = Int(symtab.fileOffset)
        var records: [ByteReader.Record] = []
        for index in 0..<count {
            guard let record = reader.record(at: offset + index * stride, length: symbolSize) else { break }
            records.append(record)
        }
        return records
    }

    /// A named, defined function or object symbol; nil for anything else or a damaged entry.
    static func decodeSymbol(_ entry: ByteReader.Record, strtab: ELFImage.SectionHeader,
                             reader: ByteReader) -> (String, Symbol)? {
        let info = entry.u8(12)
        let type = info & 0xf, binding = info >> 4
        // STT_SECTION (3) and STT_FILE (4) name no address; SHN_UNDEF (0) is not defined here.
        guard type != 3, type != 4, entry.u16(14) != 0 else { return nil }
        let tableStart = Int(strtab.fileOffset)
        let tableEnd = tableStart + Int(strtab.byteCount)
        guard let name = reader.cString(at: tableStart + Int(entry.u32(0)), limit: min(tableEnd, reader.count)),
              !name.isEmpty else { return nil }
        return (name, Symbol(address: entry.u32(4), size: entry.u32(8), isGlobal: binding == 1 || binding == 2))
    }

    /// The first global definition of a name wins; a local one is kept only until a global
    /// one turns up, so `static` helpers in other files cannot shadow the real symbol.
    mutating func insert(_ symbol: Symbol, named name: String) {
        if let existing = byName[name], existing.isGlobal || !symbol.isGlobal { return }
        byName[name] = symbol
    }
}

extension SymbolTable {
    /// The symbol whose extent holds `address` (a symbol of unknown size holds addresses up to
    /// the next symbol), as name and offset; nil below the first symbol. For traces and
    /// exploration reports (Explore/), which name the function a thread was preempted in.
    func symbolize(_ address: UInt32) -> (name: String, offset: UInt32)? {
        var best: (String, Symbol)?
        for (name, s) in byName where s.address <= address {
            if let b = best, b.1.address > s.address || (b.1.address == s.address && b.1.isGlobal) { continue }
            best = (name, s)
        }
        guard let (name, s) = best else { return nil }
        if s.size != 0 && address - s.address >= s.size && address - s.address > 0x10000 { return nil }
        return (name, address - s.address)
    }
}

extension ELFImage {
    /// `name+0xoffset` for an address in this program (`0x...` when no symbol holds it).
    public func describe(_ address: UInt32) -> String {
        guard let (name, offset) = symbols.symbolize(address) else { return hex(address) }
        return offset == 0 ? name : "\(name)+\(hex(offset, width: 1))"
    }

    /// The extents of the sized symbols whose name, or source file (static functions), satisfy
    /// `include`.
    func ranges(where include: (_ name: String, _ file: String?) -> Bool) -> [Range<UInt32>] {
        symbols.byName.compactMap { name, s in
            s.size > 0 && include(name, symbols.localFiles[s.address]) ? s.address..<(s.address &+ s.size) : nil
        }.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// Just the function (or object) name holding `address`, if any.
    public func symbolName(containing address: UInt32) -> String? { symbols.symbolize(address)?.name }
}
