/// Applying the patch to a freshly loaded address space, through the physical-memory window.
extension MagicPatch {
    /// Makes the magic instructions of `image`'s sim_call trap in `space`. Runs at exec, before
    /// the program's first instruction, while its text frames are its own (fresh frames, not
    /// shared copy-on-write), so writing them changes no other task. Returns the sites patched.
    @discardableResult
    static func apply(_ image: ELFImage, named name: String, to space: AddressSpace) -> Int {
        guard let symbol = image.function(named: symbolName),
              let range = searchRange(address: symbol.address, size: symbol.size) else { return 0 }
        let base = UInt32(range.lowerBound)
        let code = mappedBytes(space, from: base, count: Int(range.count))
        let found = sites(in: code, base: base, firstOnly: symbol.size == 0)
        if found.isEmpty {
            KernelLog.line("loader: \(name): sim_call at \(hex(base)) has no xchg %ebx,%ebx; its magic calls do nothing")
        }
        for site in found {
            for (k, byte) in replacement.enumerated() { poke(space, site &+ UInt32(k), byte) }
        }
        return found.count
    }

    /// The bytes from `address` up to `count`, cut at the first page the program lacks.
    static func mappedBytes(_ space: AddressSpace, from address: UInt32, count: Int) -> [UInt8] {
        var out: [UInt8] = []
        var a = UInt64(address)
        let end = UInt64(address) + UInt64(count)
        while a < end {
            let n = min(end - a, UInt64(pageSize) - (a & UInt64(pageSize - 1)))
            guard let piece = try? space.copyIn(UInt32(a), count: Int(n)) else { break }
            out += piece
            a += n
        }
        return out
    }

    /// Stores one byte into the frame behind `address`. The site was just read from a present
    /// page with file contents, so it has a frame of its own.
    static func poke(_ space: AddressSpace, _ address: UInt32, _ byte: UInt8) {
        let e = space.table[address >> pageShift]
        guard e.isPresent, !e.flags.contains(.zeroFill), e.frame != .zero else { return }
        // Safety: pointer() bounds-checks the frame and the offset (< pageSize).
        memory.physical.pointer(e.frame, offset: Int(address) & (pageSize - 1)).storeBytes(of: byte, as: UInt8.self)
    }
}
