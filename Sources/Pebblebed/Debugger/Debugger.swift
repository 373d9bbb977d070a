import Glibc

/// The gdb remote target inside the kernel (README.md in this folder): one gdb connection, the
/// breakpoints and watchpoints it set, and what the machine does until it stops again.
///
/// All-stop: a stop (breakpoint, step, watchpoint, ^C, a fault) is served on the kernel stack
/// of the thread that stopped, inside the kernel loop (Kernel+Loop.swift), with interrupts
/// off. No other thread runs and no interrupt is served until gdb resumes the machine; the
/// time spent stopped is taken off the tick count.
final class Debugger {
    unowned let kernel: Kernel
    private let listener: Int32
    let port: UInt16
    private(set) var connection: GDBConnection?

    /// A planted int3: the address, the byte it replaced, and the program whose text it is in.
    struct Breakpoint {
        var original: UInt8
        var program: String
        /// The spaces it is planted in (weakly: a task that ends takes its copy with it).
        var spaces: [WeakSpace]
    }
    struct WeakSpace { weak var space: AddressSpace? }
    private(set) var breakpoints: [UInt32: Breakpoint] = [:]

    enum WatchKind: Int { case write = 2, read = 3, access = 4 }
    struct Watchpoint: Equatable {
        var kind: WatchKind
        var address: UInt32
        var length: UInt32
        var pages: ClosedRange<UInt32> { address >> pageShift...(address &+ max(length, 1) &- 1) >> pageShift }
        func covers(_ a: UInt32, write: Bool) -> Bool {
            guard a >= address && a < address &+ max(length, 1) else { return false }
            switch kind {
            case .write: return write
            case .read: return !write
            case .access: return true
            }
        }
    }
    private(set) var watchpoints: [Watchpoint] = []
    /// A thread completing an access to a watched page: its page is shown until the one
    /// instruction has run, then withdrawn again; `hit` is the watchpoint it touched, if any.
    private var watchStep: (tid: Int32, page: UInt32, hit: Watchpoint?, address: UInt32)?

    /// The thread gdb asked to single-step, until its step completes.
    private var stepTid: Int32?
    /// gdb resumed this thread alone: every other thread that would run waits in `parked`
    /// until the next resume. Not in seeded runs (see willRun).
    private var soloTid: Int32?
    private let parked = WaitQueue("debugger")
    /// The resume request asked for a stop after this thread's current trap is handled (a
    /// step that ended in a system call or a fault delivery, a seeded preemption point).
    private var stopAfterHandle: (tid: Int32, reply: String)?
    /// ^C arrived while the guest ran: the next place the kernel looks stops the machine.
    private var interruptRequested = false
    /// The signal gdb resumed the stopped thread with (0: none), for `faultStops`.
    private var resumeSignal = 0

    /// The stop reply of the last stop (the `?` packet repeats it).
    private var lastStop = "S05"
    /// The thread gdb reads registers and memory of (Hg), and the one that stopped last.
    private var generalTid: Int32 = 0
    private var stoppedTid: Int32 = 0
    /// Not yet past the stop before the guest's first instruction.
    private var started = false
    /// gdb is gone (detach, kill, closed connection): the machine runs on without it.
    private(set) var detached = false

    init(kernel: Kernel, listener: Int32) {
        self.kernel = kernel
        self.listener = listener
        port = GDBConnection.boundPort(listener) ?? 0
    }

    var active: Bool { !detached }

    // MARK: kernel-loop hooks (Kernel+Loop.swift calls these)

    /// Before thread `t` runs: the first stop, then keeping watched pages out of the host
    /// (every access faults). Returns true if this run must be one instruction (a step).
    /// A thread that may not run now (another one was resumed alone) waits in `parked` first;
    /// the caller checks `mustExit` afterwards (an exit wakes parked threads too).
    /// In seeded runs and replayed schedules nothing is parked: the seed or the schedule
    /// decides who runs, and a step does not change that, so the run stays the seed's (a
    /// thread the seed switches to while gdb steps another over a breakpoint runs without the
    /// breakpoints gdb took out for the step).
    func willRun(_ t: Thread) -> Bool {
        if !started { firstStop(t) }
        guard !detached else { return false }
        if !controlled {
            while let solo = soloTid, solo != t.tid, !t.mustExit, !detached, let s = kernel.threads[solo],
                  !s.isBlockedInKernel {
                kernel.scheduler.block(in: parked)
            }
            releaseParkedIfSoloBlocked()
            if t.mustExit { return false }
        }
        if let w = watchStep, w.tid == t.tid { return true }
        if !watchpoints.isEmpty {
            for w in watchpoints {
                for page in w.pages { t.task.space.withdrawForDebugger(page) }
            }
        }
        return stepTid == t.tid
    }

    /// Whether `trap` of `t` is the debugger's (a planted breakpoint, its step, a watched page);
    /// then it has been served and the kernel loop runs the thread again. Otherwise the kernel
    /// handles it as usual (and `afterHandle` may stop then).
    func claim(_ trap: Trap, from t: Thread, stepped: Bool) -> Bool {
        guard !detached else { return false }
        if let w = watchStep, w.tid == t.tid {
            if trap == .step {
                watchStep = nil
                t.task.space.withdrawForDebugger(w.page)
                var reply: String? = nil
                if let hit = w.hit {
                    let address = max(w.address, hit.address)
                    let key = hit.kind == .write ? "watch" : hit.kind == .read ? "rwatch" : "awatch"
                    reply = "T05\(key):\(String(address, radix: 16));thread:\(hexTid(t.tid));"
                } else if stepTid == t.tid {
                    reply = stopReply(5, t)
                }
                return finishStep(t, reply: reply)
            }
            return false   // an interrupt or a second page first: served as usual, the step goes on
        }
        switch trap {
        case .breakpoint where breakpoints[t.frame.eip &- 1] != nil:
            t.frame.eip &-= 1   // gdb wants the stop at the breakpoint's address
            stepTid = nil
            stop(t, reply: "T05swbreak:;thread:\(hexTid(t.tid));")
            return true
        case .step where stepped && stepTid == t.tid:
            return finishStep(t, reply: stopReply(5, t))
        case .breakpoint where stepped && stepTid == t.tid && kernel.plantedBreakpoint(t) != nil:
            // The step ran into a preemption point's int3 (Explore/: the entry of a thread-
            // library function, a data-race point), which may sit under a breakpoint of gdb's
            // that gdb took out to step over it. The kernel counts the point, as without gdb,
            // and carries out the instruction the int3 covers: the step is done after that.
            stopAfterHandle = (t.tid, stopReply(5, t))
            return false
        case .pageFault(let address, let write, false) where watched(address >> pageShift):
            let page = address >> pageShift
            guard t.task.space.handleFault(at: address, write: write) != .violation else {
                if faultStops(t, cause: 0x0E) {
                    kernel.deliverFault(t, cause: 0x0E, address: address, detail: write ? "write" : "read")
                }
                return true
            }
            watchStep = (t.tid, page, watchpoints.first { $0.covers(address, write: write) }, address)
            return true
        case .syscall:
            // A step that ends in a system call stops once the kernel has served it (the
            // instruction has then completed). One that faults (a page fills in) runs the
            // instruction again; a fault for the guest stops in faultStops.
            if stepped && stepTid == t.tid { stopAfterHandle = (t.tid, stopReply(5, t)) }
            return false
        default:
            return false
        }
    }

    /// A step of the debugger's completed (`.step`); `reply` is the stop to report, if any.
    /// The last instruction of a seeded budget is also the seed's preemption point: then the
    /// kernel must see that entry as it would without a debugger, and the stop comes after it.
    private func finishStep(_ t: Thread, reply: String?) -> Bool {
        if kernel.scheduler.chaos != nil && kernel.machine.stepBudget <= 0 {
            if let reply { stopAfterHandle = (t.tid, reply) }
            return false
        }
        if let reply { stop(t, reply: reply) }
        return true
    }

    /// A fault about to reach the guest (its swexn handler, or a kill): gdb sees it first, as
    /// the matching signal at the faulting instruction (after an int3 of the guest's own).
    /// Returns whether the guest gets it: gdb resumed with the signal (its default for SIGSEGV,
    /// SIGFPE, SIGILL), not without (SIGTRAP's default; a fault then happens again). Called by
    /// the kernel loop as it delivers, so seeded runs see the trap exactly as without gdb.
    func faultStops(_ t: Thread, cause: UInt32) -> Bool {
        guard !detached else { return true }
        resumeSignal = 0
        stop(t, reply: stopReply(Debugger.signal(forCause: cause), t))
        return detached || resumeSignal != 0
    }

    /// After the kernel handled a trap of `t`: a stop it asked for, or ^C.
    func afterHandle(_ t: Thread) {
        guard !detached else { return }
        if let s = stopAfterHandle, s.tid == t.tid {
            stopAfterHandle = nil
            if !t.mustExit { stop(t, reply: s.reply); return }
            stepTid = nil
        }
        if interruptRequested && !t.mustExit {
            interruptRequested = false
            stop(t, reply: stopReply(2, t))
        }
    }

    /// Whether the thread must keep the CPU (a watched access is half done: another thread
    /// of its task would find the page shown).
    /// Also a thread resumed alone keeps it (a timer tick's preemption waits for the next
    /// resume), unless the seed decides (seeded runs).
    func holdsCPU(_ t: Thread) -> Bool {
        watchStep?.tid == t.tid || (soloTid == t.tid && !controlled)
    }

    /// A seed (`--seed`, with or without `--points`) or a replayed schedule decides who runs:
    /// gdb's stops and steps must not change that, or the interleaving would not be the one
    /// found without gdb.
    private var controlled: Bool { kernel.scheduler.chaos != nil || kernel.points != nil }

    /// MAGIC_BREAK (SIM_BREAKPOINT) in the guest: a stop, as Simics makes it, at the
    /// instruction after the magic one.
    func magicBreak(_ t: Thread) {
        stop(t, reply: stopReply(5, t))
    }

    /// At each timer tick, seeded entry and idle pass: has gdb sent ^C?
    func pollInterrupt() {
        guard let c = connection, !detached, !interruptRequested else { return }
        if c.interruptArrived() {
            if c.closed { detach() } else { interruptRequested = true }
        }
    }

    /// The thread resumed alone blocked in the kernel (gdb stepped it over a breakpoint on a
    /// system call's `int`, say wait or thr_join): the others must run, or it might wait for
    /// them forever (its step completes when the call returns). Checked when another thread
    /// would run and in idle.
    func releaseParkedIfSoloBlocked() {
        guard let solo = soloTid, kernel.threads[solo]?.isBlockedInKernel ?? true, !parked.isEmpty else { return }
        kernel.scheduler.wake(first: parked.count, of: parked)
    }

    /// Idle with ^C pending: no thread runs, so the stop is reported for the lowest live one.
    func stopWhileIdle() {
        guard interruptRequested, !detached else { return }
        interruptRequested = false
        guard let t = kernel.threads.values.min(by: { $0.tid < $1.tid }) else { return }
        stop(t, reply: stopReply(2, t))
    }

    /// A thread ended: said on gdb's console (it learns the thread list at the next stop).
    func threadExits(_ t: Thread) {
        if stepTid == t.tid { stepTid = nil }
        if soloTid == t.tid {
            // Nothing would ever run again: the others go on, as gdb then expects.
            soloTid = nil
            kernel.scheduler.wake(first: parked.count, of: parked)
        }
        if watchStep?.tid == t.tid { watchStep = nil }
        guard let c = connection, !detached else { return }
        let last = t.task.threads.count == 1 ? ", the last of task \(t.task.id), status \(t.task.status)" : ""
        c.send("O" + RSP.hex(Array("[pebblebed: thread \(t.tid) of task \(t.task.id) (\(t.task.name)) exited\(last)]\n".utf8)))
    }

    /// The machine halts: gdb hears that the inferior exited with `status`, then the stub waits
    /// (a bounded time) for gdb to close the connection.
    func machineHalts(status: Int32) {
        guard let c = connection, !detached else { return }
        detached = true
        c.send("W" + RSP.hex(UInt8(truncatingIfNeeded: status)))
        while let event = c.receive(timeoutMilliseconds: 2000) {
            if case .packet = event { c.send("") }
        }
        c.close()
    }

    // MARK: stops

    private func firstStop(_ t: Thread) {
        started = true
        KernelLog.line("pebblebed: waiting for gdb on 127.0.0.1:\(port) (in gdb: target remote :\(port))")
        // Waiting for gdb is stopped time too: the guest starts at tick 0 however long it took.
        let waitStart = kernel.machine.nanoseconds
        let accepted = GDBConnection.accept(listener)
        kernel.pausedNanoseconds += kernel.machine.nanoseconds - waitStart
        guard let c = accepted else {
            KernelLog.line("pebblebed: gdb stub: accepting the connection failed; running without gdb")
            detached = true
            return
        }
        close(listener)
        connection = c
        generalTid = t.tid
        stoppedTid = t.tid
        lastStop = stopReply(5, t)
        KernelLog.line("pebblebed: gdb connected; the guest is stopped before its first instruction")
        serve()
    }

    func stopReply(_ signal: Int, _ t: Thread) -> String {
        "T" + RSP.hex(UInt8(signal)) + "thread:\(hexTid(t.tid));"
    }

    private func stop(_ t: Thread, reply: String) {
        guard let c = connection, !detached else { return }
        stepTid = nil
        // gdb has its stop: one still pending for another thread (whose step a preemption
        // point interrupted: the schedule ran this thread first) is no longer awaited.
        stopAfterHandle = nil
        generalTid = t.tid
        stoppedTid = t.tid
        lastStop = reply
        c.send(reply)
        serve()
    }

    /// Serves gdb until it resumes the machine (or goes away). The time spent here does not
    /// count as ticks: the guest must not find that time raced ahead while it was stopped.
    private func serve() {
        let pausedAt = kernel.machine.nanoseconds
        kernel.stoppedSince = pausedAt
        defer {
            kernel.pausedNanoseconds += kernel.machine.nanoseconds - pausedAt
            kernel.stoppedSince = nil
        }
        while let c = connection, !detached {
            guard let event = c.receive() else { detach(); return }
            guard case .packet(let payload) = event else { continue }   // ^C while stopped: nothing to do
            switch handlePacket(payload) {
            case .reply(let text): c.send(text)
            case .resume: return
            case .noReply: break
            }
        }
    }

    enum Outcome { case reply(String), resume, noReply }

    /// gdb is gone: the machine runs on without breakpoints or watchpoints.
    func detach() {
        soloTid = nil
        kernel.scheduler.wake(first: parked.count, of: parked)
        for (address, _) in breakpoints { removeBreakpoint(address) }
        watchpoints.removeAll()
        watchStep = nil
        stepTid = nil
        detached = true
        connection?.close()
        KernelLog.line("pebblebed: gdb detached; the machine runs on")
    }

    // MARK: packets

    private func handlePacket(_ payload: [UInt8]) -> Outcome {
        let text = String(decoding: payload, as: UTF8.self)
        guard let first = text.first else { return .reply("") }
        let rest = text.dropFirst()
        switch first {
        case "?": return .reply(lastStop)
        case "g":
            guard let t = thread(generalTid) else { return .reply("E01") }
            return .reply(RSP.hex(GuestRegisters.readAll(t.frame)))
        case "G":
            guard let t = thread(generalTid), let bytes = RSP.bytes(fromHex: rest.utf8),
                  GuestRegisters.writeAll(bytes, to: t.frame) else { return .reply("E01") }
            return .reply("OK")
        case "p":
            guard let n = RSP.number(rest), let t = thread(generalTid),
                  let bytes = GuestRegisters.read(Int(n), of: t.frame) else { return .reply("E01") }
            return .reply(RSP.hex(bytes))
        case "P":
            let parts = rest.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let n = RSP.number(parts[0]), let t = thread(generalTid),
                  let bytes = RSP.bytes(fromHex: parts[1].utf8),
                  GuestRegisters.write(Int(n), bytes, to: t.frame) else { return .reply("E01") }
            return .reply("OK")
        case "m":
            let parts = rest.split(separator: ",")
            guard parts.count == 2, let a = RSP.number(parts[0]), let n = RSP.number(parts[1]),
                  n >= 0, n <= 0x10000 else { return .reply("E01") }
            guard let bytes = readMemory(UInt32(truncatingIfNeeded: a), count: Int(n)) else { return .reply("E14") }
            return .reply(RSP.hex(bytes))
        case "M":
            let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let head = parts.first?.split(separator: ",") ?? []
            guard parts.count == 2, head.count == 2, let a = RSP.number(head[0]), let n = RSP.number(head[1]),
                  let bytes = RSP.bytes(fromHex: parts[1].utf8), bytes.count == Int(n) else { return .reply("E01") }
            return .reply(writeMemory(UInt32(truncatingIfNeeded: a), bytes) ? "OK" : "E14")
        case "X":
            // Binary write: the header is text up to the first ':', the data escaped binary.
            guard let colon = payload.firstIndex(of: UInt8(ascii: ":")) else { return .reply("E01") }
            let head = String(decoding: payload[1..<colon], as: UTF8.self).split(separator: ",")
            let bytes = RSP.unescape(payload[(colon + 1)...])
            guard head.count == 2, let a = RSP.number(head[0]), let n = RSP.number(head[1]),
                  bytes.count == Int(n) else { return .reply("E01") }
            return .reply(writeMemory(UInt32(truncatingIfNeeded: a), bytes) ? "OK" : "E14")
        case "Z", "z":
            return .reply(breakpointPacket(insert: first == "Z", rest))
        case "H":
            // Hg: the thread registers and memory come from; Hc (old-style step/continue
            // target) is taken as a hint for `s` only.
            guard let kind = rest.first, let n = RSP.number(rest.dropFirst()) else { return .reply("E01") }
            if n > 0 && thread(Int32(truncatingIfNeeded: n)) == nil { return .reply("E02") }
            let tid = Int32(truncatingIfNeeded: n)
            if kind == "g" { generalTid = n > 0 ? tid : stoppedTid }
            if kind == "c" { continueHint = n > 0 ? tid : nil }
            return .reply("OK")
        case "T":
            guard let n = RSP.number(rest), thread(Int32(truncatingIfNeeded: n)) != nil else { return .reply("E01") }
            return .reply("OK")
        case "c", "C", "s", "S":
            var signal = 0
            if first == "C" || first == "S" {
                signal = Int(RSP.number(rest.split(separator: ";").first ?? "0") ?? 0)
            }
            // The old-style step resumes only the thread it steps.
            let step = first == "s" || first == "S" ? (continueHint ?? stoppedTid) : nil
            resume(step: step, signal: signal, solo: step)
            return .resume
        case "v":
            return vPacket(text)
        case "q", "Q":
            if text == "QStartNoAckMode" {
                // Acknowledged in the old mode, then no more acknowledgements either way.
                connection?.send("OK")
                connection?.acknowledging = false
                return .noReply
            }
            return .reply(query(text))
        case "D":
            connection?.send("OK")
            detach()
            return .resume
        case "k":
            kill()
            return .resume
        default:
            return .reply("")
        }
    }

    private var continueHint: Int32?

    private func vPacket(_ text: String) -> Outcome {
        if text == "vCont?" { return .reply("vCont;c;C;s;S") }
        if text == "vMustReplyEmpty" { return .reply("") }
        if text.hasPrefix("vKill") {
            connection?.send("OK")   // gdb waits for it before it closes the connection
            kill()
            return .resume
        }
        guard text.hasPrefix("vCont;") else { return .reply("") }
        var step: Int32? = nil
        var signal = 0
        // The threads that resume: all, if an action names no thread (or -1); else the named ones.
        var named = Set<Int32>()
        var all = false
        for action in text.dropFirst("vCont;".count).split(separator: ";") {
            let parts = action.split(separator: ":", maxSplits: 1)
            guard let verb = parts.first?.first else { continue }
            let tid = parts.count == 2 ? RSP.number(parts[1]).map { Int32(truncatingIfNeeded: $0) } : nil
            let target = tid.flatMap { $0 > 0 ? $0 : nil } ?? stoppedTid
            if let tid, tid > 0 { named.insert(tid) } else { all = true }
            switch verb {
            case "s", "S":
                if step == nil { step = target }
                if verb == "S", target == stoppedTid { signal = Int(RSP.number(parts[0].dropFirst()) ?? 0) }
            case "C":
                if target == stoppedTid { signal = Int(RSP.number(parts[0].dropFirst()) ?? 0) }
            default:
                break
            }
        }
        // One named thread alone: gdb steps a thread over a breakpoint it has taken out (or
        // scheduler-locking is on); no other thread may run meanwhile.
        resume(step: step, signal: signal, solo: !all && named.count == 1 ? named.first : nil)
        return .resume
    }

    /// Leaves the stop: the signal for the stopped thread (a fault's delivery, see
    /// faultStops), the step, the threads that may run.
    private func resume(step: Int32?, signal: Int, solo: Int32?) {
        resumeSignal = signal
        stepTid = step
        soloTid = solo
        // Threads parked by the last solo resume look again (willRun parks them anew if so).
        kernel.scheduler.wake(first: parked.count, of: parked)
    }

    /// gdb killed the program: the machine halts (exit code 137, as a host process killed by
    /// SIGKILL reports it).
    private func kill() {
        detached = true
        connection?.close()
        KernelLog.line("pebblebed: gdb killed the program; halting")
        kernel.halt(status: 137)
    }

    private func query(_ text: String) -> String {
        if text.hasPrefix("qSupported") {
            return "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+"
        }
        if text.hasPrefix("qXfer:features:read:target.xml:") {
            let range = text.dropFirst("qXfer:features:read:target.xml:".count).split(separator: ",")
            guard range.count == 2, let offset = RSP.number(range[0]), let length = RSP.number(range[1]) else { return "E01" }
            let xml = Array(TargetDescription.xml.utf8)
            let start = min(Int(offset), xml.count)
            let end = min(start + Int(length), xml.count)
            return (end < xml.count ? "m" : "l") + String(decoding: xml[start..<end], as: UTF8.self)
        }
        if text.hasPrefix("qXfer:") { return "E00" }
        if text == "qfThreadInfo" {
            let tids = liveThreads().map { hexTid($0.tid) }
            return tids.isEmpty ? "l" : "m" + tids.joined(separator: ",")
        }
        if text == "qsThreadInfo" { return "l" }
        if text == "qC" { return "QC" + hexTid(stoppedTid) }
        if text.hasPrefix("qAttached") { return "0" }
        if text.hasPrefix("qThreadExtraInfo,") {
            guard let n = RSP.number(text.dropFirst("qThreadExtraInfo,".count)),
                  let t = thread(Int32(truncatingIfNeeded: n)) else { return "E01" }
            return RSP.hex(Array(describe(t).utf8))
        }
        if text.hasPrefix("qRcmd,") {
            guard let bytes = RSP.bytes(fromHex: text.dropFirst("qRcmd,".count).utf8) else { return "E01" }
            let out = monitor(String(decoding: bytes, as: UTF8.self))
            return out.isEmpty ? "OK" : RSP.hex(Array(out.utf8))
        }
        if text.hasPrefix("qSymbol") { return "OK" }
        return ""
    }

    /// "task 1 (prog), running" and what a blocked thread waits in.
    func describe(_ t: Thread) -> String {
        var state: String
        switch t.state {
        case .runnable: state = "runnable"
        case .running: state = "running"
        case .descheduled: state = "descheduled"
        case .blocked: state = "blocked in \(t.waitingIn?.name ?? "?")"
        case .exited: state = "exited"
        }
        if t.tid == stoppedTid { state = "stopped here (was \(state))" }
        return "task \(t.task.id) (\(t.task.name)), \(state)"
    }

    // MARK: memory and breakpoints

    func thread(_ tid: Int32) -> Thread? {
        kernel.threads[tid] ?? (tid == 0 ? kernel.threads[stoppedTid] : nil)
    }

    func liveThreads() -> [Thread] {
        kernel.threads.values.filter { $0.state != .exited }.sorted { $0.tid < $1.tid }
    }

    private var selectedTask: Task? { thread(generalTid)?.task ?? thread(stoppedTid)?.task }
    private var space: AddressSpace? { selectedTask?.space }

    /// Memory as the guest sees it, with the original bytes where breakpoints are planted.
    /// (Also in a child forked since the breakpoint was planted: it shares the planted text.)
    /// The kernel's own preemption points (a replayed schedule, a seed at points) are hidden
    /// too, after gdb's: a breakpoint of gdb's on a thread-library entry has the kernel's int3
    /// as its original byte.
    private func readMemory(_ address: UInt32, count: Int) -> [UInt8]? {
        guard let task = selectedTask, var bytes = task.space.debuggerRead(address, count: count) else { return nil }
        let inRange = { (a: UInt32) in a >= address && UInt64(a) < UInt64(address) + UInt64(count) }
        for (a, bp) in breakpoints where inRange(a) {
            let i = Int(a - address)
            if bp.spaces.contains(where: { $0.space === task.space }) || (task.name == bp.program && bytes[i] == 0xCC) {
                bytes[i] = bp.original
            }
        }
        if let p = kernel.points, task.name == p.program {
            for (a, point) in p.breakpoints where inRange(a) && bytes[Int(a - address)] == PreemptionPoints.int3 {
                bytes[Int(a - address)] = point.original
            }
        }
        return bytes
    }

    /// A write by gdb: where a breakpoint is planted, the new byte becomes its original and
    /// the int3 stays.
    private func writeMemory(_ address: UInt32, _ bytes: [UInt8]) -> Bool {
        guard let space else { return false }
        var data = bytes
        for (a, bp) in breakpoints where a >= address && UInt64(a) < UInt64(address) + UInt64(bytes.count) {
            if bp.spaces.contains(where: { $0.space === space }) {
                breakpoints[a]!.original = data[Int(a - address)]
                data[Int(a - address)] = 0xCC
            }
        }
        do { try space.debuggerWrite(data, at: address) } catch { return false }
        return true
    }

    private func breakpointPacket(insert: Bool, _ rest: Substring) -> String {
        let parts = rest.split(separator: ",")
        guard parts.count >= 3, let type = Int(parts[0]), let a = RSP.number(parts[1]),
              let length = RSP.number(parts[2]) else { return "E01" }
        let address = UInt32(truncatingIfNeeded: a)
        switch type {
        case 0, 1:
            // Z1 (hbreak) is served the same way: an int3 hidden from gdb's reads, no limit of 4.
            if insert { return plantBreakpoint(address) ? "OK" : "E14" }
            removeBreakpoint(address)
            return "OK"
        case 2, 3, 4:
            // Inside user memory, at most a page long (a watched range never wraps around).
            guard UInt64(address) >= UInt64(GuestLayout.userStart), length > 0, length <= 4096,
                  UInt64(address) + UInt64(length) <= 0x1_0000_0000 else { return "E01" }
            let w = Watchpoint(kind: WatchKind(rawValue: type)!, address: address, length: UInt32(length))
            if insert {
                if !watchpoints.contains(w) { watchpoints.append(w) }
            } else {
                watchpoints.removeAll { $0 == w }
            }
            return "OK"
        default:
            return ""
        }
    }

    /// Plants an int3 at `address` in the text of the stopped thread's task and of every live
    /// task running the same program with the same byte there (fork children share the code).
    private func plantBreakpoint(_ address: UInt32) -> Bool {
        guard breakpoints[address] == nil else { return true }
        guard let home = thread(generalTid)?.task ?? thread(stoppedTid)?.task,
              let original = home.space.debuggerRead(address, count: 1)?.first else { return false }
        var bp = Breakpoint(original: original, program: home.name, spaces: [])
        for task in liveTasks() where task.name == home.name {
            let byte = task.space.debuggerRead(address, count: 1)?.first
            if byte == original {
                do { try task.space.debuggerWrite([0xCC], at: address, shareReadOnly: seededText) } catch { continue }
            } else if !(seededText && byte == 0xCC) {
                continue   // different code there: not this program's text
            }   // else: the text frame it shares with a task planted before is planted already
            bp.spaces.append(WeakSpace(space: task.space))
        }
        guard !bp.spaces.isEmpty else { return false }
        breakpoints[address] = bp
        return true
    }

    /// Puts the original byte back wherever the int3 is: the spaces it was planted in, and
    /// children forked since (they copied the planted text).
    private func removeBreakpoint(_ address: UInt32) {
        guard let bp = breakpoints.removeValue(forKey: address) else { return }
        for task in liveTasks() where task.name == bp.program || bp.spaces.contains(where: { $0.space === task.space }) {
            guard task.space.debuggerRead(address, count: 1)?.first == 0xCC else { continue }
            try? task.space.debuggerWrite([bp.original], at: address, shareReadOnly: seededText)
        }
    }

    /// Seeded runs plant breakpoints in text frames shared by fork relatives in place (see
    /// AddressSpace.debuggerWrite): the seed's interleaving then stays what it is without gdb.
    private var seededText: Bool { kernel.scheduler.chaos != nil }

    func liveTasks() -> [Task] {
        var seen = Set<ObjectIdentifier>()
        var out: [Task] = []
        for t in liveThreads() where seen.insert(ObjectIdentifier(t.task)).inserted { out.append(t.task) }
        return out
    }

    private func watched(_ page: UInt32) -> Bool {
        watchpoints.contains { $0.pages.contains(page) }
    }

    func hexTid(_ tid: Int32) -> String { String(tid, radix: 16) }

    /// The gdb signal number for an x86 exception vector.
    static func signal(forCause cause: UInt32) -> Int {
        switch cause {
        case 0x00, 0x10, 0x13: 8    // SIGFPE
        case 0x01, 0x03: 5          // SIGTRAP
        case 0x06: 4                // SIGILL
        case 0x11: 10               // SIGBUS
        default: 11                 // SIGSEGV
        }
    }
}
