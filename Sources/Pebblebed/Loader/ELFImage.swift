/// A validated 32-bit i386 Pebbles executable: its loadable segments, entry point and symbols.
///
/// A pure value built from the file's bytes; it maps nothing. The kernel asks it for a
/// `pagePlan()` and fills frames from `bytes`. Validation happens once, in `parse`, so that
/// `exec` can refuse a bad file while the old program is still intact.
public struct ELFImage {
    /// User memory as Pebbles defines it: USER_MEM_START up to the top of the 32-bit space.
    static let userMemory: Range<UInt64> = UInt64(GuestLayout.userStart) ..< GuestLayout.userEnd

    /// The whole file; `PagePlan.Copy.fileOffset` indexes into it.
    public let bytes: [UInt8]
    /// e_entry, checked to lie in an executable segment.
    public let entry: UInt32
    /// The PT_LOAD segments in program-header order (the order that decides overlaps).
    public let segments: [Segment]
    let symbols: SymbolTable

    /// One PT_LOAD program header, validated.
    public struct Segment: Equatable, Sendable {
        /// Position in the program header table, as `readelf -l` counts; error messages use it.
        public let index: Int
        public let virtualAddress: UInt32
        public let memorySize: UInt32
        public let fileOffset: UInt32
        public let fileSize: UInt32
        public let protection: PagePlan.Protection

        /// One past the last byte; 2^32 for a segment that ends at the top of memory.
        public var memoryEnd: UInt64 { UInt64(virtualAddress) + UInt64(memorySize) }

        func contains(_ address: UInt32) -> Bool {
            address >= virtualAddress && UInt64(address) < memoryEnd
        }
    }

    /// Validates `bytes` as a Pebbles guest program; the error says what is wrong with it.
    public static func parse(_ bytes: [UInt8]) throws(LoaderError) -> ELFImage {
        let reader = ByteReader(bytes)
        let header = try Header.read(from: reader)
        let programHeaders = try ProgramHeader.readTable(of: header, from: reader)
        let segments = try validatedSegments(programHeaders, fileSize: reader.count)
        try checkEntry(header.entry, in: segments)
        // Symbols come last and cannot fail: they only serve debugging aids.
        let symbols = SymbolTable.read(header: header, from: reader)
        return ELFImage(bytes: bytes, entry: header.entry, segments: segments, symbols: symbols)
    }

    /// The address and size of the symbol `name` from .symtab, or nil when the program has no
    /// such symbol or no usable symbol table. The Simics magic-call support looks up `sim_call`.
    public func symbol(named name: String) -> (address: UInt32, size: UInt32)? {
        guard let symbol = symbols.lookup(name) else { return nil }
        return (symbol.address, symbol.size)
    }

    /// `symbol(named:)` when it names code: not a variable (STT_OBJECT, STT_COMMON, STT_TLS), and
    /// inside an executable segment. For the kernel's patches of the program's text (explore's
    /// planted int3s, the Simics magic-call patch): a program may well have a variable named
    /// like a thread-library function, and patching it would change its value.
    public func function(named name: String) -> (address: UInt32, size: UInt32)? {
        guard let symbol = symbols.lookup(name), !symbol.isData,
              segments.contains(where: { $0.protection.contains(.execute) && $0.contains(symbol.address) }) else { return nil }
        return (symbol.address, symbol.size)
    }
}

// MARK: - Validation steps

extension ELFImage {
    static let ptLoad: UInt32 = 1
    static let ptInterp: UInt32 = 3

    /// Keeps the PT_LOAD headers, each checked, and refuses files that have none or that need
    /// a dynamic linker.
    static func validatedSegments(_ headers: [ProgramHeader], fileSize: Int) throws(LoaderError) -> [Segment] {
        var segments: [Segment] = []
        for (index, header) in headers.enumerated() {
            if header.type == ptInterp { throw .dynamicallyLinked }
            guard header.type == ptLoad else { continue }
            try checkSegment(header, index: index, fileSize: fileSize)
            segments.append(Segment(
                index: index, virtualAddress: header.virtualAddress, memorySize: header.memorySize,
                fileOffset: header.fileOffset, fileSize: header.fileSize,
                protection: PagePlan.Protection(elfFlags: header.flags)))
        }
        guard !segments.isEmpty else { throw .noLoadableSegment }
        return segments
    }

    /// The file bytes must exist, fit in memory, and the memory must be user memory. All sums
    /// are done in 64 bits so a hostile header cannot wrap them.
    static func checkSegment(_ header: ProgramHeader, index: Int, fileSize: Int) throws(LoaderError) {
        let dataEnd = UInt64(header.fileOffset) + UInt64(header.fileSize)
        guard dataEnd <= UInt64(fileSize) else {
            throw .truncated(.segmentData(index: index), needed: dataEnd, fileSize: fileSize)
        }
        guard header.fileSize <= header.memorySize else {
            throw .segmentFileSizeExceedsMemorySize(index: index, fileSize: header.fileSize, memorySize: header.memorySize)
        }
        let start = UInt64(header.virtualAddress)
        let end = start + UInt64(header.memorySize)
        guard end <= userMemory.upperBound else {
            throw .segmentWrapsAddressSpace(index: index, start: header.virtualAddress, memorySize: header.memorySize)
        }
        guard start >= userMemory.lowerBound else {
            throw .segmentOutsideUserMemory(index: index, start: header.virtualAddress, end: end)
        }
    }

    /// The first instruction must be in memory the program may execute.
    static func checkEntry(_ entry: UInt32, in segments: [Segment]) throws(LoaderError) {
        let executable = segments.filter { $0.protection.contains(.execute) }
        guard executable.contains(where: { $0.contains(entry) }) else {
            throw .entryNotExecutable(entry: entry)
        }
    }
}
