/// Finding system-call stubs by their bytes, in programs whose symbols do not delimit them
/// (stripped binaries, hand-written stubs without `.size`): issue 20, item 2's "other
/// recognisable stub shapes of prebuilt binaries". Loader/README.md, "Stubs found by their
/// bytes", gives the safety argument; in short, a site is redirected only when
///
/// 1. its bytes are exactly a known prefix, `int $n` for a vector the kernel serves, and the
///    tail of one of the shapes, inside one range of executable code (the executable
///    sections, or the executable segments of a file without section headers), followed by
///    provable padding where the jump needs more bytes than the stub has;
/// 2. a direct `call rel32` somewhere in the code lands exactly on the stub's first byte, so
///    the bytes are a function the program calls, not data that happens to look like one;
/// 3. nothing can be shown to enter the four bytes the jump overwrites after the `int`'s
///    first byte: no byte offset anywhere in the code reads as a direct branch (`call`, `jmp`,
///    `jcc`, `loop`/`jcxz`, rel8 or rel32) to them, no four bytes anywhere in the loaded image
///    (code or data, at any alignment) hold one of their addresses, and no symbol starts there;
/// 4. its five bytes overlap no other redirected stub.
///
/// Reading every offset, not decoding instructions, makes (2) weaker evidence than a decoder
/// would give but (3) stronger: it finds every real branch and more. What it cannot see is an
/// address computed at run time into the middle of a stub, or code reading its own bytes;
/// neither is something a system-call stub invites, and a site that fails any test keeps
/// trapping.
extension SyscallStub {
    /// A range of the program's bytes at their load address.
    struct CodeRange {
        let address: UInt32
        let bytes: [UInt8]
        var end: UInt64 { UInt64(address) + UInt64(bytes.count) }
    }

    /// Every patch for `image`: first the stubs its symbols delimit (`patch`), then the others
    /// found by their bytes (`scan`). `read(address, count)` gives the program's bytes as
    /// loaded (at exec the mapped ones, after the Simics magic patch); the scan reads the file,
    /// and a site whose loaded bytes differ from the file's (another patch got there) is left.
    static func plan(_ image: ELFImage, vectors: Set<Int>, read: (UInt32, Int) -> [UInt8]) -> [Patch] {
        let symbols = image.symbols.definedSymbols()
        let starts = symbols.map(\.address).sorted()
        func symbolStartsIn(_ range: Range<UInt32>) -> Bool {
            // The first start >= lowerBound, by binary search.
            var lo = 0, hi = starts.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if starts[mid] < range.lowerBound { lo = mid + 1 } else { hi = mid }
            }
            return lo < starts.count && starts[lo] < range.upperBound
        }
        var patches: [Patch] = []
        var seen = Set<UInt32>(), sites = Set<UInt32>()
        // Stub sizes: prefix (0 to 7 bytes), int (2), tail (1 to 5).
        for symbol in symbols where (3...14).contains(symbol.size) && GuestLayout.contains(symbol.address, count: 32) {
            // Most functions of these sizes are not stubs: the file's byte where a stub's `int`
            // would be tells, without copying anything (exec's cost, README.md Performance).
            let end = symbol.address &+ symbol.size
            guard (1...UInt32(longestTail)).contains(where: { image.fileByte(at: end &- 2 &- $0) == 0xCD }),
                  seen.insert(symbol.address).inserted else { continue }   // aliases: once
            let code = read(symbol.address, Int(symbol.size))
            guard code.count == Int(symbol.size), match(code) != nil,
                  let p = patch(code: code, at: symbol.address, after: read(symbol.address &+ symbol.size, 16),
                                vectors: vectors, symbolStartsIn: symbolStartsIn),
                  sites.insert(p.site).inserted else { continue }
            patches.append(p)
        }
        let code = image.codeRanges()
        for p in scan(code: code, image: image.loadedRanges(), vectors: vectors,
                      symbolStartsIn: symbolStartsIn, skip: sites) {
            guard let r = code.first(where: { p.site >= $0.address && UInt64(p.site) + UInt64(jumpLength) <= $0.end })
            else { continue }
            let i = Int(p.site - r.address)
            guard read(p.site, jumpLength).elementsEqual(r.bytes[i..<i + jumpLength]) else { continue }
            patches.append(p)
        }
        return patches
    }

    /// The most `int`s of served vectors a program may hold and still be scanned (ours hold a
    /// few dozen).
    static let maxInts = 65_536

    private struct Candidate {
        let site: UInt32
        let vector: UInt32
        let shape: Shape
        /// The stub's possible first bytes, one per matching prefix, each with the addresses
        /// inside (not at the start of) that prefix's instructions.
        let starts: [(address: UInt32, inside: [UInt32])]
        /// Where the stub's bytes end (after its tail) and where the fill after them ends.
        let tailEnd: UInt32, fillEnd: UInt32
        var called: [Bool]
        var entered = false
        /// Redirected already (by its symbol): its bytes only help read the others'.
        let done: Bool
    }

    /// The stubs of `code` (the executable ranges) that may be redirected; `image` is every
    /// loaded byte range (for addresses stored as data), read only when some stub is left to
    /// decide. `skip` holds sites already redirected.
    static func scan(code: [CodeRange], image: @autoclosure () -> [CodeRange], vectors: Set<Int>,
                     symbolStartsIn: (Range<UInt32>) -> Bool, skip: Set<UInt32> = []) -> [Patch] {
        var served = [Bool](repeating: false, count: 256)
        for v in vectors where (0..<256).contains(v) { served[v] = true }
        let ints = code.map { findInts(in: $0.bytes, served: served) }
        // A crafted file can be all `int`s: what the scan keeps per candidate is bounded by
        // giving up on programs with more than any real one has (issue 17: exec stays linear
        // in the file, and its memory with it). Their stubs keep trapping.
        guard ints.reduce(0, { $0 + $1.count }) <= maxInts else { return [] }
        // A program whose every `int` of a served vector was redirected by its symbols (any
        // program linked with a libsyscall that has `.size`) is done here: exec's cost.
        guard zip(code, ints).contains(where: { r, found in found.contains { !skip.contains(r.address &+ UInt32($0)) } })
        else { return [] }
        var candidates: [Candidate] = []
        for (range, found) in zip(code, ints) { candidates += findCandidates(in: range, at: found, skip: skip) }
        guard candidates.contains(where: { !$0.done }) else { return [] }
        // (2) The direct calls to each candidate's possible first bytes.
        var startOf: [UInt32: [(Int, Int)]] = [:]
        for (k, c) in candidates.enumerated() {
            for (j, s) in c.starts.enumerated() { startOf[s.address, default: []].append((k, j)) }
        }
        forEachBranch(in: code) { _, target, isCall in
            if isCall, let ks = startOf[target] { for (k, j) in ks { candidates[k].called[j] = true } }
        }
        // (3) Every byte offset that reads as a direct branch, but those inside the known
        // instructions of a called stub and in the fill after its tail: a called stub's bytes
        // are its instructions, read from its start, unless something jumps into their middle
        // (which the same pass looks for), and its fill is never reached (the tail ends in `ret`
        // or `jmp`). Without this, `mov 8(%esp),%esi` (8B 74 24 08) reads as `je .+0x26` and
        // 16-byte-aligned stubs would rule out the stub two slots on.
        var notCode = Set<UInt32>()
        // (An address may be inside two candidates that overlap: each is told.)
        var interiorOf: [UInt32: [Int]] = [:]
        for (k, c) in candidates.enumerated() {
            let decoded = c.starts.indices.filter { c.called[$0] }
            for j in decoded {
                notCode.formUnion(c.starts[j].inside)
                for a in c.starts[j].inside { interiorOf[a, default: []].append(k) }
            }
            if !decoded.isEmpty {
                for a in c.site &+ 1 ..< c.tailEnd { notCode.insert(a) }
                for a in c.tailEnd ..< c.fillEnd { notCode.insert(a) }
            }
            for d in UInt32(1)..<UInt32(jumpLength) { interiorOf[c.site &+ d, default: []].append(k) }
        }
        forEachBranch(in: code) { source, target, _ in
            if !notCode.contains(source), let ks = interiorOf[target] { for k in ks { candidates[k].entered = true } }
        }
        for range in image() {
            range.bytes.withUnsafeBufferPointer { b in
                guard b.count >= 4 else { return }
                for i in 0...(b.count - 4) {
                    if let ks = interiorOf[word(b, i)] { for k in ks { candidates[k].entered = true } }
                }
            }
        }
        var accepted = candidates.filter { c in
            !c.done && c.called.contains(true) && !c.entered
                && !symbolStartsIn(c.site &+ 1 ..< c.site &+ UInt32(jumpLength))
        }
        // (4): two stubs closer than a jump's length would overwrite each other's bytes.
        accepted.sort { $0.site < $1.site }
        func lowestStart(_ c: Candidate) -> UInt64 { UInt64(c.starts.map(\.address).min() ?? c.site) }
        var patches: [Patch] = []
        for (k, c) in accepted.enumerated() {
            let end = UInt64(c.site) + UInt64(jumpLength)
            if k + 1 < accepted.count, lowestStart(accepted[k + 1]) < end { continue }
            if k > 0, UInt64(accepted[k - 1].site) + UInt64(jumpLength) > lowestStart(c) { continue }
            patches.append(jump(at: c.site, vector: c.vector, shape: c.shape))
        }
        return patches
    }

    /// Calls `body(source, target, isCall)` for every byte offset of `code` that reads as a
    /// direct branch: call/jmp rel32, jmp/jcc/loop/jcxz rel8, jcc rel32.
    private static func forEachBranch(in code: [CodeRange], _ body: (UInt32, UInt32, Bool) -> Void) {
        for range in code {
            range.bytes.withUnsafeBufferPointer { b in
                let n = b.count
                for i in 0..<n {
                    let here = range.address &+ UInt32(i)
                    switch b[i] {
                    case 0xE8 where i + 5 <= n: body(here, here &+ 5 &+ word(b, i + 1), true)
                    case 0xE9 where i + 5 <= n: body(here, here &+ 5 &+ word(b, i + 1), false)
                    case 0xEB where i + 2 <= n, 0x70...0x7F where i + 2 <= n, 0xE0...0xE3 where i + 2 <= n:
                        body(here, here &+ 2 &+ UInt32(bitPattern: Int32(Int8(bitPattern: b[i + 1]))), false)
                    case 0x0F where i + 6 <= n && (0x80...0x8F).contains(b[i + 1]):
                        body(here, here &+ 6 &+ word(b, i + 2), false)
                    default: break
                    }
                }
            }
        }
    }

    /// The sites in `range` whose bytes are a stub of a served vector, with padding enough.
    /// The offsets of `int $n` (CD n) for a served vector n, eight bytes at a time: exec pays
    /// for this pass over every program's code.
    private static func findInts(in bytes: [UInt8], served: [Bool]) -> [Int] {
        bytes.withUnsafeBytes { raw in
            var found: [Int] = []
            let n = raw.count
            func check(_ i: Int) {
                if i + 1 < n && raw[i] == 0xCD && served[Int(raw[i + 1])] { found.append(i) }
            }
            var i = 0
            while i + 8 <= n && found.count <= maxInts {
                // A byte of w is zero where the code has CD; the expression is nonzero exactly
                // when some byte is zero (it may flag more bytes above a true one: each is checked).
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0xCDCD_CDCD_CDCD_CDCD
                if (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080 != 0 {
                    for k in i..<i + 8 { check(k) }
                }
                i += 8
            }
            while i < n { check(i); i += 1 }
            return found
        }
    }

    /// The candidates among the `int`s of `range` at `ints`: a stub of a known shape with
    /// padding enough.
    private static func findCandidates(in range: CodeRange, at ints: [Int], skip: Set<UInt32>) -> [Candidate] {
        let b = range.bytes
        var found: [Candidate] = []
        for i in ints {
            let site = range.address &+ UInt32(i)
            guard UInt64(site) + UInt64(jumpLength) <= range.end,
                  GuestLayout.contains(site, count: jumpLength) else { continue }
            for (shape, tail) in tails {
                let tailEnd = i + 2 + tail.count
                guard tailEnd <= b.count, b[(i + 2)..<tailEnd].elementsEqual(tail) else { continue }
                let borrowed = max(0, i + jumpLength - tailEnd)
                // The fill after the tail, to the next 16-byte boundary at most.
                let boundary = Int((UInt64(site) + UInt64(tailEnd - i) + 15) & ~15 - UInt64(range.address))
                let fill = paddingLength(Array(b[tailEnd..<min(b.count, max(tailEnd, boundary))]))
                guard fill >= borrowed else { break }
                let starts = prefixes(for: shape).compactMap { p -> (address: UInt32, inside: [UInt32])? in
                    let bytes = p.flatMap { $0 }
                    guard i >= bytes.count, b[(i - bytes.count)..<i].elementsEqual(bytes) else { return nil }
                    var inside: [UInt32] = [], a = site &- UInt32(bytes.count)
                    let first = a
                    for instruction in p {
                        for d in 1..<instruction.count { inside.append(a &+ UInt32(d)) }
                        a &+= UInt32(instruction.count)
                    }
                    return (first, inside)
                }
                if !starts.isEmpty {
                    found.append(Candidate(site: site, vector: UInt32(b[i + 1]), shape: shape, starts: starts,
                                           tailEnd: range.address &+ UInt32(tailEnd),
                                           fillEnd: range.address &+ UInt32(tailEnd + fill),
                                           called: starts.map { _ in false }, done: skip.contains(site)))
                }
                break   // no tail is a prefix of another: at most one matches
            }
        }
        return found
    }

    private static func word(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}
