import Glibc

/// A thread's kernel stack: mmapped with an inaccessible guard page below it, so an overflow is
/// a kernel fault (a panic with a report), not silent corruption.
final class KernelStack {
    static let size = 256 * 1024
    // Safety: `base` maps guard + size bytes until deinit; only `top` escapes, to the C shim.
    private let base: UnsafeMutableRawPointer
    let top: UnsafeMutableRawPointer

    init() throws(PebblesError) {
        let total = KernelStack.size + pageSize
        guard let p = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              p != MAP_FAILED else { throw .noMemory }
        mprotect(p, pageSize, PROT_NONE)
        base = p
        top = p + total
    }

    deinit { munmap(base, KernelStack.size + pageSize) }
}
