import Glibc

/// The host side of the soft-TLB: mmap calls that show frames of physical memory in the guest
/// range, and take them away again. Only the running task's pages are ever shown.
enum HostMapping {
    /// The reserved guest range and the low range below it (guest "kernel memory").
    static let guestStart = UInt(GuestLayout.userStart)
    static let guestEnd = UInt(GuestLayout.userEnd)
    static let lowStart: UInt = 0x10000

    /// Reserves [start, end) as inaccessible, failing if anything already lives there.
    static func reserve(start: UInt, end: UInt) throws(BootError) {
        let p = mmap(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0)
        guard let p, p != MAP_FAILED else {
            let err = errno
            // ENOMEM under `ulimit -v` is the limit, not a neighbour (issue 17, 5): the range is
            // address space only (MAP_NORESERVE), but RLIMIT_AS counts it all the same.
            if err == ENOMEM, let limit = HostProcess.addressSpaceLimit {
                throw .config("the address space limit (ulimit -v: \(HostProcess.kib(limit))) leaves no room for the guest range \(hex(start))..\(hex(end)): the emulator reserves 4 GiB of address space (not memory) plus --memory; raise the limit to at least \(HostProcess.kib(HostProcess.addressSpaceNeeded)) or lift it")
            }
            if err == EEXIST {
                throw .host("reserving guest memory \(hex(start))..\(hex(end)) (something else of this process lives there)", err)
            }
            throw .host("reserving guest memory \(hex(start))..\(hex(end))", err)
        }
        guard UInt(bitPattern: p) == start else {
            munmap(p, Int(end - start))
            throw .config("this host kernel ignores MAP_FIXED_NOREPLACE; cannot reserve guest memory at \(hex(start))")
        }
    }

    /// Shows `count` frames starting at `frame` at guest page `page`.
    /// `populate` fills the host's page-table entries in the same call (MAP_POPULATE), for
    /// frames about to be used: cheaper than one host fault per page on the guest's touch.
    static func map(page: UInt32, count: Int = 1, frame: FrameNumber, writable: Bool, fd: Int32, populate: Bool = false) {
        // Pebbles runs on 32-bit x86 without NX: every readable page is executable.
        let prot = PROT_READ | PROT_EXEC | (writable ? PROT_WRITE : 0)
        let addr = UnsafeMutableRawPointer(bitPattern: UInt(page) << 12)
        let flags = MAP_SHARED | MAP_FIXED | (populate ? MAP_POPULATE : 0)
        let p = mmap(addr, count * pageSize, prot, flags, fd, off_t(frame.index * pageSize))
        // Safety: a failure here means the host ran out of mappings or the range is not ours:
        // a kernel bug (the soft-TLB bounds its size), not something a guest can cause.
        if p == MAP_FAILED { kernelPanic("mmap of guest page \(hex(UInt(page) << 12)) failed: errno \(errno)") }
    }

    /// Makes `count` guest pages from `page` inaccessible again.
    static func withdraw(page: UInt32, count: Int) {
        let addr = UnsafeMutableRawPointer(bitPattern: UInt(page) << 12)
        let p = mmap(addr, count * pageSize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0)
        if p == MAP_FAILED { kernelPanic("withdrawing guest pages at \(hex(UInt(page) << 12)) failed: errno \(errno)") }
    }

    /// Makes `count` shown guest pages from `page` read-only (still readable and executable).
    static func protectReadOnly(page: UInt32, count: Int) {
        let addr = UnsafeMutableRawPointer(bitPattern: UInt(page) << 12)
        if mprotect(addr, count * pageSize, PROT_READ | PROT_EXEC) != 0 {
            kernelPanic("mprotect of guest pages at \(hex(UInt(page) << 12)) failed: errno \(errno)")
        }
    }
}
