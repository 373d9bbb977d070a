/// The program's bytes as the system-call stub scan reads them (SyscallStub+Scan.swift).
extension ELFImage {
    /// The file's byte loaded at `address` (the last segment whose file bytes hold it: later
    /// segments win where they overlap), nil where none does. Copies nothing.
    func fileByte(at address: UInt32) -> UInt8? {
        for s in segments.reversed() where address >= s.virtualAddress && address - s.virtualAddress < s.fileSize {
            return bytes[Int(s.fileOffset) + Int(address - s.virtualAddress)]
        }
        return nil
    }

    /// Each segment's bytes from the file, at their load addresses (the zero fill after them
    /// holds no address and no code).
    func loadedRanges() -> [SyscallStub.CodeRange] {
        segments.filter { $0.fileSize > 0 }.map { s in
            let start = Int(s.fileOffset)
            return SyscallStub.CodeRange(address: s.virtualAddress, bytes: Array(bytes[start..<start + Int(s.fileSize)]))
        }
    }

    /// The program's code: its allocated executable PROGBITS sections (.text, .init, ...) where
    /// they lie in the file bytes of an executable segment. A file without section headers
    /// (they are optional for loading) gives its executable segments' file bytes whole; they
    /// may then hold read-only data too (old linkers put .rodata in the text segment), which
    /// the scan's other tests must tell apart.
    func codeRanges() -> [SyscallStub.CodeRange] {
        let code = segments.filter { $0.protection.contains(.execute) && $0.fileSize > 0 }
        let reader = ByteReader(bytes)
        let sections = (try? Header.read(from: reader)).map { SymbolTable.sectionHeaders($0, reader) } ?? []
        let wanted = SectionHeader.flagAlloc | SectionHeader.flagExecute
        let executable = sections.filter {
            $0.type == SectionHeader.typeProgramBits && $0.flags & wanted == wanted && $0.byteCount > 0
        }
        let hasSections = sections.contains { $0.type == SectionHeader.typeProgramBits && $0.flags & SectionHeader.flagAlloc != 0 }
        var ranges: [SyscallStub.CodeRange] = []
        for s in code {
            let segStart = UInt64(s.virtualAddress), segEnd = segStart + UInt64(s.fileSize)
            let pieces: [(UInt64, UInt64)] = hasSections
                ? executable.map { (max(segStart, UInt64($0.address)), min(segEnd, UInt64($0.address) + UInt64($0.byteCount))) }
                : [(segStart, segEnd)]
            for (lo, hi) in pieces where lo < hi {
                let from = Int(s.fileOffset) + Int(lo - segStart)
                ranges.append(SyscallStub.CodeRange(address: UInt32(lo), bytes: Array(bytes[from..<from + Int(hi - lo)])))
            }
        }
        return ranges
    }
}
