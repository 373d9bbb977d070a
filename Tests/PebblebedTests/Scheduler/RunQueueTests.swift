import Testing
@testable import Pebblebed

/// The run queue (Scheduler.swift, ThreadQueue) in process: its order under every operation the
/// scheduler uses. (That a directed yield costs the same however many threads wait behind it,
/// issue 19.9, is a speed: `make bench` measures it, row yield_threads.) Nothing here runs a
/// guest: the threads are never switched to. (In InProcessKernel: thread objects are counted
/// by the kernel audits of the other in-process tests.)
extension InProcessKernel {
@Suite struct RunQueueTests {
    /// Threads of one task, never started (a kernel stack and a trap frame each, no guest).
    private static func threads(_ n: Int, scheduler: Scheduler) throws -> [Pebblebed.Thread] {
        let task = Pebblebed.Task(id: 1, space: AddressSpace(), name: "runqueue")
        return try (0..<n).map { i throws(PebblesError) in
            try Pebblebed.Thread(tid: Int32(i + 1), task: task, scheduler: scheduler)
        }
    }

    private static func tids(_ q: ThreadQueue) -> [Int32] { q.all.map(\.tid) }

    @Test func fifoWithAFrontDoorAndRemovalAnywhere() throws {
        let s = Scheduler()
        let t = try Self.threads(5, scheduler: s)
        var q = ThreadQueue()
        for x in t[0..<4] { q.append(x) }
        #expect(Self.tids(q) == [1, 2, 3, 4] && q.count == 4)
        q.prepend(t[4])
        #expect(Self.tids(q) == [5, 1, 2, 3, 4])
        q.remove(t[2])                       // the middle
        q.remove(t[2])                       // not queued: nothing happens
        #expect(Self.tids(q) == [5, 1, 2, 4] && q.count == 4)
        q.remove(t[3])                       // the back
        #expect(Self.tids(q) == [5, 1, 2])
        #expect(q.remove(at: 1).tid == 1)    // a seeded pick
        #expect(q.removeFirst().tid == 5)
        q.append(t[3])
        #expect(Self.tids(q) == [2, 4])
        #expect(q.removeFirst().tid == 2 && q.removeFirst().tid == 4)
        #expect(q.isEmpty && q.count == 0 && q.all.isEmpty)
        // A thread that left the queue holds no links to the others.
        #expect(t.allSatisfy { $0.runNext == nil && $0.runPrev == nil && !$0.isQueued })
    }

    /// makeRunnable queues at the back (at the front under LIFO); moveToFront takes a runnable
    /// thread from anywhere in the queue to its front.
    @Test func schedulerQueuesAndMovesToFront() throws {
        let s = Scheduler()
        let t = try Self.threads(4, scheduler: s)
        for x in t[0..<3] { s.makeRunnable(x) }
        s.moveToFront(t[2])
        #expect(Self.tids(s.runQueue) == [3, 1, 2])
        s.policy = SchedulingPolicy(mode: 2)!   // LIFO wakeups
        s.makeRunnable(t[3])
        #expect(Self.tids(s.runQueue) == [4, 3, 1, 2])
        s.moveToFront(t[1])
        #expect(Self.tids(s.runQueue) == [2, 4, 3, 1])
        while !s.runQueue.isEmpty { _ = s.runQueue.removeFirst() }
    }
}
}
