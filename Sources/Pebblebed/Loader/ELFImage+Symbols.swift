/// The program's .symtab, read leniently and lazily.
///
/// Symbols are a debugging aid (the Simics magic-call support looks up `sim_call`, `--gdb`
/// looks up `main`), never needed to run a program, so nothing here can reject a file: a
/// missing, stripped or damaged section header table or symbol table gives an empty table, and
/// a damaged entry is skipped.
///
/// Cost (issue 17, 4): parsing only locates the two sections, O(1) after the section headers.
/// A lookup walks the symbol records once and compares at most the name's length plus one bytes
/// of the string table for each, so it is linear in the file whatever the file says. (Decoding
/// every name into a dictionary scanned the string table from each name's offset to its NUL: a
/// crafted table of 16k symbols over one long unterminated string took 29 s, and an exec of
/// such a file froze every other task.)
struct SymbolTable {
    struct Symbol: Equatable {
        let address: UInt32
        let size: UInt32
        /// STB_GLOBAL or STB_WEAK, which win over a same-named STB_LOCAL (a static function).
        let isGlobal: Bool
        /// STT_OBJECT, STT_COMMON or STT_TLS: a variable, never code to patch.
        var isData = false
    }

    static let empty = SymbolTable(reader: nil, records: 0..<0, stride: 16, strings: 0..<0)

    private let reader: ByteReader?
    /// File offsets of the Elf32_Sym records that lie wholly inside the file: start, step, end.
    private let records: Range<Int>
    private let stride: Int
    /// The string table's bytes that lie inside the file.
    private let strings: Range<Int>

    /// The number of symbol records (named or not, valid or not) a lookup walks.
    var recordCount: Int { records.isEmpty ? 0 : (records.count + stride - SymbolTable.symbolSize) / stride }

    /// The first global definition of `name`, else its first local one (so `static` helpers in
    /// other files cannot shadow the real symbol), else nil.
    func lookup(_ name: String) -> Symbol? {
        guard let reader, !name.isEmpty else { return nil }
        let wanted = Array(name.utf8)
        var local: Symbol?
        var offset = records.lowerBound
        while offset + SymbolTable.symbolSize <= records.upperBound {
            defer { offset += stride }
            guard let entry = reader.record(at: offset, length: SymbolTable.symbolSize),
                  let symbol = SymbolTable.definedSymbol(entry),
                  names(entry.u32(0), wanted, reader) else { continue }
            if symbol.isGlobal { return symbol }
            if local == nil { local = symbol }
        }
        return local
    }

    /// Every defined symbol, in table order (one walk; names are not read). For the system-call
    /// stub patch (Tasks/SyscallStubPatch.swift), which goes by extent and bytes, not by name.
    func definedSymbols() -> [Symbol] {
        guard let reader else { return [] }
        var found: [Symbol] = []
        var offset = records.lowerBound
        while offset + SymbolTable.symbolSize <= records.upperBound {
            defer { offset += stride }
            if let entry = reader.record(at: offset, length: SymbolTable.symbolSize),
               let symbol = SymbolTable.definedSymbol(entry) { found.append(symbol) }
        }
        return found
    }

    /// Whether the string at `nameOffset` in the string table is exactly `wanted`: its bytes,
    /// then a NUL, all inside the table. Looks at `wanted.count + 1` bytes at most.
    private func names(_ nameOffset: UInt32, _ wanted: [UInt8], _ reader: ByteReader) -> Bool {
        let start = strings.lowerBound + Int(nameOffset)
        guard start >= strings.lowerBound, start + wanted.count < strings.upperBound else { return false }
        return reader.bytes[start + wanted.count] == 0 && reader.bytes[start..<start + wanted.count].elementsEqual(wanted)
    }

    /// Finds the first SHT_SYMTAB section and the string table its sh_link names.
    static func read(header: ELFImage.Header, from reader: ByteReader) -> SymbolTable {
        let sections = sectionHeaders(header, reader)
        guard let symtab = sections.first(where: { $0.type == ELFImage.SectionHeader.typeSymbolTable }),
              sections.indices.contains(Int(symtab.link)) else { return .empty }
        let strtab = sections[Int(symtab.link)]
        // A section that runs past the end of the file keeps what lies inside it.
        let stride = max(Int(symtab.entrySize), symbolSize)
        let symStart = Int(symtab.fileOffset), symEnd = min(symStart + Int(symtab.byteCount), reader.count)
        let strStart = Int(strtab.fileOffset), strEnd = min(strStart + Int(strtab.byteCount), reader.count)
        guard symStart < symEnd, strStart < strEnd else { return .empty }
        return SymbolTable(reader: reader, records: symStart..<symEnd, stride: stride, strings: strStart..<strEnd)
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

    /// A defined function or object symbol (its name is checked by the caller); nil for
    /// anything else.
    static func definedSymbol(_ entry: ByteReader.Record) -> Symbol? {
        let info = entry.u8(12)
        let type = info & 0xf, binding = info >> 4
        // STT_SECTION (3) and STT_FILE (4) name no address; SHN_UNDEF (0) is not defined here.
        guard type != 3, type != 4, entry.u16(14) != 0 else { return nil }
        return Symbol(address: entry.u32(4), size: entry.u32(8), isGlobal: binding == 1 || binding == 2,
                      isData: type == 1 || type == 5 || type == 6)
    }
}

/// Listing every symbol, for exploration's planting and reports and for traces (Explore/), never
/// on exec's path (which looks up single names). Each name is read at most `maxListedName` bytes,
/// so listing stays linear in the table however its strings run (issue 17, 4: reading each
/// name to its NUL cost the square of a crafted table); a longer name is skipped as damaged.
extension SymbolTable {
    static let maxListedName = 512

    /// Every named, defined function or object symbol, with the source file of a local one
    /// (an STT_FILE record names the file of the local symbols after it).
    func all() -> [(name: String, symbol: Symbol, file: String?)] {
        guard let reader else { return [] }
        var out: [(name: String, symbol: Symbol, file: String?)] = []
        var file: String?
        var offset = records.lowerBound
        while offset + SymbolTable.symbolSize <= records.upperBound {
            defer { offset += stride }
            guard let entry = reader.record(at: offset, length: SymbolTable.symbolSize) else { continue }
            if entry.u8(12) & 0xf == 4 {
                file = name(at: entry.u32(0), reader)
                continue
            }
            guard let symbol = SymbolTable.definedSymbol(entry), let name = name(at: entry.u32(0), reader),
                  !name.isEmpty else { continue }
            out.append((name, symbol, symbol.isGlobal ? nil : file))
        }
        return out
    }

    /// The NUL-terminated name at `nameOffset` in the string table, if it ends within
    /// maxListedName bytes and inside the table.
    private func name(at nameOffset: UInt32, _ reader: ByteReader) -> String? {
        let start = strings.lowerBound + Int(nameOffset)
        guard start >= strings.lowerBound, start < strings.upperBound else { return nil }
        return reader.cString(at: start, limit: min(start + SymbolTable.maxListedName + 1, strings.upperBound))
    }

    /// Names to symbols: the first global definition of a name wins; a local one is kept only
    /// until a global one turns up, so `static` helpers in other files cannot shadow it.
    var byName: [String: Symbol] {
        var table: [String: Symbol] = [:]
        for (name, symbol, _) in all() {
            if let existing = table[name], existing.isGlobal || !symbol.isGlobal { continue }
            table[name] = symbol
        }
        return table
    }

    /// The source file of local (static) symbols, by address, where the table says it.
    var localFiles: [UInt32: String] {
        var files: [UInt32: String] = [:]
        for (_, symbol, file) in all() where file != nil { files[symbol.address] = file }
        return files
    }

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
        let files = symbols.localFiles
        return symbols.byName.compactMap { name, s in
            s.size > 0 && include(name, files[s.address]) ? s.address..<(s.address &+ s.size) : nil
        }.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// Just the function (or object) name holding `address`, if any.
    public func symbolName(containing address: UInt32) -> String? { symbols.symbolize(address)?.name }
}
