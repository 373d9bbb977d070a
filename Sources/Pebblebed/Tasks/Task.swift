/// A task: an address space, its threads, and its place in the family tree.
public final class Task {
    /// The tid of its first thread; what wait returns to the parent.
    public let id: Int32
    public var space: AddressSpace
    public internal(set) var threads: [Thread] = []
    public internal(set) weak var parent: Task?
    var children: [Task] = []
    /// Exited children not yet collected, oldest first.
    var zombies = ExitList()
    /// Threads of this task blocked in wait.
    let waiters = WaitQueue("wait")
    public var status: Int32 = 0
    /// Reported to the parent when the last thread vanishes. Allocated with the task, because
    /// vanish cannot fail and so cannot allocate it then.
    let exitRecord: ExitRecord
    /// Program name (for messages).
    public var name: String
    /// The child this task named with set_foreground (0: none): Ctrl-C kills it
    /// (Devices/Monitor/Kernel+Monitor.swift). `foregroundInterrupted`: it was, since named.
    var foreground: Int32 = 0
    var foregroundInterrupted = false

    init(id: Int32, space: AddressSpace, name: String) {
        self.id = id
        self.space = space
        self.name = name
        exitRecord = ExitRecord(tid: id)
        Task.alive += 1
    }

    deinit { Task.alive -= 1 }

    /// Task objects in existence, for the kernel's leak audit.
    nonisolated(unsafe) static var alive = 0

    var liveThreadCount: Int { threads.count }
}

/// What a parent collects from an exited child.
final class ExitRecord {
    let tid: Int32
    var status: Int32 = 0
    var next: ExitRecord?
    init(tid: Int32) { self.tid = tid }
}

/// An intrusive FIFO of exit records: appending never allocates (vanish relies on it).
struct ExitList {
    private(set) var head: ExitRecord?
    private var tail: ExitRecord?
    private(set) var count = 0

    mutating func append(_ r: ExitRecord) {
        r.next = nil
        if let t = tail { t.next = r } else { head = r }
        tail = r
        count += 1
    }

    mutating func removeFirst() -> ExitRecord? {
        guard let h = head else { return nil }
        head = h.next
        if head == nil { tail = nil }
        h.next = nil
        count -= 1
        return h
    }

    /// Moves every record of `other` to the end of this list.
    mutating func take(_ other: inout ExitList) {
        while let r = other.removeFirst() { append(r) }
    }
}
