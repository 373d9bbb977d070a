import Testing
@testable import Pebblebed

/// Which stubs the loader redirects to the gate, and what it writes (Loader/SyscallStub.swift).
struct SyscallStubTests {
    static let vectors: Set<Int> = [0x48, 0x4E, 0x57, 0x60]
    static let nops: [UInt8] = [0x66, 0x90, 0x66, 0x90, 0x66, 0x90, 0x66, 0x90]
    static func none(_ r: Range<UInt32>) -> Bool { false }

    static func thunk(_ vector: UInt32, _ shape: UInt32) -> UInt32 {
        GuestLayout.gateThunks - shape / 4 * GuestLayout.gateBankStride + (vector * 4 + shape % 4) * GuestLayout.gateSlot
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

    /// The frame-pointer stubs of 15-410 libsyscalls (`push %ebp; mov %esp,%ebp` first): every
    /// prefix with every tail of its kind, `mov %ebp,%esp; pop %ebp` (both encodings) as `leave`.
    @Test func frameStubShapesAreRecognised() {
        let frames: [[UInt8]] = [[0x55, 0x89, 0xE5], [0x55, 0x8B, 0xEC]]
        let loads: [[UInt8]] = [[0x8B, 0x75, 0x08], [0x8D, 0x75, 0x08]]
        let plainTails: [([UInt8], SyscallStub.Shape)] = [
            ([0x5D, 0xC3], .popEbpRet), ([0xC9, 0xC3], .leaveRet),
            ([0x89, 0xEC, 0x5D, 0xC3], .leaveRet), ([0x8B, 0xE5, 0x5D, 0xC3], .leaveRet),
        ]
        let pushingTails: [([UInt8], SyscallStub.Shape)] = [
            ([0x5E, 0x5D, 0xC3], .popEsiPopEbpRet), ([0x5E, 0xC9, 0xC3], .popEsiLeaveRet),
            ([0x5E, 0x89, 0xEC, 0x5D, 0xC3], .popEsiLeaveRet), ([0x5E, 0x8B, 0xE5, 0x5D, 0xC3], .popEsiLeaveRet),
        ]
        for f in frames {
            for prefix in [f] + loads.map({ f + $0 }) {
                for (tail, shape) in plainTails {
                    #expect(SyscallStub.match(prefix + [0xCD, 0x48] + tail)! == (prefix.count, shape), "\(prefix) \(tail)")
                    // %esi popped but never pushed, or a tail of another kind: not a stub.
                    #expect(SyscallStub.match(prefix + [0xCD, 0x48, 0x5E] + tail) == nil)
                    #expect(SyscallStub.match(prefix + [0xCD, 0x48, 0xC3]) == nil)
                }
            }
            for load in loads {
                let prefix = f + [0x56] + load
                for (tail, shape) in pushingTails {
                    #expect(SyscallStub.match(prefix + [0xCD, 0x4E] + tail)! == (prefix.count, shape), "\(prefix) \(tail)")
                    #expect(SyscallStub.match(prefix + [0xCD, 0x4E] + tail.dropFirst()) == nil)
                }
            }
        }
        // The frame's argument is at 8(%ebp), not 4 or 12.
        #expect(SyscallStub.match([0x55, 0x89, 0xE5, 0x8B, 0x75, 0x0C, 0xCD, 0x48, 0x5D, 0xC3]) == nil)
        // No frame set up: `pop %ebp` would restore what the stub never saved.
        #expect(SyscallStub.match([0x55, 0xCD, 0x48, 0x5D, 0xC3]) == nil)
        #expect(SyscallStub.match([0xCD, 0x48, 0xC9, 0xC3]) == nil)
    }

    /// A frame-pointer stub's jump goes to the gate's second bank, 0x20000 below the first:
    /// gettid (0x48) with `pop %ebp; ret` is thunk 4 * 0x48 + 0 of bank 1, at 0x00FD9200; the
    /// jump borrows one byte of padding after `int $n; pop %ebp; ret`.
    @Test func aFrameStubsPatchJumpsToTheSecondBank() {
        let p = SyscallStub.patch(code: [0x55, 0x89, 0xE5, 0xCD, 0x48, 0x5D, 0xC3], at: 0x0100_2000, after: Self.nops,
                                  vectors: Self.vectors, symbolStartsIn: Self.none)!
        #expect(p.site == 0x0100_2003)
        #expect(p.bytes == [0xE9] + littleEndianBytes(words: [UInt32(0x00FD_9200) &- 0x0100_2008]))
        #expect(Self.thunk(0x48, 4) == 0x00FD_9200 && Self.thunk(0x4E, 7) == 0x00FD_93B0)
        let q = SyscallStub.patch(code: [0x55, 0x89, 0xE5, 0x56, 0x8D, 0x75, 0x08, 0xCD, 0x4E, 0x5E, 0xC9, 0xC3],
                                  at: 0x0100_2010, after: [], vectors: Self.vectors, symbolStartsIn: Self.none)!
        #expect(q.site == 0x0100_2017)
        #expect(q.bytes == [0xE9] + littleEndianBytes(words: [UInt32(0x00FD_93B0) &- 0x0100_201C]))
        // No padding after the 4-byte `int $n; pop %ebp; ret`: it keeps trapping.
        #expect(SyscallStub.patch(code: [0x55, 0x89, 0xE5, 0xCD, 0x48, 0x5D, 0xC3], at: 0x0100_2000, after: [0x55],
                                  vectors: Self.vectors, symbolStartsIn: Self.none) == nil)
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
