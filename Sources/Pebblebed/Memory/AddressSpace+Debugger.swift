/// The debugger's view of a task's memory (Debugger/): reads and writes through the page table
/// that the guest cannot tell from no access at all.
///
/// - A read never faults a page in and never breaks sharing: it reads the frame the page table
///   names (the zero frame for a zero-fill page that was never written).
/// - A write goes to a frame of this task's own. A writable page is made private as a guest
///   write would (zero-fill filled, COW copied; the data the guest sees is the same). A
///   read-only page (text) whose frame is shared with another task, or that has no frame yet,
///   gets a private copy first, so a breakpoint planted in one task's text never shows in a
///   task it shares the frame with. The guest's own protections are unchanged: text stays
///   read-only to the guest.
extension AddressSpace {
    /// The bytes of [address, address+count), or nil if any page of it is not present.
    func debuggerRead(_ address: UInt32, count: Int) -> [UInt8]? {
        guard count >= 0, address >= GuestLayout.userStart,
              UInt64(address) + UInt64(count) <= 0x1_0000_0000 else { return nil }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let a = address &+ UInt32(done)
            let offset = Int(a) & (pageSize - 1)
            let n = min(pageSize - offset, count - done)
            let e = table[a >> pageShift]
            guard e.isPresent else { return nil }
            // A zero-fill page has no frame of its own: it reads as zeros (the zero frame).
            if !e.flags.contains(.zeroFill) {
                memory.physical.read(e.frame, offset: offset, count: n, into: &out, at: done)
            }
            done += n
        }
        return out
    }

    /// Writes `bytes` at `address` in this space only. Fails with nothing written if a page is
    /// missing or a private frame cannot be had.
    /// `shareReadOnly`: a read-only frame shared with other spaces is written in place instead
    /// of copied. Read-only frames are shared only by fork relatives (exec loads fresh frames),
    /// so the write reaches exactly the tasks that run the same text; the seeded debugger uses
    /// it for breakpoints, which it plants in all of them anyway, because copying the page
    /// would cost the guest a page fault the run without gdb does not take (a kernel entry the
    /// seed counts).
    func debuggerWrite(_ bytes: [UInt8], at address: UInt32, shareReadOnly: Bool = false) throws(PebblesError) {
        guard address >= GuestLayout.userStart,
              UInt64(address) + UInt64(bytes.count) <= 0x1_0000_0000 else { throw .badAddress }
        guard !bytes.isEmpty else { return }
        let first = address >> pageShift
        let last = UInt32((UInt64(address) + UInt64(bytes.count) - 1) >> UInt64(pageShift))
        for page in first...last where !table[page].isPresent { throw .badAddress }
        // Private frames for every page first, so a failure leaves memory unwritten.
        for page in first...last {
            let e = table[page]
            if shareReadOnly && !e.flags.contains(.writable) && !e.flags.contains(.zeroFill) { continue }
            try privatizeForDebugger(page)
        }
        var done = 0
        while done < bytes.count {
            let a = address &+ UInt32(done)
            let offset = Int(a) & (pageSize - 1)
            let n = min(pageSize - offset, bytes.count - done)
            memory.physical.write(table[a >> pageShift].frame, offset: offset, from: bytes, range: done..<done + n)
            done += n
        }
    }

    /// Gives `page` a frame only this space references (see the type's comment).
    private func privatizeForDebugger(_ page: UInt32) throws(PebblesError) {
        let e = table[page]
        if e.flags.contains(.writable) {
            resolveWrite(page)
            return
        }
        let shared = e.flags.contains(.zeroFill) || memory.pool.references(e.frame) > 1
        guard shared else { return }
        let f = try memory.pool.allocate(near: frameHint(page))
        if e.flags.contains(.zeroFill) {
            // A read-only zero-fill page holds no reservation and no frame reference.
            memory.physical.zero(f)
        } else {
            memory.physical.copy(from: e.frame, to: f)
            memory.pool.release(e.frame)
        }
        // The host may show the old frame: withdraw it, the next fault shows the copy.
        if e.flags.contains(.inHost) && isActive { withdrawFromHost(page, count: 1) }
        var updated = table[page]
        updated.frame = f
        updated.flags.remove(.zeroFill)
        table[page] = updated
    }

    /// Keeps `page` out of the host mapping (watchpoints: every access then faults).
    func withdrawForDebugger(_ page: UInt32) {
        if table[page].flags.contains(.inHost) && isActive { withdrawFromHost(page, count: 1) }
    }
}
