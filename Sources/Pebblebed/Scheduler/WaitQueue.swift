/// Threads blocked until something happens: the tick a sleeper waits for, a child's exit, a
/// key. Every blocking call waits in one (Scheduler.block(in:)); a blocked thread knows its
/// queue (`Thread.waitingIn`), so ending it takes it out of whatever it waits for without the
/// exit path knowing any blocking call.
/// Touched only by kernel code, with interrupts off: the timer and keyboard interrupts that wake
/// sleepers and readers are served by the kernel (Machine), never inside a signal handler.
final class WaitQueue {
    /// What the threads wait for, for traces and audits.
    let name: String
    private(set) var threads: [Thread] = []

    init(_ name: String) { self.name = name }

    var isEmpty: Bool { threads.isEmpty }
    var count: Int { threads.count }
    var first: Thread? { threads.first }

    /// Queues `t` at the back, or before the first thread for which `before` holds.
    func enqueue(_ t: Thread, before: ((Thread) -> Bool)? = nil) {
        let i = before.flatMap { threads.firstIndex(where: $0) } ?? threads.count
        threads.insert(t, at: i)
    }

    /// Takes the first `n` threads off the queue, front first.
    func dequeue(_ n: Int) -> ArraySlice<Thread> {
        let taken = threads.prefix(n)
        threads.removeFirst(taken.count)
        return taken
    }

    func remove(_ t: Thread) {
        threads.removeAll { $0 === t }
    }
}
