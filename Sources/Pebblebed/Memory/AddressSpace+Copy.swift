/// Kernel access to guest memory: always through the page table and the physical-memory
/// window, validated first, so a bad pointer is an error return and never a kernel fault.
extension AddressSpace {
    /// Checks that [address, address+count) is user memory the guest may read (or write).
    public func validate(_ address: UInt32, count: Int, write: Bool) throws(PebblesError) {
        guard count >= 0 else { throw .invalidArgument }
        guard count > 0 else { return }
        let end = UInt64(address) + UInt64(count)
        guard address >= GuestLayout.userStart, end <= GuestLayout.userEnd else { throw .badAddress }
        var page = address >> pageShift
        let last = UInt32((end - 1) >> UInt64(pageShift))
        while true {
            let e = table[page]
            guard e.isPresent, !write || e.flags.contains(.writable) else { throw .badAddress }
            if page == last { break }
            page += 1
        }
    }

    /// Calls `body` for each page-sized piece of [address, address+count): frame, offset in the
    /// frame, offset in the buffer, length. For writes each frame is made private first.
    private func forEachPiece(_ address: UInt32, count: Int, write: Bool,
                              _ body: (FrameNumber, Int, Int, Int) -> Void) {
        var done = 0
        while done < count {
            let a = address &+ UInt32(done)
            let offset = Int(a) & (pageSize - 1)
            let n = min(pageSize - offset, count - done)
            let page = a >> pageShift
            let frame = write ? resolveWrite(page) : table[page].frame
            body(frame, offset, done, n)
            done += n
        }
    }

    public func copyIn(_ address: UInt32, count: Int) throws(PebblesError) -> [UInt8] {
        try validate(address, count: count, write: false)
        var out = [UInt8](repeating: 0, count: count)
        forEachPiece(address, count: count, write: false) { frame, off, at, n in
            memory.physical.read(frame, offset: off, count: n, into: &out, at: at)
        }
        return out
    }

    public func copyOut(_ bytes: [UInt8], to address: UInt32) throws(PebblesError) {
        try validate(address, count: bytes.count, write: true)
        forEachPiece(address, count: bytes.count, write: true) { frame, off, at, n in
            memory.physical.write(frame, offset: off, from: bytes, range: at..<at + n)
        }
    }

    /// One little-endian word, read straight into the result: no array (explore reads the
    /// return address and arguments at every preemption point, and an array's allocation and
    /// the runtime's lookup of its type were 3% of a run).
    public func readWord(_ address: UInt32) throws(PebblesError) -> UInt32 {
        try validate(address, count: 4, write: false)
        var word: UInt32 = 0
        withUnsafeMutableBytes(of: &word) { w in
            forEachPiece(address, count: 4, write: false) { frame, off, at, n in
                memory.physical.read(frame, offset: off, into: UnsafeMutableRawBufferPointer(rebasing: w[at..<at + n]))
            }
        }
        return UInt32(littleEndian: word)
    }

    public func writeWord(_ value: UInt32, to address: UInt32) throws(PebblesError) {
        try copyOut(littleEndianBytes(value), to: address)
    }

    /// Reads the `count` argument words of a system call packet at `address`.
    public func readWords(_ address: UInt32, count: Int) throws(PebblesError) -> [UInt32] {
        littleEndianWords(try copyIn(address, count: count * 4))
    }

    /// Reads a NUL-terminated string of at most `limit` bytes (without the NUL). A string that
    /// runs into an unmapped page or past the limit is an error.
    public func readString(_ address: UInt32, limit: Int) throws(PebblesError) -> [UInt8] {
        var out: [UInt8] = []
        var a = address
        while true {
            guard a >= GuestLayout.userStart else { throw .badAddress }
            let e = table[a >> pageShift]
            guard e.isPresent else { throw .badAddress }
            let offset = Int(a) & (pageSize - 1)
            let nul = memory.physical.firstNul(in: e.frame, from: offset)
            let n = (nul ?? pageSize) - offset
            guard out.count + n <= limit else { throw .argumentsTooLong }
            out.append(contentsOf: [UInt8](repeating: 0, count: n))
            memory.physical.read(e.frame, offset: offset, count: n, into: &out, at: out.count - n)
            if nul != nil { return out }
            guard a <= UInt32.max - UInt32(n) else { throw .badAddress }
            a += UInt32(n)
        }
    }
}
