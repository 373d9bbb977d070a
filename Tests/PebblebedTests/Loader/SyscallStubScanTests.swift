import Foundation
import Testing
@testable import Pebblebed

/// Finding system-call stubs by their bytes (Loader/SyscallStub+Scan.swift): what is
/// redirected and every reason a site keeps trapping.
struct SyscallStubScanTests {
    static let base: UInt32 = 0x0100_0000
    static let vectors: Set<Int> = [0x48, 0x4E]
    static func none(_ r: Range<UInt32>) -> Bool { false }

    /// A small text: a caller at +0 that calls the stubs at +0x10 (`int $0x48; ret`), +0x20 and
    /// +0x40 (`push %esi; mov 8(%esp),%esi; int $0x4E; pop %esi; ret`), each followed by NOP
    /// fill to the next 16 bytes; `extra` goes at +0x30. The stub at +0x20 holds `74 24` (its mov's
    /// ModRM and SIB), which read from there is `je +0x48`, inside the stub at +0x40.
    static func text(calls: [UInt32] = [0x10, 0x20, 0x40], extra: [UInt8] = [], after10: [UInt8]? = nil) -> [UInt8] {
        var b = [UInt8](repeating: 0x90, count: 0x50)
        var i = 0
        for target in calls {
            b[i] = 0xE8
            let rel = target &- UInt32(i + 5)
            for k in 0..<4 { b[i + 1 + k] = UInt8(truncatingIfNeeded: rel >> (8 * UInt32(k))) }
            i += 5
        }
        for (k, byte) in extra.enumerated() { b[0x30 + k] = byte }   // between two stubs' fill
        b.replaceSubrange(0x10..<0x13, with: [0xCD, 0x48, 0xC3])
        if let after10 { b.replaceSubrange(0x13..<0x13 + after10.count, with: after10) }
        let stub: [UInt8] = [0x56, 0x8B, 0x74, 0x24, 0x08, 0xCD, 0x4E, 0x5E, 0xC3]
        b.replaceSubrange(0x20..<0x29, with: stub)
        b.replaceSubrange(0x40..<0x49, with: stub)
        return b
    }

    static func sites(_ bytes: [UInt8], data: [UInt8] = [], symbolStartsIn: (Range<UInt32>) -> Bool = none) -> [UInt32] {
        let code = [SyscallStub.CodeRange(address: base, bytes: bytes)]
        let image = code + [SyscallStub.CodeRange(address: base + 0x1000, bytes: data)]
        return SyscallStub.scan(code: code, image: image, vectors: vectors, symbolStartsIn: symbolStartsIn)
            .map { $0.site - base }
    }

    @Test func calledStubsWithPaddingAreRedirected() {
        #expect(Self.sites(Self.text()) == [0x10, 0x25, 0x45])
        let p = SyscallStub.scan(code: [.init(address: Self.base, bytes: Self.text())], image: [], vectors: Self.vectors,
                                 symbolStartsIn: Self.none)
        #expect(p.first == SyscallStub.jump(at: Self.base + 0x10, vector: 0x48, shape: .ret))
        #expect(p.last == SyscallStub.jump(at: Self.base + 0x45, vector: 0x4E, shape: .popRet))
    }

    @Test func aStubNoCallReachesKeepsTrapping() {
        #expect(Self.sites(Self.text(calls: [0x20, 0x40])) == [0x25, 0x45])
    }

    @Test func aBranchIntoTheBytesTheJumpTakesKeepsItTrapping() {
        // jmp rel8 from +0x30 to +0x12, the stub's ret.
        #expect(Self.sites(Self.text(extra: [0xEB, UInt8(bitPattern: 0x12 - 0x32)])) == [0x25, 0x45])
        // jne rel32 to +0x13 (the first fill byte the jump borrows).
        let rel = UInt32(0x13) &- UInt32(0x30 + 6)
        #expect(Self.sites(Self.text(extra: [0x0F, 0x85] + littleEndianBytes(words: [rel]))) == [0x25, 0x45])
        // Into the middle of a stub's prefix: its bytes may not be what they seem.
        #expect(Self.sites(Self.text(extra: [0xEB, UInt8(bitPattern: 0x22 - 0x32)])) == [0x10, 0x45])
    }

    @Test func anAddressOfTheBytesTheJumpTakesStoredAnywhereKeepsItTrapping() {
        // At an odd offset, in the data.
        #expect(Self.sites(Self.text(), data: [0x00] + littleEndianBytes(words: [Self.base + 0x47])) == [0x10, 0x25])
        #expect(Self.sites(Self.text(), data: littleEndianBytes(words: [Self.base + 0x10])) == [0x10, 0x25, 0x45])
    }

    @Test func pseudoBranchesInsideAStubsOwnInstructionsDoNotCount() {
        // The stub at +0x20 is what makes `74 24` a je into +0x48; were it not called, its bytes
        // would not be known code and the stub at +0x40 would keep trapping.
        #expect(Self.sites(Self.text(calls: [0x10, 0x40])) == [0x10])
    }

    @Test func withoutPaddingOrWithASymbolInsideItKeepsTrapping() {
        #expect(Self.sites(Self.text(after10: [0x55, 0x89])) == [0x25, 0x45])
        #expect(Self.sites(Self.text(), symbolStartsIn: { $0.contains(Self.base + 0x12) }) == [0x25, 0x45])
    }

    /// A crafted file of nothing but stubs is not scanned at all: what exec keeps per candidate
    /// stays bounded (the real stub among them keeps trapping too).
    @Test func aProgramWithMoreIntsThanAnyRealOneIsNotScanned() {
        let stub: [UInt8] = [0xCD, 0x48, 0xC3, 0x90, 0x90]
        let many = [UInt8]((0..<(SyscallStub.maxInts + 1)).map { _ in stub }.joined())
        #expect(Self.sites(Self.text() + many) == [])
        // Three ints of the text and maxInts - 3 more: scanned.
        #expect(Self.sites(Self.text() + [UInt8](many.dropFirst(stub.count * 4))) == [0x10, 0x25, 0x45])
    }

    /// Frame-pointer stubs found by their bytes: `push %ebp; mov %esp,%ebp; int $0x48; pop
    /// %ebp; ret` at +0x10 (the jump borrows a byte of fill), `...; push %esi; mov 8(%ebp),%esi;
    /// int $0x4E; pop %esi; leave; ret` at +0x20 and `push %ebp; mov %esp,%ebp (8B EC); push
    /// %esi; lea 8(%ebp),%esi; int $0x4E; pop %esi; mov %ebp,%esp (8B E5); pop %ebp; ret` at
    /// +0x40, each called; the same safety rules as the other shapes keep them trapping.
    static func frameText(calls: [UInt32] = [0x10, 0x20, 0x40], extra: [UInt8] = []) -> [UInt8] {
        var b = text(calls: calls, extra: extra)
        b.replaceSubrange(0x10..<0x20, with: [0x55, 0x89, 0xE5, 0xCD, 0x48, 0x5D, 0xC3] + [UInt8](repeating: 0x90, count: 9))
        b.replaceSubrange(0x20..<0x30, with: [0x55, 0x89, 0xE5, 0x56, 0x8B, 0x75, 0x08, 0xCD, 0x4E, 0x5E, 0xC9, 0xC3,
                                              0x90, 0x90, 0x90, 0x90])
        b.replaceSubrange(0x40..<0x50, with: [0x55, 0x8B, 0xEC, 0x56, 0x8D, 0x75, 0x08, 0xCD, 0x4E, 0x5E, 0x8B, 0xE5,
                                              0x5D, 0xC3, 0x66, 0x90])
        return b
    }

    @Test func frameStubsAreFoundByTheirBytesUnderTheSameRules() {
        #expect(Self.sites(Self.frameText()) == [0x13, 0x27, 0x47])
        let p = SyscallStub.scan(code: [.init(address: Self.base, bytes: Self.frameText())], image: [],
                                 vectors: Self.vectors, symbolStartsIn: Self.none)
        #expect(p.map(\.bytes) == [SyscallStub.jump(at: Self.base + 0x13, vector: 0x48, shape: .popEbpRet).bytes,
                                   SyscallStub.jump(at: Self.base + 0x27, vector: 0x4E, shape: .popEsiLeaveRet).bytes,
                                   SyscallStub.jump(at: Self.base + 0x47, vector: 0x4E, shape: .popEsiLeaveRet).bytes])
        // Not called: trapping.
        #expect(Self.sites(Self.frameText(calls: [0x10, 0x40])) == [0x13, 0x47])
        // A jump to the `pop %ebp` after the `int` (which the jump to the thunk overwrites).
        #expect(Self.sites(Self.frameText(extra: [0xEB, UInt8(bitPattern: 0x15 - 0x32)])) == [0x27, 0x47])
        // Into the middle of the frame set-up (`mov %esp,%ebp`): its bytes may not be what they seem.
        #expect(Self.sites(Self.frameText(extra: [0xEB, UInt8(bitPattern: 0x22 - 0x32)])) == [0x13, 0x47])
        // The address of the borrowed fill byte stored as data.
        #expect(Self.sites(Self.frameText(), data: littleEndianBytes(words: [Self.base + 0x17])) == [0x27, 0x47])
        // No fill after the 4 bytes `int $0x48; pop %ebp; ret`: the jump has nowhere to go.
        var packed = Self.frameText()
        packed[0x17] = 0x55
        #expect(Self.sites(packed) == [0x27, 0x47])
    }

    @Test func theKnownPrefixesAndTailsAreTheStubShapes() {
        #expect(SyscallStub.match([0x56, 0x89, 0xE6, 0x83, 0xC6, 0x08, 0xCD, 0x4E, 0x5E, 0xC3])! == (6, .popRet))
        #expect(SyscallStub.match([0x8B, 0x74, 0x24, 0x04, 0xCD, 0x4B, 0xC3])! == (4, .ret))
        // A pushing prefix needs a popping tail and the other way round.
        #expect(SyscallStub.match([0x8B, 0x74, 0x24, 0x04, 0xCD, 0x4B, 0x5E, 0xC3]) == nil)
        #expect(SyscallStub.match([0x56, 0x8B, 0x74, 0x24, 0x08, 0xCD, 0x4E, 0xC3]) == nil)
    }

    /// The stripped copy of `fastcall` gets exactly the stubs its unstripped self gets by symbol,
    /// and so does a copy without section headers (the executable segments read whole).
    @Test func aStrippedProgramGetsTheSameStubsAsByItsSymbols() throws {
        func plan(_ name: String, noSections: Bool = false) throws -> Set<UInt32> {
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Guest.ramdisk + "/" + name)))
            if noSections {
                for i in 32..<36 { bytes[i] = 0 }   // e_shoff
                for i in 48..<50 { bytes[i] = 0 }   // e_shnum
            }
            let image = try ELFImage.parse(bytes)
            if noSections { #expect(image.codeRanges().count == image.segments.filter { $0.protection.contains(.execute) }.count) }
            let loaded = image.loadedRanges()
            let read: (UInt32, Int) -> [UInt8] = { address, count in
                guard let r = loaded.first(where: { address >= $0.address && UInt64(address) < $0.end }) else { return [] }
                let i = Int(address - r.address)
                return Array(r.bytes[i..<min(r.bytes.count, i + count)])
            }
            return Set(SyscallStub.plan(image, vectors: SyscallStub.vectors, read: read).map(\.site))
        }
        let symbols = try plan("fastcall"), stripped = try plan("fastcall_stripped")
        #expect(symbols.count >= 8, "\(symbols.count)")   // the stubs fastcall links
        #expect(stripped == symbols, "by symbol only: \(symbols.subtracting(stripped)), by bytes only: \(stripped.subtracting(symbols))")
        #expect(try plan("fastcall_stripped", noSections: true) == symbols)
    }
}
