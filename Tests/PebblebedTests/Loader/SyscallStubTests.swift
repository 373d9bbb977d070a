import Testing
@testable import Pebblebed

/// Which stubs the loader redirects to the gate, and what it writes (Loader/SyscallStub.swift).
struct SyscallStubTests {
    static let vectors: Set<Int> = [0x48, 0x4E, 0x57, 0x60]
    static let nops: [UInt8] = [0x66, 0x90, 0x66, 0x90, 0x66, 0x90, 0x66, 0x90]
    static func none(_ r: Range<UInt32>) -> Bool { false }

    static func thunk(_ vector: UInt32, _ shape: UInt32) -> UInt32 {
        GuestLayout.gateThunks + (vector * 4 + shape) * GuestLayout.gateSlot
    }

    @Test func everyShapeOfStubSIsRecognised() {
        #expect(SyscallStub.match([0xCD, 0x48, 0xC3])! == (0, .ret))
        #expect(SyscallStub.match([0xCD, 0x60, 0xEB, 0xFC])! == (0, .again))
        #expect(SyscallStub.match([0x56, 0x8D, 0x74, 0x24, 0x08, 0xCD, 0x4E, 0x5E, 0xC3])! == (5, .popRet))
        #expect(SyscallStub.match([0x56, 0x8B, 0x74, 0x24, 0x08, 0xCD, 0x4E, 0x5E, 0xC3])! == (5, .popRet))
        #expect(SyscallStub.match([0x56, 0x8B, 0x74, 0x24, 0x08, 0xCD, 0x57, 0x5E, 0xEB, 0xFB])! == (5, .popAgain))
        // One byte off anywhere, or a longer extent: not a stub.
        #expect(SyscallStub.match([0xCD, 0x48, 0xC2]) == nil)
        #expect(SyscallStub.match([0xCD, 0x48, 0xC3, 0x90]) == nil)
        #expect(SyscallStub.match([0x56, 0x8B, 0x74, 0x24, 0x0C, 0xCD, 0x4E, 0x5E, 0xC3]) == nil)
    }

    @Test func aPatchIsANearJumpToTheThunkOfVectorAndShape() {
        let p = SyscallStub.patch(code: [0xCD, 0x48, 0xC3], at: 0x0100_32C0, after: Self.nops,
                                  vectors: Self.vectors, symbolStartsIn: Self.none)!
        #expect(p.site == 0x0100_32C0)
        let rel = Self.thunk(0x48, 0) &- (0x0100_32C0 + 5)
        #expect(p.bytes == [0xE9] + littleEndianBytes(words: [rel]))
        let q = SyscallStub.patch(code: [0x56, 0x8D, 0x74, 0x24, 0x08, 0xCD, 0x4E, 0x5E, 0xC3], at: 0x0100_30F0,
                                  after: Self.nops, vectors: Self.vectors, symbolStartsIn: Self.none)!
        #expect(q.site == 0x0100_30F5)
        #expect(q.bytes == [0xE9] + littleEndianBytes(words: [Self.thunk(0x4E, 1) &- 0x0100_30FA]))
    }

    @Test func paddingIsBorrowedOnlyWhenItIsProvablyPadding() {
        let code: [UInt8] = [0xCD, 0x48, 0xC3]
        // Not NOP fill: could be code reached some other way.
        #expect(SyscallStub.patch(code: code, at: 0x0100_0000, after: [0x55, 0x89], vectors: Self.vectors,
                                  symbolStartsIn: Self.none) == nil)
        // Half of a multi-byte NOP is not a whole fill instruction we know.
        #expect(SyscallStub.patch(code: code, at: 0x0100_0000, after: [0x0F, 0x1F], vectors: Self.vectors,
                                  symbolStartsIn: Self.none) == nil)
        // Another symbol starts in the bytes the jump would take.
        #expect(SyscallStub.patch(code: code, at: 0x0100_0000, after: Self.nops, vectors: Self.vectors,
                                  symbolStartsIn: { $0.contains(0x0100_0004) }) == nil)
        // The end of the mapped bytes.
        #expect(SyscallStub.patch(code: code, at: 0x0100_0000, after: [0x90], vectors: Self.vectors,
                                  symbolStartsIn: Self.none) == nil)
        #expect(SyscallStub.patch(code: code, at: 0x0100_0000, after: [0x0F, 0x1F, 0x40, 0x00], vectors: Self.vectors,
                                  symbolStartsIn: Self.none) != nil)
    }

    @Test func aVectorTheKernelDoesNotServeKeepsTrapping() {
        // int $0x80 is a gate user code may use (Linux's); int $3 a breakpoint.
        #expect(SyscallStub.patch(code: [0xCD, 0x80, 0xC3], at: 0x0100_0000, after: Self.nops,
                                  vectors: Self.vectors, symbolStartsIn: Self.none) == nil)
        #expect(SyscallStub.patch(code: [0xCD, 0x03, 0xC3], at: 0x0100_0000, after: Self.nops,
                                  vectors: Self.vectors, symbolStartsIn: Self.none) == nil)
        #expect(!SyscallStub.vectors.contains(0x80) && SyscallStub.vectors.contains(0x48))
    }
}
