@testable import Pebblebed
import Testing

/// Finding sim_call's magic instruction (the patch itself is checked by the guest programs).
struct MagicPatchTests {
    /// 410's sim_call: push %ebx; three argument loads; xchg %ebx,%ebx; pop %ebx; ret.
    static let simCall: [UInt8] = [0x53, 0x8B, 0x5C, 0x24, 0x08, 0x8B, 0x4C, 0x24, 0x0C,
                                   0x8B, 0x54, 0x24, 0x10, 0x87, 0xDB, 0x5B, 0xC3]

    @Test func findsTheMagicInstruction() {
        #expect(MagicPatch.sites(in: Self.simCall, base: 0x0100_2000, firstOnly: false) == [0x0100_200D])
    }

    @Test func findsEveryNonOverlappingSiteOrOnlyTheFirst() {
        let code: [UInt8] = [0x87, 0xDB, 0x87, 0xDB, 0x90, 0x87, 0x87, 0xDB]
        #expect(MagicPatch.sites(in: code, base: 0x0100_0000, firstOnly: false) == [0x0100_0000, 0x0100_0002, 0x0100_0006])
        #expect(MagicPatch.sites(in: code, base: 0x0100_0000, firstOnly: true) == [0x0100_0000])
    }

    @Test func codeWithoutTheMagicHasNoSites() {
        #expect(MagicPatch.sites(in: [0x87, 0xD9, 0xDB, 0x87], base: 0x0100_0000, firstOnly: false).isEmpty)
        #expect(MagicPatch.sites(in: [], base: 0x0100_0000, firstOnly: false).isEmpty)
    }

    @Test func searchRangeUsesTheSymbolSizeOrAWindow() {
        #expect(MagicPatch.searchRange(address: 0x0100_2000, size: 17) == 0x0100_2000..<0x0100_2011)
        #expect(MagicPatch.searchRange(address: 0x0100_2000, size: 0) == 0x0100_2000..<0x0100_2040)
        #expect(MagicPatch.searchRange(address: 0xFFFF_FFF0, size: 0) == 0xFFFF_FFF0..<0x1_0000_0000)
        #expect(MagicPatch.searchRange(address: 0x1000, size: 17) == nil, "below user memory")
    }

    @Test func commandsDecodeAs410NumbersThem() {
        #expect(SimicsCommand(code: 0x0410_0000) == .inSimics)
        #expect(SimicsCommand(code: 0x0410_0002) == .puts)
        #expect(SimicsCommand(code: 0x0410_0004) == .halt)
        #expect(SimicsCommand(code: 0x0410_800B) == .harness(0x0410_800B))
        #expect(SimicsCommand(code: 0x0410_0005) == .unknown(0x0410_0005))
    }
}
