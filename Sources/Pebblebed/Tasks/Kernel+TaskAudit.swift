import Glibc

/// The thread and task audit, the companion of the frame audit: every Thread and Task object
/// in existence must be one the kernel still refers to (a live thread, the thread that is ending
/// now, the task of either, the first task), and the kernel's tables must
/// agree with each other. A leaked object means a kernel stack, a trap frame or a task record
/// that never comes back.
extension Kernel {
    /// The problems found; `exiting` is a thread that has left the tables but still runs.
    func auditTaskObjects(exiting: Thread? = nil) -> [String] {
        var liveThreads = Set<ObjectIdentifier>(), knownTasks = Set<ObjectIdentifier>()
        var liveTaskSet = Set<ObjectIdentifier>()
        var problems: [String] = []
        for t in threads.values {
            liveThreads.insert(ObjectIdentifier(t))
            liveTaskSet.insert(ObjectIdentifier(t.task))
            if !t.task.threads.contains(where: { $0 === t }) {
                problems.append("thread \(t.tid) is in the thread table but not in task \(t.task.id)")
            }
            if t.state == .exited { problems.append("thread \(t.tid) is in the thread table but exited") }
        }
        var expectedThreads = liveThreads
        if let t = exiting {
            expectedThreads.insert(ObjectIdentifier(t))
            knownTasks.insert(ObjectIdentifier(t.task))
        }
        knownTasks.formUnion(liveTaskSet)
        if let f = firstTask { knownTasks.insert(ObjectIdentifier(f)) }
        if liveTaskSet.count != liveTasks {
            problems.append("\(liveTasks) live tasks counted but \(liveTaskSet.count) have threads")
        }
        if Thread.alive != expectedThreads.count {
            problems.append("\(Thread.alive) thread objects exist but \(expectedThreads.count) are live or exiting (leak of \(Thread.alive - expectedThreads.count))")
        }
        if Task.alive != knownTasks.count {
            problems.append("\(Task.alive) task objects exist but \(knownTasks.count) are live, exiting or the first task (leak of \(Task.alive - knownTasks.count))")
        }
        problems += auditQueues(live: liveThreads)
        return problems
    }

    /// Only live threads may sit on the run queue or the sleep queue.
    private func auditQueues(live: Set<ObjectIdentifier>) -> [String] {
        var problems: [String] = []
        for t in scheduler.runQueue.all where !live.contains(ObjectIdentifier(t)) {
            problems.append("thread \(t.tid) is on the run queue but not live")
        }
        for t in scheduler.sleepers.threads where !live.contains(ObjectIdentifier(t)) {
            problems.append("thread \(t.tid) is on the sleep queue but not live")
        }
        return problems
    }

    /// Runs the audit; any problem is reported and stops the machine like a failed frame audit.
    func auditTasks(context: String, exiting: Thread? = nil) {
        let problems = auditTaskObjects(exiting: exiting)
        guard !problems.isEmpty else { return }
        KernelLog.line("pebblebed: thread/task audit failed \(context):")
        for p in problems { KernelLog.line("  " + p) }
        runShutdownHooks(failing: Kernel.auditFailureExit)
        machine.powerOff(exitCode: Kernel.auditFailureExit)
    }
}
