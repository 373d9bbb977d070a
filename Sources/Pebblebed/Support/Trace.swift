import Glibc

/// A timeline of a run in the Chrome trace event format (JSON), which Perfetto and
/// chrome://tracing open: one track per guest thread (grouped by task) with a slice for each
/// stretch it ran, and instant events for traps, faults, interrupts, blocking and waking.
/// In seeded runs timestamps are guest instructions (shown as microseconds), so the trace of a
/// seed is itself reproducible; otherwise they are host microseconds since boot.
///
/// Events stream to the file through a fixed buffer (`bufferLimit`), so memory stays bounded
/// however long the run (issue 17, 6: keeping every event took 399 MB after 20 s of a system-call
/// loop). The path is checked before the machine boots; if a write fails later (disk full, the
/// file size limit) tracing stops with a note in the kernel log and the file ends where the
/// failure cut it (not valid JSON: the note says how many events were dropped). A run ended
/// by a host signal leaves the file as far as it was flushed, without its closing lines: the
/// signal handlers only restore the terminal (they cannot run this Swift code safely).
public final class Trace {
    private let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var first = true
    private var failed: Int32 = 0   // errno of the write that failed; 0 while writing works
    private var runningSince: UInt64 = 0
    private let start = HostTerminal.monotonicNanoseconds
    private(set) var dropped = 0
    private(set) var written = 0
    /// Bytes held before they go to the file: the whole memory a trace uses.
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
        let (trace, problem) = open(path: path)
        if let trace { close(trace.fd) }
        return problem
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
        buffer.reserveCapacity(Trace.bufferLimit + 512)
        append(#"{"displayTimeUnit":"ns","traceEvents":["# + "\n")
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
        guard failed == 0 else { dropped += 1; return }
        append(first ? json : ",\n" + json)
        first = false
        written += 1
    }

    func switched(from prev: Thread?, to next: Thread) {
        let t = now
        if let p = prev {
            add(#"{"name":"run","ph":"X","ts":\#(runningSince),"dur":\#(max(t - runningSince, 1)),"pid":\#(p.task.id),"tid":\#(p.tid)}"#)
        }
        runningSince = t
        add(#"{"name":"thread_name","ph":"M","pid":\#(next.task.id),"tid":\#(next.tid),"args":{"name":"thread \#(next.tid)"}}"#)
    }

    func instant(_ name: String, thread t: Thread) {
        add(#"{"name":"\#(name)","ph":"i","s":"t","ts":\#(now),"pid":\#(t.task.id),"tid":\#(t.tid)}"#)
    }

    /// Ends the file; called once when the machine stops.
    func write(finalThread: Thread?) {
        if let t = finalThread { switched(from: t, to: t) }
        append("\n" + #"],"otherData":{"droppedEvents":\#(dropped)}}"# + "\n")
        flush()
        if failed != 0 { KernelLog.line("pebblebed: trace \(path) is cut short: \(dropped) events dropped") }
        close(fd)
    }
}
