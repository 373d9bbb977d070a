import Foundation
import Testing
@testable import Pebblebed

/// Loading is linear in the file whatever its symbol table says (issue 17, 4).
@Suite("ELFImage symbol table cost")
struct SymbolTableCostTests {
    /// A program whose .symtab has `count` defined symbols whose names all point into one long
    /// string of `stringBytes` 'a's with a single NUL at its end, plus a real `sim_call` last.
    static func craftedProgram(count: Int, stringBytes: Int) -> [UInt8] {
        var file = ELFBuilder.twoSegmentProgram().build()
        var strtab = [UInt8](repeating: UInt8(ascii: "a"), count: stringBytes)
        strtab.append(0)
        let simCallName = UInt32(strtab.count)
        strtab += Array("sim_call".utf8) + [0]
        var symtab = [UInt8](repeating: 0, count: 16)
        func symbol(_ name: UInt32, _ value: UInt32) {
            var e = [UInt8](repeating: 0, count: 16)
            ELFBuilder.patch32(&e, at: 0, name)
            ELFBuilder.patch32(&e, at: 4, value)
            ELFBuilder.patch32(&e, at: 8, 8)
            e[12] = 0x12               // STB_GLOBAL, STT_FUNC
            ELFBuilder.patch16(&e, at: 14, 1)
            symtab += e
        }
        for i in 0..<count { symbol(UInt32(i * (stringBytes / count)), 0x0100_0000) }
        symbol(simCallName, 0x0100_0100)
        let symtabOffset = file.count
        file += symtab
        let strtabOffset = file.count
        file += strtab
        while file.count % 4 != 0 { file.append(0) }
        let sectionOffset = file.count
        var sections = [UInt8](repeating: 0, count: 40 * 3)
        ELFBuilder.patch32(&sections, at: 40 + 4, 2)                       // SHT_SYMTAB
        ELFBuilder.patch32(&sections, at: 40 + 16, UInt32(symtabOffset))
        ELFBuilder.patch32(&sections, at: 40 + 20, UInt32(symtab.count))
        ELFBuilder.patch32(&sections, at: 40 + 24, 2)                      // sh_link: .strtab
        ELFBuilder.patch32(&sections, at: 40 + 36, 16)
        ELFBuilder.patch32(&sections, at: 80 + 4, 3)                       // SHT_STRTAB
        ELFBuilder.patch32(&sections, at: 80 + 16, UInt32(strtabOffset))
        ELFBuilder.patch32(&sections, at: 80 + 20, UInt32(strtab.count))
        file += sections
        ELFBuilder.patch32(&file, at: 32, UInt32(sectionOffset))          // e_shoff
        ELFBuilder.patch16(&file, at: 46, 40)                              // e_shentsize
        ELFBuilder.patch16(&file, at: 48, 3)                               // e_shnum
        return file
    }

    /// 7 MB: 256k symbols over a 3 MB unterminated string. Quadratic decoding needed about 25
    /// minutes for such a file; linear work is a few passes over 7 MB (under a second even in a
    /// debug build). The time limit is a hang guard, not a speed measurement: the lookup's cost
    /// is linear by construction (SymbolTable.names looks at most at the name's length plus one
    /// bytes per record).
    @Test(.timeLimit(.minutes(1))) func aCraftedSymbolTableLoads() throws {
        let file = Self.craftedProgram(count: 256 * 1024, stringBytes: 3 << 20)
        #expect(file.count > 7_000_000)
        let image = try ELFImage.parse(file)
        #expect(image.symbol(named: "sim_call")?.address == 0x0100_0100)
        #expect(image.symbol(named: "main") == nil)
    }
}
