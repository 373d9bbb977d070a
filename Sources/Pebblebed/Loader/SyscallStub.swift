/// The system-call stubs the loader may redirect to the gate (issue 20; Machine/README.md,
/// "The fast path"): a recognised stub's `int $n` becomes a near jump to the gate's thunk for
/// (n, shape), which enters the kernel by a far jump instead of a trap and then does what the
/// stub did after its `int`.
///
/// A stub is recognised by a symbol whose whole extent is exactly a known prefix, `int $n` and
/// one of the tails below (Pebblebed's libsyscall stubs, examples/lib/stub.S, and the
/// hand-written shapes of 15-410 libsyscalls), so no byte of another function is ever read as
/// code; or, where no symbol delimits it (stripped programs, stubs without `.size`), by its
/// bytes and the evidence SyscallStub+Scan.swift demands. The jump needs 5 bytes from the
/// `int`; the shapes without them take the rest from the alignment padding after the stub,
/// only when that padding is provably padding: no symbol starts in it and its bytes are the
/// assembler's NOP fill (or zeros, or int3s). Everything else keeps trapping.
enum SyscallStub {
    /// What the stub does after its `int $n`: the gate's thunks repeat it (CShims, the gate).
    enum Shape: UInt32 {
        case ret = 0              // int $n; ret
        case popRet = 1           // push %esi; (a prefix that sets %esi); int $n; pop %esi; ret
        case again = 2            // 1: int $n; jmp 1b            (noreturn)
        case popAgain = 3         // push ...; 1: int $n; pop %esi; jmp 1b   (noreturn)
        // With a frame pointer (push %ebp; mov %esp,%ebp first): the gate's second bank.
        case popEbpRet = 4        // ...; int $n; pop %ebp; ret
        case popEsiPopEbpRet = 5  // ...; push %esi; ...; int $n; pop %esi; pop %ebp; ret
        case leaveRet = 6         // ...; int $n; leave; ret  (or mov %ebp,%esp; pop %ebp; ret)
        case popEsiLeaveRet = 7   // ...; push %esi; ...; int $n; pop %esi; leave; ret  (or mov; pop)

        /// Whether the stub pushes %esi before its `int` and pops it after.
        var popsEsi: Bool { [.popRet, .popAgain, .popEsiPopEbpRet, .popEsiLeaveRet].contains(self) }
        /// Whether the stub keeps a frame pointer (its prefix starts `push %ebp; mov %esp,%ebp`).
        var hasFrame: Bool { rawValue >= 4 }
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
        return jump(at: site, vector: UInt32(code[intOffset + 1]), shape: shape)
    }

    /// `jmp` from `site` to the thunk of (vector, shape).
    static func jump(at site: UInt32, vector: UInt32, shape: Shape) -> Patch {
        // Shapes 4-7 are the second bank's 0-3 (pb_gate.h).
        let bank = shape.rawValue / 4
        let thunk = GuestLayout.gateThunks &- bank * GuestLayout.gateBankStride
            &+ (vector * 4 + shape.rawValue % 4) * GuestLayout.gateSlot
        let rel = thunk &- (site &+ UInt32(jumpLength))   // rel32 from the end of the jump, modulo 2^32
        return Patch(site: site, bytes: [0xE9] + littleEndianBytes(words: [rel]))
    }

    /// What each shape's stub does after its `int $n`, as bytes (the thunk's tail does the
    /// same). `mov %ebp,%esp; pop %ebp` (either encoding of the mov) is `leave` to the last
    /// bit: neither touches a flag, and both leave %esp = old %ebp + 4 and %ebp = the word at
    /// old %ebp. (Only a fault on that pop could tell them apart, by the %esp it reports; the
    /// thunk's eip already tells a fault in it from one in the stub, Machine/README.md.)
    /// No tail is a prefix of another (the scan takes the first that matches).
    static let tails: [(Shape, [UInt8])] = [
        (.ret, [0xC3]), (.popRet, [0x5E, 0xC3]), (.again, [0xEB, 0xFC]), (.popAgain, [0x5E, 0xEB, 0xFB]),
        (.popEbpRet, [0x5D, 0xC3]), (.popEsiPopEbpRet, [0x5E, 0x5D, 0xC3]),
        (.leaveRet, [0xC9, 0xC3]), (.leaveRet, [0x89, 0xEC, 0x5D, 0xC3]), (.leaveRet, [0x8B, 0xE5, 0x5D, 0xC3]),
        (.popEsiLeaveRet, [0x5E, 0xC9, 0xC3]), (.popEsiLeaveRet, [0x5E, 0x89, 0xEC, 0x5D, 0xC3]),
        (.popEsiLeaveRet, [0x5E, 0x8B, 0xE5, 0x5D, 0xC3]),
    ]
    /// The longest tail, for the symbol pass's quick look at where the `int` would be.
    static let longestTail = 5

    /// What a stub does before its `int $n`, by whether its tail pops %esi: the stubs that pop
    /// push it first, then point it at the argument or the packet; the others may load it
    /// without saving it (a library whose stubs treat %esi as scratch). These are the shapes
    /// of 15-410 libsyscall stubs written by hand as well as ours (examples/lib/stub.S).
    /// (Each prefix is listed instruction by instruction: the scan needs their boundaries.)
    static let pushingPrefixes: [[[UInt8]]] = [
        [[0x56], [0x8B, 0x74, 0x24, 0x08]],               // push %esi; mov 8(%esp),%esi
        [[0x56], [0x8D, 0x74, 0x24, 0x08]],               // push %esi; lea 8(%esp),%esi
        [[0x56], [0x89, 0xE6], [0x83, 0xC6, 0x08]],       // push %esi; mov %esp,%esi; add $8,%esi
        [[0x56], [0x8B, 0xF4], [0x83, 0xC6, 0x08]],       // the same with mov's other encoding
    ]
    static let plainPrefixes: [[[UInt8]]] = [
        [],                                               // int $n at the entry
        [[0x8B, 0x74, 0x24, 0x04]],                       // mov 4(%esp),%esi
        [[0x8D, 0x74, 0x24, 0x04]],                       // lea 4(%esp),%esi
        [[0x89, 0xE6], [0x83, 0xC6, 0x04]],               // mov %esp,%esi; add $4,%esi
        [[0x8B, 0xF4], [0x83, 0xC6, 0x04]],               // the same with mov's other encoding
    ]

    /// The frame-pointer stubs (15-410 students' stubs compiled from a C-like habit, or written
    /// so gdb can walk their frames): `push %ebp; mov %esp,%ebp` (either encoding of the mov),
    /// then nothing or %esi pointed at the argument or the packet through %ebp; the ones whose
    /// tail pops %esi push it after the frame is set up.
    static let framePrefixes: [[[UInt8]]] = frame.flatMap { f in
        [f, f + [[0x8B, 0x75, 0x08]], f + [[0x8D, 0x75, 0x08]]]   // mov / lea 8(%ebp),%esi
    }
    static let framePushingPrefixes: [[[UInt8]]] = frame.flatMap { f in
        [f + [[0x56], [0x8B, 0x75, 0x08]], f + [[0x56], [0x8D, 0x75, 0x08]]]
    }
    private static let frame: [[[UInt8]]] = [[[0x55], [0x89, 0xE5]], [[0x55], [0x8B, 0xEC]]]

    static func prefixes(for shape: Shape) -> [[[UInt8]]] {
        switch (shape.hasFrame, shape.popsEsi) {
        case (false, false): plainPrefixes
        case (false, true): pushingPrefixes
        case (true, false): framePrefixes
        case (true, true): framePushingPrefixes
        }
    }
    private static let flatPrefixes: [Shape: [[UInt8]]] = Dictionary(uniqueKeysWithValues:
        [Shape.ret, .popRet, .again, .popAgain, .popEbpRet, .popEsiPopEbpRet, .leaveRet, .popEsiLeaveRet]
            .map { ($0, prefixes(for: $0).map { $0.flatMap { $0 } }) })

    /// The `int`'s offset and the shape, when `code` is exactly a stub: a known prefix for the
    /// shape, `int $n`, the shape's tail, nothing more.
    static func match(_ code: [UInt8]) -> (Int, Shape)? {
        for (shape, tail) in tails {
            for prefix in flatPrefixes[shape]!
            where code.count == prefix.count + 2 + tail.count {
                let i = prefix.count
                if code[0..<i].elementsEqual(prefix) && code[i] == 0xCD && code[(i + 2)...].elementsEqual(tail) {
                    return (i, shape)
                }
            }
        }
        return nil
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
        // gas's i386 fills (lea 0(%esi),%esi, lea 0(%edi),%edi and mov %esi,%esi).
        [0x8D, 0xB6, 0x00, 0x00, 0x00, 0x00], [0x8D, 0xBC, 0x27, 0x00, 0x00, 0x00, 0x00],
        [0x8D, 0xBF, 0x00, 0x00, 0x00, 0x00], [0x8D, 0x7F, 0x00], [0x8D, 0x7C, 0x27, 0x00], [0x89, 0xF6],
        [0x00], [0xCC],
    ]

    /// How many bytes at the start of `bytes` are whole fill instructions.
    static func paddingLength(_ bytes: [UInt8]) -> Int {
        var i = 0
        while let fill = fills.first(where: { i + $0.count <= bytes.count && bytes[i..<i + $0.count].elementsEqual($0) }) {
            i += fill.count
        }
        return i
    }

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
