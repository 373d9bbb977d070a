/// The kernel's side of the host keys (README "Console"): the monitor's commands, Ctrl-C for
/// the foreground task, scrollback paging. Called from the keyboard interrupt's service, in
/// kernel context with interrupts off; nothing here runs in a signal handler (the drain in
/// CShims/pb_terminal.c only sorted the bytes: monitor keys, Ctrl-C presses, scroll keys).
extension Kernel {
    func serveHostKeys(_ devices: TerminalDevices) {
        let scroll = HostKeys.takeScroll()
        if scroll != 0 { devices.console.scroll(pages: scroll) }
        for _ in 0..<HostKeys.takeInterrupts() { interruptForeground() }
        if devices.monitor.notice != nil {
            // Shown since an earlier interrupt: the next key takes it away.
            devices.monitor.dismissNotice()
            devices.console.show(devices.monitor.overlay)
        }
        guard HostKeys.monitorOpen else { return }
        if devices.monitor.mode == .closed { devices.monitor.open() }
        var actions = devices.monitor.feed(HostKeys.takeMonitorKeys())
        while !actions.isEmpty {
            let action = actions.removeFirst()
            switch action {
            case .quit:
                quitFromKeyboard()
            case .literal(let byte):
                HostKeys.put(byte)
            case .scroll(let pages):
                devices.console.scroll(pages: pages)
            case .command(let line):
                devices.monitor.show(monitorCommand(line))
            case .close(let rest):
                HostKeys.closeMonitor()
                // Keys typed after the monitor closed, in the same read: the guest's, through
                // the filter again (a second Ctrl-] among them opens the monitor again).
                HostKeys.feed(rest)
                if HostKeys.monitorOpen {
                    devices.monitor.open()
                    actions += devices.monitor.feed(HostKeys.takeMonitorKeys())
                }
            }
        }
        devices.console.show(devices.monitor.overlay)
    }

    /// Ctrl-] q or `quit`: the machine halts with the first task's status so far.
    func quitFromKeyboard() -> Never {
        // After the terminal is restored, so the line lands on the user's screen.
        shutdownHooks.append { KernelLog.line("pebblebed: quit from the keyboard (Ctrl-] q)") }
        halt(status: firstTaskStatus ?? firstTask.status)
    }

    /// One monitor command line; the text to show.
    func monitorCommand(_ line: String) -> String {
        let words = line.split(separator: " ").map(String.init)
        switch words.first {
        case "help", "?": return ConsoleMonitor.help
        case "ps": return processTable()
        case "kill":
            guard words.count == 2, let id = Int32(words[1]) else { return "usage: kill TASK (a task id from ps)" }
            guard let task = liveTaskList().first(where: { $0.id == id }) else { return "kill: no live task \(id) (see ps)" }
            killTask(task, reason: "killed from the monitor")
            return "task \(id) (\(task.name)) killed: its threads end as a fault would end them, status -2"
        case "log":
            let lines = KernelLog.history
            return lines.isEmpty ? "(the kernel log is empty)" : lines.joined(separator: "\n")
        case "trace":
            return traceCommand(Array(words.dropFirst()))
        case "quit", "q": quitFromKeyboard()
        default: return "unknown command \"\(words.first ?? "")\"; type help"
        }
    }

    /// `trace start FILE` / `trace stop`: a Chrome trace of part of a run, through the
    /// same entry points a trace from --trace uses.
    private func traceCommand(_ words: [String]) -> String {
        switch (words.first, words.count) {
        case ("start", 2):
            if scheduler.trace != nil { return "trace: a trace is being written already; trace stop first" }
            let (opened, problem) = Trace.open(path: words[1])
            guard let trace = opened else { return "trace: \(problem ?? words[1])" }
            scheduler.trace = trace
            // A trace still open when the machine halts is finished then.
            shutdownHooks.append { [unowned self] in
                if scheduler.trace === trace { trace.write(finalThread: scheduler.current) }
            }
            return "trace: writing \(words[1]); trace stop finishes it"
        case ("stop", 1):
            guard let trace = scheduler.trace else { return "trace: no trace is being written" }
            scheduler.trace = nil
            trace.write(finalThread: scheduler.current)
            return "trace: finished"
        default:
            return "usage: trace start FILE | trace stop"
        }
    }

    /// Tasks with a thread that has not exited, by id.
    func liveTaskList() -> [Task] {
        var seen = Set<ObjectIdentifier>()
        return threads.values.filter { $0.state != .exited }.sorted { $0.tid < $1.tid }
            .compactMap { seen.insert(ObjectIdentifier($0.task)).inserted ? $0.task : nil }
    }

    /// `ps`: each task with its program, parent and status, then its threads and their states.
    func processTable() -> String {
        var out = "TASK  PROGRAM           PARENT  STATUS\n"
        let foreground = foregroundTask()
        for task in liveTaskList() {
            let parent = task.parent.map { String($0.id) } ?? "-"
            out += pad(String(task.id), 6) + pad(task.name, 18) + pad(parent, 8) + String(task.status)
                + (task === foreground ? "  (foreground: Ctrl-C kills it)" : "") + "\n"
            for t in task.threads.sorted(by: { $0.tid < $1.tid }) {
                out += "      thread \(t.tid): \(threadState(t))\n"
            }
        }
        return out
    }

    private func threadState(_ t: Thread) -> String {
        switch t.state {
        case .runnable: return t.mustExit ? "exiting" : "runnable"
        case .running: return "running"
        case .descheduled: return "descheduled"
        case .blocked: return "blocked in \(t.waitingIn?.name ?? "?")"
        case .exited: return "exited"
        }
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    /// Ends every thread of `task` as a fault ends a thread: the task's status is -2 (what its
    /// parent's wait sees), threads blocked in the kernel are woken to end on their way out,
    /// runnable ones end when they next run, before any guest instruction.
    func killTask(_ task: Task, reason: String) {
        KernelLog.line("Task \(task.id) (\(task.name)) \(reason)")
        task.status = -2
        for t in task.threads {
            t.mustExit = true
            wakeForExit(t)
        }
    }

    // MARK: - The foreground task

    /// The task Ctrl-C interrupts: a live child named by its live parent whose own foreground
    /// child (if it named one) has ended. With nested shells that is the innermost job; with
    /// two unrelated namers, the newest task.
    func foregroundTask() -> Task? {
        liveTaskList().compactMap { parent -> Task? in
            guard parent.foreground != 0 else { return nil }
            return parent.children.first { $0.id == parent.foreground && !$0.threads.isEmpty }
        }.filter { child in
            child.foreground == 0 || !child.children.contains { $0.id == child.foreground && !$0.threads.isEmpty }
        }.max { $0.id < $1.id }
    }

    /// One Ctrl-C press while some task named a foreground child: that child is killed, or,
    /// if it has ended meanwhile (the shell had not yet cleared it), the guest gets the byte.
    func interruptForeground() {
        guard let task = foregroundTask() else {
            HostKeys.put(0x03)
            return
        }
        task.parent?.foregroundInterrupted = true
        consoleWrite(Array("^C\n".utf8))
        killTask(task, reason: "interrupted by Ctrl-C")
    }
}
