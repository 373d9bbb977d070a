/// Birth and death of tasks and threads: fork, thread_fork, exec, vanish, task_vanish, wait.
extension Kernel {
    /// fork: a new task with a copy-on-write copy of the address space and one thread copied
    /// from the caller. Refused in a multi-threaded task.
    func fork(_ parentThread: Thread) throws(PebblesError) -> Int32 {
        let parent = parentThread.task
        guard parent.threads.count == 1 else { throw .busy }
        let tid = allocateTid()
        do {
            // The child's objects are held only in this scope, not while the child runs
            // (childFirstYield): it may end before the parent runs again.
            let space = try parent.space.forkCopy()
            let child = Task(id: tid, space: space, name: parent.name)
            let thread: Thread
            do { thread = try Thread(tid: tid, task: child, scheduler: scheduler) } catch {
                space.destroy()
                throw error
            }
            thread.frame.copy(from: parentThread.frame)
            thread.frame.eax = 0
            thread.swexn = parentThread.swexn
            child.threads = [thread]
            child.parent = parent
            parent.children.append(child)
            liveTasks += 1
            admit(thread)
        }
        childFirstYield()
        return tid
    }

    /// thread_fork: a new thread in the caller's task with a copy of its registers and no
    /// swexn handler.
    func threadFork(_ creator: Thread) throws(PebblesError) -> Int32 {
        let tid = allocateTid()
        do {
            // The new thread is held only in this scope, not while it runs (childFirstYield).
            let thread = try Thread(tid: tid, task: creator.task, scheduler: scheduler)
            thread.frame.copy(from: creator.frame)
            thread.frame.eax = 0
            creator.task.threads.append(thread)
            admit(thread)
        }
        childFirstYield()
        return tid
    }

    /// A new thread joins the thread table and the run queue; under the child-first policy at
    /// its front.
    private func admit(_ thread: Thread) {
        reserveForVanish()
        threads[thread.tid] = thread
        scheduler.makeRunnable(thread)
        if scheduler.policy.childFirst { scheduler.moveToFront(thread) }
    }

    /// Under the child-first policy the creator gives way to the new thread (at the front of
    /// the queue) before it returns.
    private func childFirstYield() {
        if scheduler.policy.childFirst { scheduler.yield() }
    }

    /// vanish must not allocate: when a task ends, its children are appended to init's list
    /// (when the first task is init). Room for every live task is made here, at
    /// fork/thread_fork, where failing is allowed; the appends in vanish then never grow an
    /// array.
    private func reserveForVanish() {
        if options.firstTaskIsInit { firstTask?.children.reserveCapacity(liveTasks) }
    }

    /// exec: replaces the program. On any error the old program is untouched.
    func exec(_ t: Thread, name: String, arguments: [[UInt8]]) throws(PebblesError) {
        guard t.task.threads.count == 1 else { throw .busy }
        let program: LoadedProgram
        do { program = try ProgramLoader.load(name: name, arguments: arguments) } catch { throw error.error }
        let old = t.task.space
        memory.activate(program.space)
        t.task.space = program.space
        old.destroy()
        t.task.name = name
        program.start(t)
    }

    /// The end of thread `t`, the last step of its kernel loop: it leaves its task and the
    /// thread table, and the last thread out ends the task. Never fails: the exit record was
    /// allocated with the task, and nothing here allocates. The loop then returns, and the
    /// scheduler lets the thread go once it no longer runs on its stack.
    func vanish(_ t: Thread) {
        let task = t.task
        task.threads.removeAll { $0 === t }
        threads[t.tid] = nil
        scheduler.retire(t)
        guard task.threads.isEmpty else { return }
        endTask(task)
        if options.audit {
            audit(context: "after task \(task.id) exited")
            auditTasks(context: "after task \(task.id) exited", exiting: t)
        }
    }

    /// The last thread of `task` is gone: free its memory, hand its children and uncollected
    /// zombies to init (or, with the kernel as init, drop the zombies and leave the children
    /// without a parent), and report its status.
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

    /// Who adopts orphans. A booted machine's first task is its init (as on the reference
    /// kernel, whose init program loops in wait) and adopts them while it lives. A program
    /// started by `pebblebed run` is not init: as if a shell had started it, an init sits above
    /// it, and that init is the kernel, which collects orphans itself (nil): their records are
    /// dropped as they end, so none pile up, and the program's wait() sees only its own
    /// children. Once the first task has ended the kernel collects orphans in either mode, so
    /// leftovers never block halting.
    func initTask(excluding task: Task) -> Task? {
        guard options.firstTaskIsInit, let f = firstTask, f !== task, !f.threads.isEmpty else { return nil }
        return f
    }

    /// Wakes as many waiters as there are zombies to collect (reparenting can hand over several).
    private func wakeWaiter(of task: Task) {
        scheduler.wake(first: task.zombies.count, of: task.waiters)
    }

    /// wait: blocks until a child exits; returns its original tid and stores its status.
    func wait(_ t: Thread, statusAddress: UInt32) throws(PebblesError) -> Int32 {
        let task = t.task
        if statusAddress != 0 { try task.space.validate(statusAddress, count: 4, write: true) }
        while task.zombies.head == nil {
            // More waiters than children that could ever exit: some would wait forever.
            guard task.children.count > task.waiters.count else { throw .noChild }
            scheduler.block(in: task.waiters)
            if t.mustExit { return 0 }
        }
        // The status pointer was valid before blocking; a sibling thread may have unmapped it
        // since (collectZombie then consumes nothing).
        return try collectZombie(of: task, statusAddress: statusAddress)
    }

    /// Takes `task`'s first exit record (there is one), stores its status at `statusAddress`
    /// (0: nowhere) and returns its tid: wait and wait_nohang. If the store fails the record
    /// goes back and the call fails, consuming nothing.
    func collectZombie(of task: Task, statusAddress: UInt32) throws(PebblesError) -> Int32 {
        let record = task.zombies.removeFirst()!
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
    func taskVanish(_ t: Thread, status: Int32) -> SyscallOutcome {
        let task = t.task
        task.status = status
        for other in task.threads {
            other.mustExit = true
            wakeForExit(other)
        }
        return .noReturn
    }

    /// Makes a blocked thread runnable so that it can notice `mustExit`: out of whatever wait
    /// queue it is in, or out of deschedule.
    func wakeForExit(_ t: Thread) {
        switch t.state {
        case .blocked: scheduler.wake(t)
        case .descheduled: scheduler.makeRunnable(t)
        default: break
        }
    }

    /// Kills the thread with a message; a task losing its last thread this way exits with -2.
    /// `fault` names the fault that killed it, if one did (for the trace).
    func kill(_ t: Thread, fault: String? = nil, reason: String) {
        scheduler.trace?.killed(t, fault: fault, reason: reason)
        let line = "Thread \(t.tid) of task \(t.task.id) (\(t.task.name)) killed: \(reason)"
        consoleWrite(Array((line + "\n").utf8))
        KernelLog.echo(line, consoleFD: consoleStream)   // once where the log is the console's stream
        KernelLog.line(t.frame.dump)
        noteKilled(t)
        if t.task.threads.count == 1 { t.task.status = -2 }
        t.mustExit = true
    }
}
