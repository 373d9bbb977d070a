/// The system-call stubs the loader may redirect to the gate (issue 20; Machine/README.md,
/// "The fast path"): a recognised stub's `int $n` becomes a near jump to the gate's thunk for
/// (n, shape), which enters the kernel by a far jump instead of a trap and then does what the
/// stub did after its `int`.
///
/// A stub is recognised only by a symbol whose whole extent is exactly one of the shapes below
/// (Pebblebed's libsyscall stubs, examples/lib/stub.S, and any other library's of the same
/// shape), so no byte of another function is ever read as code. The jump needs 5 bytes from
/// the `int`; the shapes without them take the rest from the alignment padding after the
/// symbol, only when that padding is provably padding: no symbol starts in it and its bytes are
/// the assembler's NOP fill (or zeros, or int3s). Everything else keeps trapping.
enum SyscallStub {
    /// What the stub does after its `int $n`: the gate's thunks repeat it (CShims, the gate).
    enum Shape: UInt32 {
        case ret = 0              // int $n; ret
        case popRet = 1           // push %esi; mov/lea 8(%esp),%esi; int $n; pop %esi; ret
        case again = 2            // 1: int $n; jmp 1b            (noreturn)
        case popAgain = 3         // push ...; 1: int $n; pop %esi; jmp 1b   (noreturn)
    }

    /// One redirected stub: the 5 bytes to write at `site` (the `int`).
    struct Patch: Equatable {
        let site: UInt32
        let bytes: [UInt8]
    }

    static let jumpLength = 5

    /// Recognises `code` (a symbol's exact extent, at `address`) as a stub of a call in
    /// `vectors`; `after` holds the bytes that follow it (the padding, up to 16).
    /// `symbolStartsIn` says whether any other symbol starts in a range of addresses.
    static func patch(code: [UInt8], at address: UInt32, after: [UInt8], vectors: Set<Int>,
                      symbolStartsIn: (Range<UInt32>) -> Bool) -> Patch? {
        guard let (intOffset, shape) = match(code), vectors.contains(Int(code[intOffset + 1])) else { return nil }
        let site = address &+ UInt32(intOffset)
        let end = site &+ UInt32(jumpLength)
        let symbolEnd = address &+ UInt32(code.count)
        if end > symbolEnd {
            let borrowed = Int(end - symbolEnd)
            guard borrowed <= after.count, isPadding(after, upTo: borrowed),
                  !symbolStartsIn(symbolEnd..<end) else { return nil }
        }
        guard UInt64(site) + UInt64(jumpLength) <= GuestLayout.userEnd else { return nil }
        let vector = UInt32(code[intOffset + 1])
        let thunk = GuestLayout.gateThunks &+ (vector * 4 + shape.rawValue) * GuestLayout.gateSlot
        let rel = thunk &- end   // rel32 from the end of the jump, modulo 2^32
        return Patch(site: site, bytes: [0xE9] + littleEndianBytes(words: [rel]))
    }

    /// The `int`'s offset and the shape, when `code` is exactly a stub.
    static func match(_ code: [UInt8]) -> (Int, Shape)? {
        func prefixed(_ body: [UInt8]) -> Bool {
            code.count == 7 + body.count && (code[0...4].elementsEqual([0x56, 0x8B, 0x74, 0x24, 0x08]) ||
                                            code[0...4].elementsEqual([0x56, 0x8D, 0x74, 0x24, 0x08]))
                && code[5] == 0xCD && code[7...].elementsEqual(body)
        }
        switch code.count {
        case 3 where code[0] == 0xCD && code[2] == 0xC3: return (0, .ret)
        case 4 where code[0] == 0xCD && code[2] == 0xEB && code[3] == 0xFC: return (0, .again)
        case 9 where prefixed([0x5E, 0xC3]): return (5, .popRet)
        case 10 where prefixed([0x5E, 0xEB, 0xFB]): return (5, .popAgain)
        default: return nil
        }
    }

    /// The NOP fill assemblers and linkers put between functions (gas's and ld's), and the
    /// zero and int3 fills.
    private static let fills: [[UInt8]] = [
        [0x90], [0x66, 0x90], [0x0F, 0x1F, 0x00], [0x0F, 0x1F, 0x40, 0x00],
        [0x0F, 0x1F, 0x44, 0x00, 0x00], [0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00],
        [0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00], [0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        [0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        [0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        [0x8D, 0x76, 0x00], [0x8D, 0xB4, 0x26, 0x00, 0x00, 0x00, 0x00], [0x8D, 0x74, 0x26, 0x00],
        [0x00], [0xCC],
    ]

    /// Whether `bytes` starts with whole fill instructions covering at least `count` bytes.
    static func isPadding(_ bytes: [UInt8], upTo count: Int) -> Bool {
        var i = 0
        while i < count {
            guard let fill = fills.first(where: { i + $0.count <= bytes.count && bytes[i..<i + $0.count].elementsEqual($0) })
            else { return false }
            i += fill.count
        }
        return true
    }
}
