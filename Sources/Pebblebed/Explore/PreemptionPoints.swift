/// Where a guest can be preempted during exploration and schedule replay (issue 15), besides
/// its system calls: the entries of the thread library's functions, found by symbol and made
/// to trap with an `int3` (CC) planted over their first byte at exec, as Landslide puts its
/// preemption points at `mutex_lock` and friends.
///
/// Entries, not every instruction: the guest runs natively between points, and a schedule is a
/// list of choices at points, so it replays exactly. The original instruction is run by
/// stepping it once with the byte put back (Kernel+Points.swift), so the guest never sees the
/// breakpoint: its registers, memory and flags are as if the instruction ran natively.
enum PreemptionPoints {
    /// Thread-library entry points (examples/libthread and the 15-410 thread library's names).
    /// The synchronisation calls are where one thread's effects become visible to another;
    /// thread creation, join and exit are where threads appear and disappear.
    static let functions = [
        "mutex_lock", "mutex_unlock", "mutex_destroy",
        "cond_wait", "cond_signal", "cond_broadcast", "cond_destroy",
        "sem_wait", "sem_signal", "sem_destroy",
        "rwlock_lock", "rwlock_unlock", "rwlock_downgrade", "rwlock_destroy",
        "thr_create", "thr_join", "thr_exit", "thr_yield",
    ]
    static let int3: UInt8 = 0xCC

    /// Plants a breakpoint at each function of `functions` that `image` defines, in `space`
    /// (fresh at exec: its text frames are its own, as for MagicPatch). Returns the original
    /// byte of each planted address, and the function it starts.
    static func plant(_ image: ELFImage, in space: AddressSpace) -> [UInt32: Breakpoint] {
        var planted: [UInt32: Breakpoint] = [:]
        for name in functions {
            guard let s = image.symbol(named: name), s.address >= 0x0100_0000,
                  let original = try? space.copyIn(s.address, count: 1).first,
                  original != int3, poke(space, s.address, int3) else { continue }
            planted[s.address] = Breakpoint(function: name, original: original)
        }
        return planted
    }

    /// Stores one byte of text through the physical window. The page must have a frame of its
    /// own (file contents); a zero-fill page has none and is not code.
    @discardableResult
    static func poke(_ space: AddressSpace, _ address: UInt32, _ byte: UInt8) -> Bool {
        let e = space.table[address >> pageShift]
        guard e.isPresent, !e.flags.contains(.zeroFill), e.frame != .zero else { return false }
        // Safety: pointer() bounds-checks the frame and the offset (< pageSize).
        memory.physical.pointer(e.frame, offset: Int(address) & (pageSize - 1)).storeBytes(of: byte, as: UInt8.self)
        return true
    }
}

/// One planted breakpoint: the function it marks the entry of, and the byte it replaced.
struct Breakpoint: Equatable {
    let function: String
    let original: UInt8
}
