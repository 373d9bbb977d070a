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

    /// Reads and summarises the trace at `path`.
    public static func read(path: String) throws(Failure) -> TraceSummary {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path)
                ? "cannot read it (check its permissions)"
                : "no such file (write a trace with `pebblebed run --trace FILE PROGRAM`)"
            throw Failure(description: "\(path): \(why)")
        }
        return try TraceSummary(data: data, name: path)
    }

    /// Summarises the bytes of a trace (`name` is for messages).
    public init(data: Data, name: String) throws(Failure) {
        guard !data.isEmpty else {
            throw Failure(description: "\(name) is empty: no trace was written into it (the run never booted, or the emulator was killed before the trace began)")
        }
        if let whole = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let events = whole["traceEvents"] as? [[String: Any]] {
            readHeader(whole)
            if let end = whole["traceEnd"] as? [String: Any] {
                dropped = end["droppedEvents"] as? Int ?? 0
                stoppedBy = end["stoppedBy"] as? String
            }
            complete = true
            for e in events { add(e) }
            return
        }
        try readLines(data, name: name)
    }

    /// The file is not whole JSON: read it as the trace writes it, one event a line after the
    /// header line, up to the first line that is not a whole event.
    private mutating func readLines(_ data: Data, name: String) throws(Failure) {
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let marker = Array(#""traceEvents":["#.utf8)
        guard let head = lines.first, let at = head.firstRange(of: marker),
              let header = try? JSONSerialization.jsonObject(with: Data(head[..<at.upperBound] + Array("]}".utf8))) as? [String: Any]
        else {
            throw Failure(description: "\(name) is not a Pebblebed trace (no {\"traceEvents\":[ header line; it was written by `pebblebed run --trace`?)")
        }
        readHeader(header)
        for line in lines.dropFirst() {
            var bytes = line[...]
            if bytes.last == UInt8(ascii: ",") { bytes = bytes.dropLast() }
            guard let event = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { break }
            add(event)
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
