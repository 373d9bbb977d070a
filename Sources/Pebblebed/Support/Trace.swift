import CShims
import Glibc

/// A timeline of a run in the Chrome trace event format (JSON), which Perfetto and
/// chrome://tracing open: one track per guest thread (grouped by task) with a slice for each
/// stretch it ran, and instant events for traps, faults, interrupts, blocking and waking.
/// In seeded runs timestamps are guest instructions (shown as microseconds), so the trace of a
/// seed is itself reproducible; otherwise they are host microseconds since boot.
final class Trace {
    private let path: String
    private var events: [String] = []
    private var runningSince: UInt64 = 0
    private let start = pb_monotonic_ns()
    /// Bound on recorded events, so a long run cannot exhaust host memory; noted in the file.
    static let maxEvents = 2_000_000
    private var dropped = 0

    init(path: String) { self.path = path }

    private var now: UInt64 {
        if let c = kernel?.scheduler.chaos { return c.instructions }
        return (pb_monotonic_ns() - start) / 1000
    }

    private func add(_ json: String) {
        guard events.count < Trace.maxEvents else { dropped += 1; return }
        events.append(json)
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

    /// Writes the file; called once when the machine stops.
    func write(finalThread: Thread?) {
        if let t = finalThread { switched(from: t, to: t) }
        var text = #"{"displayTimeUnit":"ns","otherData":{"droppedEvents":\#(dropped)},"traceEvents":[\#n"#
        text += events.joined(separator: ",\n")
        text += "\n]}\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { KernelLog.line("pebblebed: cannot write trace \(path)"); return }
        text.withUTF8 { b in
            var off = 0
            while off < b.count {
                let n = Glibc.write(fd, b.baseAddress! + off, b.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        close(fd)
    }
}
