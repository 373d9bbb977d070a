import CShims
import Glibc

/// A kernel context: where kernel code runs for one guest thread (its own kernel stack) or for
/// the scheduler (the boot stack), and, while it is switched out, the stack pointer to resume
/// it at. Switching saves the callee-saved registers on the outgoing stack (pb_context_switch),
/// so a switched-out context resumes exactly where it called `switchTo`, with its frames intact:
/// kernel code blocks by calling the scheduler and simply returns when it is resumed.
final class KernelContext {
    static let stackSize = 256 * 1024
    /// Saved stack pointer while switched out. Heap-allocated so its address is stable: a fresh
    /// context's trampoline keeps the address of its exit context's slot (pb_context_init).
    // Safety: allocated in init, freed in deinit; only this object and the trampolines of the
    // contexts that exit to it (which it outlives: the scheduler's context lives for the run)
    // read or write it.
    private let savedSP: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    // Safety: guard page + stack mapped until deinit (then unmapped, or kept for the next
    // context in `spareStacks`); nil for the boot stack, which is not ours. Read by tests.
    let stackBase: UnsafeMutableRawPointer?

    /// The context of the code that is running now on a stack it did not get from us (the boot
    /// stack, or a test's own stack): it gets a saved stack pointer the first time it switches.
    init() {
        savedSP = .allocate(capacity: 1)
        savedSP.initialize(to: nil)
        stackBase = nil
    }

    /// A fresh context on a new kernel stack (with an inaccessible guard page below it, so an
    /// overflow is a kernel fault with a report, not silent corruption). The first switch to it
    /// calls `entry(nil)`; when `entry` returns, `exit` resumes and this context is never
    /// resumed again: `entry` must have released everything it held, which an ordinary Swift
    /// function does when it returns.
    init(entry: @convention(c) (UnsafeMutableRawPointer?) -> Void, exit: KernelContext) throws(PebblesError) {
        let total = KernelContext.stackSize + pageSize
        let p: UnsafeMutableRawPointer
        if let spare = KernelContext.spareStacks.popLast() {
            p = spare
        } else {
            guard let q = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
                  q != MAP_FAILED else { throw .noMemory }
            // Without its guard page an overflowing kernel stack would write over whatever the
            // host mapped below it: refuse the thread instead.
            guard mprotect(q, pageSize, PROT_NONE) == 0 else {
                munmap(q, total)
                throw .noMemory
            }
            p = q
        }
        stackBase = p
        savedSP = .allocate(capacity: 1)
        savedSP.initialize(to: pb_context_init(p + total, entry, nil, exit.savedSP))
    }

    deinit {
        if let stackBase {
            if KernelContext.spareStacks.count < KernelContext.spareStackLimit {
                KernelContext.spareStacks.append(stackBase)
            } else {
                munmap(stackBase, KernelContext.stackSize + pageSize)
            }
        }
        savedSP.deallocate()
    }

    /// Kernel stacks of ended threads (guard page in place), for the next new threads: a
    /// thread's birth and end cost three host calls on its stack otherwise (mmap, mprotect,
    /// munmap), 5% of an explore run, whose programs create and end threads in every run
    /// (perf). A context is freed only once its stack is no longer in use (its thread's kernel
    /// loop has returned and the scheduler runs), so the stack can be handed out again at once.
    // Safety: only KernelContext's init and deinit touch it; the kernel is one host thread.
    nonisolated(unsafe) private static var spareStacks: [UnsafeMutableRawPointer] = []
    static let spareStackLimit = 16

    /// Leaves the running context `self` for `next`; returns when some context switches back.
    func switchTo(_ next: KernelContext) {
        pb_context_switch(savedSP, next.savedSP.pointee)
    }

    /// Leaves the running context for `next` for good (a halted test machine's threads).
    static func abandon(for next: KernelContext) -> Never {
        var unused: UnsafeMutableRawPointer? = nil
        pb_context_switch(&unused, next.savedSP.pointee)
        kernelPanic("an abandoned kernel context was resumed")
    }
}
