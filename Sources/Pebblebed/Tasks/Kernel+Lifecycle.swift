import CShims

/// Birth and death of tasks and threads: fork, thread_fork, exec, vanish, task_vanish, wait.
extension Kernel {
    /// fork: a new task with a copy-on-write copy of the address space and one thread copied
    /// from the caller. Refused in a multi-threaded task.
    func fork(_ parentThread: Thread) throws(PebblesError) -> Int32 {
        let tid = try makeForkChild(parentThread)
        childFirstYield()
        return tid
    }

    private func makeForkChild(_ parentThread: Thread) throws(PebblesError) -> Int32 {
        let parent = parentThread.task
        guard parent.threads.count == 1 else { throw .busy }
        let space = try parent.space.forkCopy()
        let tid = allocateTid()
        let child = Task(id: tid, space: space, name: parent.name)
        let thread: Thread
        do { thread = try Thread(tid: tid, task: child) } catch {
            space.destroy()
            throw error
        }
        pb_trapframe_copy(thread.frame, parentThread.frame)
        thread.frame.pointee.regs.rax = 0
        thread.swexn = parentThread.swexn
        child.threads = [thread]
        child.parent = parent
        parent.children.append(child)
        threads[tid] = thread
        liveTasks += 1
        admit(thread)
        return tid
    }

    /// thread_fork: a new thread in the caller's task with a copy of its registers and no
    /// swexn handler.
    func threadFork(_ creator: Thread) throws(PebblesError) -> Int32 {
        let tid = try makeThread(copying: creator)
        childFirstYield()
        return tid
    }

    private func makeThread(copying creator: Thread) throws(PebblesError) -> Int32 {
        let tid = allocateTid()
        let thread = try Thread(tid: tid, task: creator.task)
        pb_trapframe_copy(thread.frame, creator.frame)
        thread.frame.pointee.regs.rax = 0
        creator.task.threads.append(thread)
        threads[tid] = thread
        admit(thread)
        return tid
    }

    /// A new thread joins the run queue; under the child-first policy at its front.
    private func admit(_ thread: Thread) {
        reserveForVanish()
        scheduler.makeRunnable(thread)
        if scheduler.policy.childFirst { scheduler.moveToFront(thread) }
    }

    /// vanish must not allocate: when a task ends, its children are appended to the first
    /// task's list and its last thread to the scheduler's dead list. Room for every live task
    /// and thread is made here, at fork/thread_fork, where failing is allowed; the appends in
    /// vanish then never grow an array.
    private func reserveForVanish() {
        firstTask?.children.reserveCapacity(liveTasks)
        scheduler.dead.reserveCapacity(threads.count)
    }

    /// Under the child-first policy the creator gives way to the new thread (at the front of
    /// the queue) before it returns; called once the creating helper dropped its references.
    private func childFirstYield() {
        if scheduler.policy.childFirst { scheduler.yield() }
    }

    /// exec: replaces the program. On any error the old program is untouched.
    func exec(_ t: Thread, name: String, arguments: [[UInt8]]) throws(PebblesError) {
        guard t.task.threads.count == 1 else { throw .busy }
        let program = try ProgramLoader.load(name: name, arguments: arguments)
        let old = t.task.space
        memory.activate(program.space)
        t.task.space = program.space
        old.destroy()
        t.task.name = name
        program.start(t)
    }

    /// vanish for the current thread; the last thread out ends the task. Never fails: the exit
    /// record was allocated with the task, and nothing here allocates. Called only from
    /// returnToUser; holds no references across the final switch (see Scheduler.exitCurrent).
    func vanishCurrent() -> Never {
        retireCurrentThread()
        scheduler.exitCurrent()
    }

    /// Takes the current thread out of its task and the thread table; ends the task if it was
    /// the last one.
    private func retireCurrentThread() {
        let t = scheduler.current!
        let task = t.task
        task.threads.removeAll { $0 === t }
        threads[t.tid] = nil
        guard task.threads.isEmpty else { return }
        endTask(task)
        if options.audit {
            audit(context: "after task \(task.id) exited")
            auditTasks(context: "after task \(task.id) exited", exiting: t)
        }
    }

    /// The last thread of `task` is gone: free its memory, hand its children and uncollected
    /// zombies to init, and report its status.
    private func endTask(_ task: Task) {
        task.space.destroy()
        liveTasks -= 1
        let heir = initTask(excluding: task)
        for child in task.children {
            child.parent = heir
            heir?.children.append(child)
        }
        task.children = []
        if let heir {
            heir.zombies.take(&task.zombies)
            wakeWaiter(of: heir)
        }
        if task === firstTask { firstTaskStatus = task.status }
        task.exitRecord.status = task.status
        if let parent = task.parent {
            parent.children.removeAll { $0 === task }
            parent.zombies.append(task.exitRecord)
            wakeWaiter(of: parent)
        } else if let heir, heir !== task {
            heir.zombies.append(task.exitRecord)
            wakeWaiter(of: heir)
        }
    }

    /// Who adopts orphans: the first task (init) while it lives; after that the kernel itself
    /// collects them (nil), so a `pebblebed run` program's leftovers never block halting.
    func initTask(excluding task: Task) -> Task? {
        guard let f = firstTask, f !== task, !f.threads.isEmpty else { return nil }
        return f
    }

    /// Wakes as many waiters as there are zombies to collect (reparenting can hand over several).
    private func wakeWaiter(of task: Task) {
        var n = task.zombies.count
        while n > 0 && !task.waiters.isEmpty {
            scheduler.makeRunnable(task.waiters.removeFirst())
            n -= 1
        }
    }

    /// wait: blocks until a child exits; returns its original tid and stores its status.
    func wait(_ t: Thread, statusAddress: UInt32) throws(PebblesError) -> Int32 {
        let task = t.task
        if statusAddress != 0 { try task.space.validate(statusAddress, count: 4, write: true) }
        while task.zombies.head == nil {
            // More waiters than children that could ever exit: some would wait forever.
            guard task.children.count > task.waiters.count else { throw .noChild }
            task.waiters.append(t)
            scheduler.block(.wait)
            if t.mustExit { return 0 }
        }
        let record = task.zombies.removeFirst()!
        // The status pointer was valid before blocking; a sibling thread may have unmapped it
        // since. Then the record goes back and the call fails, consuming nothing.
        if statusAddress != 0 {
            do { try task.space.writeWord(UInt32(bitPattern: record.status), to: statusAddress) } catch {
                task.zombies.append(record)
                throw error
            }
        }
        return record.tid
    }

    /// task_vanish: every thread of the task ends with `status`, the caller on its way out of
    /// this call; threads blocked in the kernel are woken to end on their way out.
    func taskVanish(_ t: Thread, status: Int32) {
        let task = t.task
        task.status = status
        for other in task.threads {
            other.mustExit = true
            wakeForExit(other)
        }
    }

    /// Makes a blocked thread runnable so that it can notice `mustExit`.
    func wakeForExit(_ t: Thread) {
        switch t.state {
        case .blocked(let reason):
            if reason == .sleep { scheduler.removeSleeper(t) }
            if reason == .wait { t.task.waiters.removeAll { $0 === t } }
            if reason == .keyboard { keyboardCancelHook(t) }
            scheduler.makeRunnable(t)
        case .descheduled:
            scheduler.makeRunnable(t)
        default:
            break
        }
    }

    /// Kills the thread with a message; a task losing its last thread this way exits with -2.
    func kill(_ t: Thread, reason: String) {
        let line = "Thread \(t.tid) of task \(t.task.id) (\(t.task.name)) killed: \(reason)"
        consoleWrite(Array((line + "\n").utf8))
        KernelLog.line(line)
        KernelLog.line(registerDump(t.regs, width: 8))
        noteKilled(t)
        if t.task.threads.count == 1 { t.task.status = -2 }
        t.mustExit = true
    }
}
