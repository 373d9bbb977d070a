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
        var patched = 0
        for p in plan(image, vectors: vectors, read: { MagicPatch.mappedBytes(space, from: $0, count: $1) })
        where (0..<UInt32(jumpLength)).allSatisfy({ hasOwnFrame(space, p.site &+ $0) }) {
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
