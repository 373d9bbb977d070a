/// `monitor` commands (qRcmd): the kernel's own view of the stopped machine, the way Simics
/// shows the TLB and descriptor tables. Each returns the text gdb prints.
extension Debugger {
    static let monitorHelp = """
        monitor ps            tasks and threads: state, what each waits in, eip
        monitor pt [TID]      the page table of TID's task (default: the selected thread)
        monitor frames        physical frames: used, free, reserved
        monitor log [N]       the last N kernel log lines (default 50)
        monitor sched         current thread, run queue, sleepers, ticks, policy

        """

    func monitor(_ command: String) -> String {
        let words = command.split(separator: " ")
        switch words.first {
        case "ps": return processList()
        case "pt":
            let tid = words.count > 1 ? Int32(words[1]) : nil
            if words.count > 1 && tid == nil { return "monitor pt: not a thread id: \(words[1])\n" }
            return pageTable(tid: tid)
        case "frames": return frameUsage()
        case "log":
            let n = words.count > 1 ? Int(words[1]) ?? 50 : 50
            let lines = KernelLog.history.suffix(max(0, n))
            return lines.isEmpty ? "(the kernel log is empty)\n" : lines.joined(separator: "\n") + "\n"
        case "sched": return schedulerState()
        case nil, "help": return Debugger.monitorHelp
        default: return "unknown monitor command \"\(command)\"\n" + Debugger.monitorHelp
        }
    }

    private func processList() -> String {
        var out = "TASK  PROGRAM           STATUS  PARENT  THREADS\n"
        for task in liveTasks() {
            out += pad(String(task.id), 6) + pad(task.name, 18) + pad(String(task.status), 8)
                + pad(task.parent.map { String($0.id) } ?? "-", 8) + String(task.threads.count) + "\n"
            for t in task.threads.sorted(by: { $0.tid < $1.tid }) {
                out += "      thread \(t.tid): \(describe(t).split(separator: ",", maxSplits: 1).last!.dropFirst()), eip \(hex(t.frame.eip))\n"
            }
        }
        return out
    }

    private func pageTable(tid: Int32?) -> String {
        guard let t = thread(tid ?? 0) ?? (tid == nil ? liveThreads().first : nil) else {
            return "monitor pt: no thread \(tid.map(String.init) ?? "")\n"
        }
        let space = t.task.space
        var out = "page table of task \(t.task.id) (\(t.task.name)), via thread \(t.tid)\n"
        out += "PAGES                    COUNT  PROT  KIND      FRAMES            HOST\n"
        // Runs of pages with the same flags and consecutive frames, one line each.
        var run: (first: UInt32, last: UInt32, e: PageTableEntry)? = nil
        func flush() {
            guard let r = run else { return }
            let e = r.e
            let prot = e.flags.contains(.writable) ? "rw" : "r-"
            var kind = e.flags.contains(.zeroFill) ? "ZFOD" : e.flags.contains(.copyOnWrite) ? "COW" : "private"
            if kind == "private" && memory.pool.references(e.frame) > 1 { kind = "shared" }
            if e.flags.contains(.newPages) { kind += "+np" }
            let count = r.last - r.first + 1
            let frames = e.flags.contains(.zeroFill) ? "-"
                : count == 1 ? String(e.frame.rawValue) : "\(e.frame.rawValue)-\(e.frame.rawValue + count - 1)"
            let host = e.flags.contains(.inHost) ? (e.flags.contains(.hostWritable) ? "shown rw" : "shown r") : "-"
            out += pad("\(hex(r.first << pageShift))-\(hex((r.last + 1) << pageShift &- 1))", 25)
                + pad(String(count), 7) + pad(prot, 6) + pad(kind, 10) + pad(frames, 18) + host + "\n"
        }
        space.table.forEachPresent { page, e in
            if let r = run, page == r.last + 1, e.flags == r.e.flags,
               e.flags.contains(.zeroFill) || e.frame.rawValue == r.e.frame.rawValue + (page - r.first) {
                run!.last = page
            } else {
                flush()
                run = (page, page, e)
            }
        }
        flush()
        if !space.regions.isEmpty {
            out += "new_pages regions: " + space.regions.sorted { $0.key < $1.key }
                .map { "\(hex($0.key << pageShift)) (\($0.value) pages)" }.joined(separator: ", ") + "\n"
        }
        return out
    }

    private func frameUsage() -> String {
        let p = memory.pool
        let total = p.usedCount + p.freeCount
        return """
            frames: \(total) of 4 KiB (\(total * 4) KiB)
              used      \(p.usedCount) (frame 0 is the shared zero frame)
              free      \(p.freeCount)
              reserved  \(p.reserved) (promised to zero-fill and copy-on-write pages)
              available \(p.available) (free minus reserved)

            """
    }

    private func schedulerState() -> String {
        let s = kernel.scheduler
        var out = "ticks \(kernel.ticks) (\(kernel.options.hz) Hz)\(s.chaos != nil ? ", seeded (virtual time)" : "")\n"
        out += "current: " + (s.current.map { "thread \($0.tid) (\($0.task.name))" } ?? "none (idle)") + "\n"
        let queue = s.runQueue.all
        out += "run queue: " + (queue.isEmpty ? "empty" : queue.map { "\($0.tid)" }.joined(separator: " ")) + "\n"
        let sleepers = s.sleepers.threads
        out += "sleepers: " + (sleepers.isEmpty ? "none" : sleepers.map { "\($0.tid) until tick \($0.wakeTick)" }.joined(separator: ", ")) + "\n"
        let blocked = liveThreads().filter { $0.isBlockedInKernel && $0.waitingIn !== s.sleepers }
        out += "blocked: " + (blocked.isEmpty ? "none" : blocked.map { "\($0.tid) in \($0.waitingIn?.name ?? "deschedule")" }.joined(separator: ", ")) + "\n"
        out += "policy: quantum \(s.policy.quantum) tick(s)\(s.policy.lifo ? ", LIFO" : "")\(s.policy.yieldOnTrap ? ", yield on every trap" : "")\n"
        return out
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
