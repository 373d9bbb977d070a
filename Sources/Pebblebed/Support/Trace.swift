import Glibc

/// A timeline of a run in the Chrome trace event format (JSON), which Perfetto and
/// chrome://tracing open, and `pebblebed trace summary` reads (TraceSummary.swift): one track per
/// guest thread ("thread TID"), grouped by task ("task ID: program"), with a slice for each
/// stretch it ran, and instant events for system calls (by name), faults, interrupts, blocking
/// and waking, thread ends (`thread exit`: the `vanish` system call names the call, which a
/// killed thread never makes), task ends (`task exit`, with the status) and kills (the
/// fault named).
///
/// The time base is stated in the file: `otherData.timeBase` in the first line. In seeded runs
/// timestamps are guest instructions since boot (so the trace of a seed is itself reproducible),
/// which the viewers label µs; run slices then carry their length as `args.instructions`.
/// Otherwise they are host microseconds since the trace began.
///
/// Events stream to the file through a fixed buffer (`bufferLimit`), one event a line, so memory
/// stays bounded however long the run (issue 17, 6: keeping every event took 399 MB after 20 s
/// of a system-call loop), and a file cut short still reads line by line. The path is checked
/// before the machine boots; if a write fails later (disk full, the file size limit) tracing
/// stops with a note in the kernel log and the file ends where the failure cut it (not valid
/// JSON: the note says how many events were dropped). SIGHUP, SIGINT and SIGTERM stop the
/// machine through its halt, which closes the file (Kernel+HaltSignal.swift); only a second signal,
/// or SIGKILL, leaves it without its closing lines.
public final class Trace {
    private let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var first = true
    private var failed: Int32 = 0   // errno of the write that failed; 0 while writing works
    private var closed = false
    private let start = HostTerminal.monotonicNanoseconds
    /// Whether timestamps count guest instructions (a seeded run) rather than host time.
    private let instructions: Bool
    /// The stretch of the thread that runs now (pid, tid, since): closed when it gives the CPU
    /// back. Numbers, not the thread: an ended thread goes at once (and a reference held across
    /// switches would count as a leak in the task audit).
    private var running: (pid: Int32, tid: Int32, since: UInt64)?
    /// The program name each live task's track was given, and the threads whose track is named:
    /// a name is written once (again after an exec), and forgotten when the thread or task ends,
    /// so these hold live tasks and threads only.
    private var taskNames: [Int32: String] = [:]
    private var namedThreads: Set<Int32> = []
    /// When the trace began, in its own time base.
    private var began: UInt64 = 0
    private(set) var dropped = 0
    private(set) var written = 0
    /// Bytes held before they go to the file: the whole memory a trace uses (with the names).
    static let bufferLimit = 64 << 10

    /// Opens (creates, truncates) the trace file; nil with a message when it cannot be written.
    static func open(path: String) -> (Trace?, String?) {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return (nil, "cannot write trace \(path): \(String(cString: strerror(errno)))") }
        return (Trace(path: path, fd: fd), nil)
    }

    /// Whether `path` can be written as a trace, asked before the machine boots. It creates (and
    /// empties) the file, as the run would.
    public static func checkPath(_ path: String) -> String? {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "cannot write trace \(path): \(String(cString: strerror(errno)))" }
        close(fd)
        return nil
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
        let chaos = kernel?.scheduler.chaos
        instructions = chaos != nil
        buffer.reserveCapacity(Trace.bufferLimit + 512)
        // The time base first, so that a file cut short still says what its numbers are.
        var other = instructions
            ? #""timeBase":"guest instructions","tsUnit":"1 guest instruction (viewers label it 1 µs)","seed":\#(chaos!.seed)"#
            : #""timeBase":"host microseconds since the trace began","tsUnit":"1 µs""#
        if let program = kernel?.options.program { other += #","program":\#(jsonString(program))"# }
        append(#"{"displayTimeUnit":"ns","otherData":{\#(other)},"traceEvents":["# + "\n")
        flush()   // at once: a file cut short by SIGKILL still says what its numbers are
        began = now
    }

    private var now: UInt64 {
        if let c = kernel?.scheduler.chaos { return c.instructions }
        return (HostTerminal.monotonicNanoseconds - start) / 1000
    }

    private func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Trace.bufferLimit { flush() }
    }

    private func flush() {
        guard !buffer.isEmpty else { return }
        if failed == 0 && !HostTerminal.writeAll(fd, buffer) {
            failed = errno
            KernelLog.line("pebblebed: trace \(path): \(String(cString: strerror(failed))); tracing stopped (later events counted as dropped)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func add(_ json: String) {
        guard failed == 0 && !closed else { dropped += 1; return }
        append(first ? json : ",\n" + json)
        first = false
        written += 1
    }

    /// Names the tracks of `t` and its task the first time they appear, and the task's again
    /// when an exec changed its program.
    private func name(_ t: Thread) {
        let pid = t.task.id
        if taskNames[pid] != t.task.name {
            taskNames[pid] = t.task.name
            add(#"{"name":"process_name","ph":"M","pid":\#(pid),"args":{"name":\#(jsonString("task \(pid): \(t.task.name)"))}}"#)
        }
        if namedThreads.insert(t.tid).inserted {
            add(#"{"name":"thread_name","ph":"M","pid":\#(pid),"tid":\#(t.tid),"args":{"name":"thread \#(t.tid)"}}"#)
        }
    }

    private func event(_ name: String, _ category: String, _ t: Thread, args: String? = nil) {
        self.name(t)
        let a = args.map { #","args":{\#($0)}"# } ?? ""
        add(#"{"name":\#(jsonString(name)),"cat":"\#(category)","ph":"i","s":"t","ts":\#(now),"pid":\#(t.task.id),"tid":\#(t.tid)\#(a)}"#)
    }

    /// `next` gets the CPU: its run slice begins (the scheduler loop, or a trace started while
    /// `next` runs).
    func running(_ next: Thread) {
        name(next)
        running = (next.task.id, next.tid, now)
    }

    /// The thread that ran gave the CPU back (blocked, yielded, was preempted or ended): its
    /// slice ends.
    func stopped() {
        guard let r = running else { return }
        running = nil
        let t = now, length = max(t &- r.since, 1)
        let args = instructions ? #","args":{"instructions":\#(length)}"# : ""
        add(#"{"name":"run","cat":"run","ph":"X","ts":\#(r.since),"dur":\#(length),"pid":\#(r.pid),"tid":\#(r.tid)\#(args)}"#)
    }

    /// A trap of `t`: a system call by its name, a fault, an interrupt, a seeded preemption.
    func trap(_ trap: Trap, thread t: Thread) {
        switch trap {
        case .syscall(let v):
            event(Kernel.systemCallTable.name(v), "syscall", t, args: #""vector":"\#(hex(v, width: 2))""#)
        case .pageFault(let a, let w, _):
            event("page fault (\(w ? "write" : "read"))", "fault", t, args: #""address":"\#(hex(a))""#)
        case .exception(let c, let a, _):
            event(exceptionName(c), "fault", t, args: #""cause":"\#(hex(Int(c), width: 2))","address":"\#(hex(a))""#)
        case .breakpoint: event("breakpoint", "fault", t)
        case .timer: event("timer", "interrupt", t)
        case .io: event("keyboard", "interrupt", t)
        case .step: event("preempt (seeded)", "sched", t)
        case .hostSyscall(let n): event("host syscall", "fault", t, args: #""number":\#(n)"#)
        case .segment(let s): event("segment load", "fault", t, args: #""selector":"\#(hex(Int(s), width: 4))""#)
        }
    }

    /// `t` blocks in the wait queue `queue` (wait, sleep, readline, ...).
    func blocked(_ t: Thread, in queue: String) {
        event("block \(queue)", "block", t, args: #""queue":\#(jsonString(queue))"#)
    }

    /// `t` became runnable.
    func woken(_ t: Thread) { event("wake", "sched", t) }

    /// `t` is killed (`fault`: the fault that killed it, if one did; `reason`: the kernel's
    /// message). It ends at its next way out of the kernel, with a `thread exit`.
    func killed(_ t: Thread, fault: String?, reason: String) {
        var args = #""reason":\#(jsonString(reason))"#
        if let fault { args += #","fault":\#(jsonString(fault))"# }
        event(fault.map { "killed (\($0))" } ?? "killed", "exit", t, args: args)
    }

    /// `t` ends (its kernel loop is done); the last thread of its task ends the task, whose
    /// status its parent will collect. The names are forgotten: their tracks are complete.
    func ended(_ t: Thread) {
        let task = t.task
        let last = task.threads.count == 1 && task.threads[0] === t
        event("thread exit", "exit", t)
        if last { event("task exit", "exit", t, args: #""status":\#(task.status)"#) }
        namedThreads.remove(t.tid)
        if last { taskNames[task.id] = nil }
    }

    /// Ends the file when the machine stops or the monitor stops tracing (a second call does
    /// nothing: the descriptor is closed, and its number may belong to another file by then).
    /// `finalThread` is the thread that runs then (nil in idle): its open run slice is closed.
    func write(finalThread: Thread?) {
        guard !closed else { return }
        if running == nil, let t = finalThread { running = (t.task.id, t.tid, began) }   // ran since before the trace
        stopped()
        closed = true
        let signal = kernel?.machine.haltSignal ?? 0
        let stoppedBy = signal != 0 ? jsonString("host signal \(Kernel.signalName(signal))") : #""halt""#
        append("\n" + #"],"traceEnd":{"droppedEvents":\#(dropped),"stoppedBy":\#(stoppedBy)}}"# + "\n")
        flush()
        if failed != 0 { KernelLog.line("pebblebed: trace \(path) is cut short: \(dropped) events dropped") }
        close(fd)
    }
}
