extension Kernel {
    /// Reads a word at host address 8, which is never mapped (mmap_min_addr), to fault in
    /// kernel mode on purpose.
    static func debugReadBadPointer() -> Int32 {
        // Safety: not safe, on purpose: this is the debug panic trigger; the read must fault.
        let p = UnsafePointer<Int32>(bitPattern: 8)!
        return p.pointee
    }
}
