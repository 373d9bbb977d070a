import Testing
@testable import Pebblebed

@Suite("ELFImage symbols")
struct ELFSymbolTests {
    static let symbols: [ELFBuilder.Symbol] = [
        .init(name: "_main", value: 0x0100_0010, size: 0x20),
        .init(name: "sim_call", value: 0x0100_0100, size: 0x8),
        .init(name: "counter", value: 0x0100_2000, size: 4, info: 0x11), // global object
    ]

    func imageWithSymbols(_ symbols: [ELFBuilder.Symbol] = symbols) throws -> ELFImage {
        var builder = ELFBuilder.twoSegmentProgram()
        builder.symbols = symbols
        return try ELFImage.parse(builder.build())
    }

    @Test func findsDefinedSymbols() throws {
        let image = try imageWithSymbols()
        let simCall = try #require(image.symbol(named: "sim_call"))
        #expect(simCall.address == 0x0100_0100 && simCall.size == 8)
        #expect(image.symbol(named: "counter")?.address == 0x0100_2000)
    }

    @Test func missingNameGivesNil() throws {
        let image = try imageWithSymbols()
        #expect(image.symbol(named: "sim_cal") == nil)
        #expect(image.symbol(named: "") == nil)
    }

    @Test func undefinedSectionAndFileSymbolsAreNotAddresses() throws {
        let image = try imageWithSymbols([
            .init(name: "undefined", value: 0x1234, size: 0, sectionIndex: 0),
            .init(name: "prog.c", value: 0, size: 0, info: 0x04), // STT_FILE
            .init(name: ".text", value: 0x0100_0000, size: 0, info: 0x03), // STT_SECTION
        ])
        #expect(image.symbol(named: "undefined") == nil)
        #expect(image.symbol(named: "prog.c") == nil)
        #expect(image.symbol(named: ".text") == nil)
    }

    @Test func globalDefinitionBeatsStaticOnesOfTheSameName() throws {
        let image = try imageWithSymbols([
            .init(name: "helper", value: 0x0100_0040, size: 4, info: 0x02), // STB_LOCAL
            .init(name: "helper", value: 0x0100_0080, size: 4, info: 0x12), // STB_GLOBAL
            .init(name: "helper", value: 0x0100_00c0, size: 4, info: 0x02),
            .init(name: "only_local", value: 0x0100_0100, size: 4, info: 0x02),
        ])
        #expect(image.symbol(named: "helper")?.address == 0x0100_0080)
        #expect(image.symbol(named: "only_local")?.address == 0x0100_0100)
    }

    @Test func noSymbolTableGivesNilButLoads() throws {
        let stripped = try ELFImage.parse(ELFBuilder.twoSegmentProgram().build())
        #expect(stripped.symbol(named: "_main") == nil)
        let sectionsButNoSymbols = try imageWithSymbols([])
        #expect(sectionsButNoSymbols.symbol(named: "_main") == nil)
    }

    /// Ways the symbol table can be broken: the program still loads, and exactly the symbols
    /// the damage leaves intact are still found.
    @Test(arguments: SymbolDamage.allCases)
    func corruptedSymbolTableDoesNotRejectTheProgram(_ damage: SymbolDamage) throws {
        var builder = ELFBuilder.twoSegmentProgram()
        builder.symbols = Self.symbols
        var (file, layout) = builder.buildWithLayout()
        damage.apply(to: &file, layout)
        let image = try ELFImage.parse(file)
        #expect(image.segments.count == 2)
        for symbol in Self.symbols {
            let found = image.symbol(named: symbol.name)
            #expect((found != nil) == damage.survivors.contains(symbol.name), "\(symbol.name)")
            if let found { #expect(found.address == symbol.value) }
        }
    }

    enum SymbolDamage: CaseIterable {
        case sectionTablePastEnd, sectionEntryTooSmall, symtabPastEnd, linkOutOfRange,
             nameOffsetPastStrtab, strtabEndsBeforeLastNul, symtabSizeRunsPastEnd

        var survivors: Set<String> {
            switch self {
            case .sectionTablePastEnd, .sectionEntryTooSmall, .symtabPastEnd, .linkOutOfRange: return []
            case .nameOffsetPastStrtab: return ["_main", "counter"]
            case .strtabEndsBeforeLastNul: return ["_main", "sim_call"]
            case .symtabSizeRunsPastEnd: return ["_main", "sim_call", "counter"]
            }
        }

        /// Section 1 is .symtab and 2 is .strtab (see ELFBuilder); symbols are 16 bytes each,
        /// after the null symbol, in the order of `ELFSymbolTests.symbols`.
        func apply(to file: inout [UInt8], _ layout: ELFBuilder.Layout) {
            let symtabHeader = layout.sectionHeaderOffset + 40
            let strtabHeader = layout.sectionHeaderOffset + 80
            switch self {
            case .sectionTablePastEnd: ELFBuilder.patch32(&file, at: 32, UInt32(file.count - 40))
            case .sectionEntryTooSmall: ELFBuilder.patch16(&file, at: 46, 20)
            case .symtabPastEnd: ELFBuilder.patch32(&file, at: symtabHeader + 16, 0xffff_ff00)
            case .linkOutOfRange: ELFBuilder.patch32(&file, at: symtabHeader + 24, 99)
            case .nameOffsetPastStrtab: ELFBuilder.patch32(&file, at: layout.symtabOffset + 2 * 16, 0x7fff_0000)
            case .strtabEndsBeforeLastNul:
                // "counter" is the last string; its NUL now lies just outside .strtab and must
                // not be used, even though it is still in the file.
                let size = UInt32(layout.sectionHeaderOffset - layout.strtabOffset)
                ELFBuilder.patch32(&file, at: strtabHeader + 20, size - 1)
            case .symtabSizeRunsPastEnd:
                // The entries past the real ones decode .strtab and section header bytes as
                // symbols; they must not disturb the real ones.
                ELFBuilder.patch32(&file, at: symtabHeader + 20, 0x0010_0000)
            }
        }
    }
}
