import Foundation

/// `pebblebed trace summary FILE`: a trace written by `--trace` (Trace.swift) read back as text,
/// for a terminal without a browser. Per thread, grouped by task and its program: how often and
/// how long it ran, what it blocked in, its system calls by name, its faults and interrupts, and
/// how it ended (its exit, the task's exit status, a kill and its fault); then a timeline of the
/// lives of the threads (first run, kills, ends).
///
/// A trace cut short (the emulator killed by SIGKILL or a second signal, a write that failed)
/// is not valid JSON; the trace writes one event a line, so the summary then reads the lines
/// that are whole, says that the file is cut short, and summarises what is there.
public struct TraceSummary {
    /// What went wrong reading the file: the message names it.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The time base, from `otherData.timeBase` ("guest instructions", "host microseconds ...").
    public private(set) var timeBase = "unknown (not stated in the file)"
    private var seed: Int?
    private var program: String?
    /// Events read, and whether the file ended with its closing lines.
    public private(set) var eventCount = 0
    public private(set) var complete = false
    private var dropped = 0
    private var stoppedBy: String?
    private var tasks: [Int: TaskInfo] = [:]
    private var lifeEvents: [(ts: Double, order: Int, text: String)] = []

    private struct TaskInfo {
        var programs: [String] = []
        var threads: [Int: ThreadInfo] = [:]
        var exitStatus: Int?
    }

    private struct ThreadInfo {
        var runs = 0
        var runTime = 0.0
        var firstRun: Double?
        var lastEnd = 0.0
        var blocks: [String: Int] = [:]
        var wakes = 0
        var syscalls: [String: Int] = [:]
        var faults: [String: Int] = [:]
        var interrupts: [String: Int] = [:]
        var preemptions = 0
        var exited = false
        var killed: String?
        /// Its exit ended the task (the last thread out).
        var endedTask = false
    }

    /// Reads and summarises the trace at `path`, a line at a time: a long run's trace can be
    /// far larger than the memory its parsed JSON would take, and the summary keeps only
    /// counts. A file that is JSON but not in the trace's line layout (reformatted by another
    /// tool) is read whole.
    public static func read(path: String, chunk: Int = 1 << 20) throws(Failure) -> TraceSummary {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let why = errno == ENOENT
                ? "no such file (write a trace with `pebblebed run --trace FILE PROGRAM`)"
                : "cannot read it (\(String(cString: strerror(errno))))"
            throw Failure(description: "\(path): \(why)")
        }
        defer { close(fd) }
        var summary = TraceSummary()
        var reader = LineReader()
        var buffer = [UInt8](repeating: 0, count: max(chunk, 1))
        var empty = true
        while summary.layout == .header || summary.layout == .events {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            empty = false
            reader.feed(buffer[..<n]) { summary.take(line: $0) }
        }
        if summary.layout != .other, let last = reader.rest { summary.take(line: last[...]) }
        if empty { throw TraceSummary.emptyFailure(path) }
        if summary.layout == .other {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Failure(description: "\(path): cannot read it")
            }
            return try TraceSummary(data: data, name: path)
        }
        try summary.checkHeader(path)
        return summary
    }

    private init() {}

    /// Summarises the bytes of a trace (`name` is for messages).
    public init(data: Data, name: String) throws(Failure) {
        guard !data.isEmpty else { throw TraceSummary.emptyFailure(name) }
        var reader = LineReader()
        reader.feed(Array(data)[...]) { take(line: $0) }
        if layout != .other, let last = reader.rest { take(line: last[...]) }
        if layout == .other {
            self = TraceSummary()
            guard let whole = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let events = whole["traceEvents"] as? [[String: Any]] else {
                throw TraceSummary.notATrace(name)
            }
            readHeader(whole)
            if let end = whole["traceEnd"] as? [String: Any] { readEnd(end) }
            complete = true
            for e in events { add(e) }
            return
        }
        try checkHeader(name)
    }

    private static func emptyFailure(_ name: String) -> Failure {
        Failure(description: "\(name) is empty: no trace was written into it (the run never booted, or the emulator was killed before the trace began)")
    }

    private static func notATrace(_ name: String) -> Failure {
        Failure(description: "\(name) is not a Pebblebed trace (no {\"traceEvents\":[ header line; it was written by `pebblebed run --trace`?)")
    }

    private func checkHeader(_ name: String) throws(Failure) {
        if layout == .header { throw TraceSummary.notATrace(name) }
    }

    /// Where the line reader is in the trace's layout (Trace.swift): a header line ending in
    /// `"traceEvents":[`, one event a line (a comma after each but the last), an empty line,
    /// then `],"traceEnd":{...}}`. A line that is not a whole event before the end is where a
    /// trace cut short ends (the emulator killed, a write that failed): what comes before it
    /// is summarised. `.other`: not this layout at all (the first line is not the header, or
    /// events follow it on the same line), so the file is read as plain JSON.
    private enum Layout { case header, events, cut, ended, other }
    private var layout = Layout.header
    private static let marker = Array(#""traceEvents":["#.utf8)

    private mutating func take(line: ArraySlice<UInt8>) {
        switch layout {
        case .header:
            guard let at = line.firstRange(of: TraceSummary.marker),
                  line[at.upperBound...].allSatisfy({ $0 == 0x20 || $0 == 0x0D }),
                  let header = try? JSONSerialization.jsonObject(with: Data(line[..<at.upperBound] + Array("]}".utf8))) as? [String: Any]
            else {
                layout = .other
                return
            }
            readHeader(header)
            layout = .events
        case .events:
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { return }
            if line.first == UInt8(ascii: "]") {
                if let end = try? JSONSerialization.jsonObject(with: Data(Array(#"{"traceEvents":["#.utf8) + line)) as? [String: Any] {
                    readEnd(end["traceEnd"] as? [String: Any] ?? [:])
                    complete = true
                    layout = .ended
                } else {
                    layout = .cut
                }
                return
            }
            var bytes = line
            if bytes.last == UInt8(ascii: ",") { bytes = bytes.dropLast() }
            guard let event = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                layout = .cut
                return
            }
            add(event)
        case .cut, .ended, .other:
            return
        }
    }

    private mutating func readEnd(_ end: [String: Any]) {
        dropped = end["droppedEvents"] as? Int ?? 0
        stoppedBy = end["stoppedBy"] as? String
    }

    /// Splits bytes fed in chunks into lines (without their newline); `rest` is the last line
    /// when the input does not end with a newline.
    private struct LineReader {
        private var partial: [UInt8] = []

        var rest: [UInt8]? { partial.isEmpty ? nil : partial }

        mutating func feed(_ bytes: ArraySlice<UInt8>, _ line: (ArraySlice<UInt8>) -> Void) {
            var start = bytes.startIndex
            while let nl = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if partial.isEmpty {
                    line(bytes[start..<nl])
                } else {
                    partial += bytes[start..<nl]
                    line(partial[...])
                    partial.removeAll(keepingCapacity: true)
                }
                start = nl + 1
            }
            partial += bytes[start...]
        }
    }

    private mutating func readHeader(_ header: [String: Any]) {
        guard let other = header["otherData"] as? [String: Any] else { return }
        if let base = other["timeBase"] as? String { timeBase = base }
        seed = other["seed"] as? Int
        program = other["program"] as? String
    }

    private var instructions: Bool { timeBase.hasPrefix("guest instructions") }
    private var unit: String { instructions ? "instructions" : timeBase.hasPrefix("host microseconds") ? "µs" : "ts units" }

    /// What an event is: its category, or for traces written before categories, its name.
    private static func category(_ e: [String: Any], _ name: String) -> String {
        if let c = e["cat"] as? String { return c }
        if name.hasPrefix("syscall ") { return "syscall" }
        if name.hasPrefix("block ") { return "block" }
        if name == "timer" || name == "keyboard" { return "interrupt" }
        if name == "wake" || name.hasPrefix("preempt") { return "sched" }
        return "fault"
    }

    private mutating func add(_ e: [String: Any]) {
        eventCount += 1
        guard let name = e["name"] as? String, let ph = e["ph"] as? String, let pid = e["pid"] as? Int else { return }
        let args = e["args"] as? [String: Any] ?? [:]
        if ph == "M" {
            if name == "process_name", let full = args["name"] as? String {
                let prog = full.range(of: ": ").map { String(full[$0.upperBound...]) } ?? full
                if tasks[pid, default: TaskInfo()].programs.last != prog { tasks[pid, default: TaskInfo()].programs.append(prog) }
            }
            return
        }
        guard let tid = e["tid"] as? Int else { return }
        let ts = (e["ts"] as? NSNumber)?.doubleValue ?? 0
        var t = tasks[pid, default: TaskInfo()].threads[tid, default: ThreadInfo()]
        defer { tasks[pid, default: TaskInfo()].threads[tid] = t }
        let who = "task \(pid) thread \(tid)"
        if ph == "X" {
            let dur = (e["dur"] as? NSNumber)?.doubleValue ?? 0
            if t.firstRun == nil {
                t.firstRun = ts
                let prog = tasks[pid]?.programs.first.map { " (\($0))" } ?? ""
                lifeEvents.append((ts, eventCount, "\(who)\(prog) runs for the first time"))
            }
            t.runs += 1
            t.runTime += dur
            t.lastEnd = max(t.lastEnd, ts + dur)
            return
        }
        switch Self.category(e, name) {
        case "syscall": t.syscalls[name, default: 0] += 1
        case "interrupt": t.interrupts[name, default: 0] += 1
        case "block": t.blocks[args["queue"] as? String ?? String(name.dropFirst("block ".count)), default: 0] += 1
        case "sched":
            if name == "wake" { t.wakes += 1 } else { t.preemptions += 1 }
        case "exit":
            if name == "thread exit" {
                t.exited = true
                lifeEvents.append((ts, eventCount, "\(who) exits"))
            } else if name == "task exit" {
                let status = args["status"] as? Int ?? 0
                tasks[pid, default: TaskInfo()].exitStatus = status
                t.endedTask = true
                lifeEvents.append((ts, eventCount, "task \(pid) exits with status \(status)"))
            } else {
                let reason = args["reason"] as? String ?? ""
                t.killed = "\(name): \(reason)"
                lifeEvents.append((ts, eventCount, "\(who) \(name): \(reason)"))
            }
        default: t.faults[name, default: 0] += 1
        }
    }

    private static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int64(v)) : String(format: "%.1f", v)
    }

    private static func counts(_ d: [String: Int]) -> String {
        let total = d.values.reduce(0, +)
        let parts = d.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return "\(total): " + parts.joined(separator: ", ")
    }

    /// The summary as the terminal shows it.
    public var text: String {
        var s = "Trace"
        if let program { s += " of \(program)" }
        if let seed { s += " (seed \(seed))" }
        s += ": times are \(timeBase)\n"
        if complete {
            s += "Complete: \(eventCount) events, \(dropped) dropped"
            if let stoppedBy { s += stoppedBy == "halt" ? "; the machine halted" : "; the machine was stopped by \(stoppedBy)" }
            s += ".\n"
        } else {
            s += "CUT SHORT: the file ends after \(eventCount) whole events without its closing lines "
            s += "(the emulator was killed, or a write failed); this summarises what is there.\n"
        }
        for (pid, task) in tasks.sorted(by: { $0.key < $1.key }) where !task.threads.isEmpty {
            s += "\ntask \(pid): \(task.programs.isEmpty ? "?" : task.programs.joined(separator: " -> exec -> "))"
            if let status = task.exitStatus { s += " (exit status \(status))" }
            s += "\n"
            for (tid, t) in task.threads.sorted(by: { $0.key < $1.key }) {
                s += "  thread \(tid)\n"
                s += "    runs          \(t.runs), \(Self.number(t.runTime)) \(unit) in all"
                if let first = t.firstRun { s += " (first at \(Self.number(first)), last ended at \(Self.number(t.lastEnd)))" }
                s += "\n"
                if !t.blocks.isEmpty { s += "    blocked       \(Self.counts(t.blocks))\n" }
                if t.wakes > 0 { s += "    woken         \(t.wakes)\n" }
                if t.preemptions > 0 { s += "    seeded steps  \(t.preemptions) budgets ran out (a switch when another thread was runnable)\n" }
                s += "    system calls  \(t.syscalls.isEmpty ? "none" : Self.counts(t.syscalls))\n"
                if !t.faults.isEmpty { s += "    faults        \(Self.counts(t.faults))\n" }
                if !t.interrupts.isEmpty { s += "    interrupts    \(Self.counts(t.interrupts))\n" }
                var end: String
                if let killed = t.killed {
                    end = killed + (t.exited ? "; exited" : "")
                } else if t.exited {
                    end = "exited"
                } else {
                    end = complete ? "still alive when the machine stopped" : "still alive where the file ends"
                }
                if t.endedTask, let status = task.exitStatus { end += "; the task exited with status \(status)" }
                s += "    end           \(end)\n"
            }
        }
        if !lifeEvents.isEmpty {
            s += "\nTimeline (\(unit)):\n"
            for e in lifeEvents.sorted(by: { ($0.ts, $0.order) < ($1.ts, $1.order) }) {
                let ts = Self.number(e.ts)
                s += String(repeating: " ", count: max(0, 12 - ts.count)) + ts + "  " + e.text + "\n"
            }
        }
        return s
    }
}
