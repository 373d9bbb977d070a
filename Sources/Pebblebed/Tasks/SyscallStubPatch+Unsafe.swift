/// Redirecting a freshly loaded program's system-call stubs to the gate (Loader/SyscallStub.swift).
extension SyscallStub {
    /// Every vector the kernel serves: a stub of another vector keeps trapping (its `int` may
    /// be an exception gate the guest is allowed to use, like `int $3` or `int $0x80`).
    static let vectors = Set(Kernel.systemCallTable.calls.map(\.vector))

    /// Patches the stubs of `image` in `space`. Runs at exec, before the program's first
    /// instruction, while its text frames are its own (as MagicPatch), so no other task sees
    /// the change. Returns the number of stubs redirected.
    @discardableResult
    static func apply(_ image: ELFImage, to space: AddressSpace) -> Int {
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
        var patched = 0
        var seen = Set<UInt32>()
        for symbol in symbols where [3, 4, 9, 10].contains(symbol.size) && GuestLayout.contains(symbol.address, count: 32) {
            guard seen.insert(symbol.address).inserted else { continue }   // aliases: once
            let code = MagicPatch.mappedBytes(space, from: symbol.address, count: Int(symbol.size))
            guard code.count == Int(symbol.size), SyscallStub.match(code) != nil else { continue }
            let after = MagicPatch.mappedBytes(space, from: symbol.address &+ symbol.size, count: 16)
            guard let p = patch(code: code, at: symbol.address, after: after, vectors: vectors,
                                symbolStartsIn: symbolStartsIn),
                  (0..<UInt32(jumpLength)).allSatisfy({ hasOwnFrame(space, p.site &+ $0) }) else { continue }
            for (k, byte) in p.bytes.enumerated() { MagicPatch.poke(space, p.site &+ UInt32(k), byte) }
            patched += 1
        }
        return patched
    }

    /// Whether `address` is on a page with a frame of its own, which poke writes.
    private static func hasOwnFrame(_ space: AddressSpace, _ address: UInt32) -> Bool {
        let e = space.table[address >> pageShift]
        return e.isPresent && !e.flags.contains(.zeroFill) && e.frame != .zero
    }
}
