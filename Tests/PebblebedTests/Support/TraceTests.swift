import Foundation
import Glibc
import Testing
@testable import Pebblebed

/// Traces that read well (issue 18, 6): system calls by name, tracks named by program, exit
/// and kill events, the time base stated, the file closed on SIGHUP/SIGINT/SIGTERM, and
/// `pebblebed trace summary`.
@Suite(.enabled(if: ["sched_with", "fault_null", "fork_wait", "guard_spin", "thr_join_exit", "cat", "fuzz"].allSatisfy(Guest.hasProgram)))
struct TraceTests {
    private static func tracePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).json").path
    }

    /// Runs `program` with --trace and returns the parsed file.
    private static func traced(_ program: String, _ args: [String] = [], options: [String] = [],
                               path: String = tracePath()) throws -> (run: GuestRun, json: [String: Any], events: [[String: Any]]) {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Guest.run(program, args, options: options + ["--trace", path], timeout: 120)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        return (r, json, json["traceEvents"] as? [[String: Any]] ?? [])
    }

    private static func args(_ e: [String: Any]) -> [String: Any] { e["args"] as? [String: Any] ?? [:] }
    private static func named(_ events: [[String: Any]], _ name: String) -> [[String: Any]] {
        events.filter { $0["name"] as? String == name }
    }

    /// `sched_with 0 fault_null` execs: task 1's track is named for both programs, system
    /// calls carry their names (and vectors), never "syscall 0x..".
    @Test func systemCallsAreNamedAndTracksCarryTheirProgram() throws {
        let (r, _, events) = try Self.traced("sched_with", ["0", "fault_null"])
        #expect(r.status == 254, "\(r)")
        let exec = Self.named(events, "exec")
        #expect(exec.count == 1 && exec.first?["cat"] as? String == "syscall", "\(exec)")
        #expect(Self.args(exec.first ?? [:])["vector"] as? String == "0x42")
        #expect(Self.named(events, "misbehave").count == 1)
        #expect(!events.contains { ($0["name"] as? String ?? "").hasPrefix("syscall ") }, "a system call by number")
        let taskNames = Self.named(events, "process_name").filter { $0["pid"] as? Int == 1 }.compactMap { Self.args($0)["name"] as? String }
        #expect(taskNames == ["task 1: sched_with", "task 1: fault_null"], "\(taskNames)")
        let threadNames = Self.named(events, "thread_name").compactMap { Self.args($0)["name"] as? String }
        #expect(threadNames == ["thread 1"], "one name per thread, not one per switch: \(threadNames)")
    }

    /// A kill names its fault; every thread's end is a vanish, every task's end its status.
    @Test func exitAndKillEventsCarryStatusAndFault() throws {
        let killed = try Self.traced("sched_with", ["0", "fault_null"]).events
        let kill = Self.named(killed, "killed (page fault)")
        #expect(kill.count == 1 && kill.first?["cat"] as? String == "exit", "\(kill)")
        #expect(Self.args(kill.first ?? [:])["fault"] as? String == "page fault")
        #expect((Self.args(kill.first ?? [:])["reason"] as? String ?? "").contains("at address 0x00000000"))
        #expect(Self.named(killed, "thread exit").count == 1)
        #expect(Self.named(killed, "task exit").compactMap { Self.args($0)["status"] as? Int } == [-2])

        let (r, _, forked) = try Self.traced("fork_wait")
        #expect(r.status == 0, "\(r)")
        let statuses = Self.named(forked, "task exit").compactMap { e -> String? in
            guard let pid = e["pid"] as? Int, let status = Self.args(e)["status"] as? Int else { return nil }
            return "\(pid):\(status)"
        }
        #expect(statuses.sorted() == ["1:0", "2:20", "3:21", "4:22", "5:23", "6:24"], "\(statuses)")
        #expect(statuses.last == "1:0", "the parent ends last: \(statuses)")
        #expect(Self.named(forked, "thread exit").count == 6)
        #expect(Self.named(forked, "vanish").allSatisfy { $0["cat"] as? String == "syscall" }, "the call is not the end")
    }

    /// The header states the time base; seeded runs count guest instructions and say so in
    /// otherData and in every run slice.
    @Test func theTimeBaseIsStatedInTheFile() throws {
        let host = try Self.traced("fork_wait").json
        #expect(host["displayTimeUnit"] as? String == "ns")
        let hostOther = host["otherData"] as? [String: Any] ?? [:]
        #expect(hostOther["timeBase"] as? String == "host microseconds since the trace began", "\(hostOther)")
        #expect(hostOther["program"] as? String == "fork_wait")

        let (r, seeded, events) = try Self.traced("thr_join_exit", options: ["--seed", "7"])
        #expect(r.status == 0, "\(r)")
        let other = seeded["otherData"] as? [String: Any] ?? [:]
        #expect(other["timeBase"] as? String == "guest instructions", "\(other)")
        #expect(other["seed"] as? Int == 7)
        let runs = events.filter { $0["ph"] as? String == "X" }
        #expect(!runs.isEmpty)
        #expect(runs.allSatisfy { Self.args($0)["instructions"] as? Int == $0["dur"] as? Int }, "\(runs.prefix(3))")
        // The file's first line alone says it: a trace cut short keeps its time base.
        let path = Self.tracePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Guest.run("thr_join_exit", options: ["--seed", "7", "--trace", path], timeout: 120)
        let firstLine = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").first ?? ""
        #expect(firstLine.contains(#""timeBase":"guest instructions""#), "\(firstLine)")
    }

    /// SIGHUP, SIGINT, SIGTERM while a guest computes (unseeded, and seeded: single-stepped):
    /// the machine halts, the trace is whole JSON saying why it ended, and the process still
    /// ends by the signal (a shell sees 128+N: 143 for SIGTERM).
    @Test(arguments: [(SIGTERM, false), (SIGINT, false), (SIGHUP, false), (SIGTERM, true)])
    func aStopSignalClosesTheTrace(_ signal: Int32, _ seeded: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-tracesig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        let path = dir.appendingPathComponent("t.json").path
        try Data().write(to: out)
        try Data().write(to: err)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Guest.binary)
        p.arguments = ["run", "--ramdisk", Guest.ramdisk, "--trace", path] + (seeded ? ["--seed", "3"] : []) + ["guard_spin"]
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning, Date() < deadline,
              !((try? String(contentsOf: out, encoding: .utf8)) ?? "").contains("spinning") {
            usleep(10_000)
        }
        kill(p.processIdentifier, signal)
        let stop = Date().addingTimeInterval(30)
        while p.isRunning && Date() < stop { usleep(5_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == signal,
                "ended \(p.terminationReason == .uncaughtSignal ? "by signal" : "with status") \(p.terminationStatus): \(stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let end = json?["traceEnd"] as? [String: Any] ?? [:]
        #expect(end["stoppedBy"] as? String == "host signal \(Kernel.signalName(signal))", "\(end)")
        #expect(end["droppedEvents"] as? Int == 0)
        let events = json?["traceEvents"] as? [[String: Any]] ?? []
        #expect(events.contains { $0["ph"] as? String == "X" && $0["tid"] as? Int == 1 }, "the spinning thread's run is closed")
        #expect(stderr.contains("\(Kernel.signalName(signal)) from the host: halting the machine"), "\(stderr)")
        if signal != SIGINT { #expect(stderr.contains("stopped the machine"), "\(stderr)") }
    }

    /// The hard fallback: a kernel that cannot get to the halt (here blocked writing to a full
    /// stdout pipe nobody reads; SA_RESTART resumes the write after the noted signal) is ended
    /// by a second signal in the handler, as every signal was before; the trace is then cut
    /// short, and its summary says so.
    @Test func aSecondSignalEndsAKernelThatCannotHalt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-tracesig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let err = dir.appendingPathComponent("err"), path = dir.appendingPathComponent("t.json").path
        try Data().write(to: err)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Guest.binary)
        p.arguments = ["run", "--ramdisk", Guest.ramdisk, "--trace", path, "cat", "fuzz", "fuzz", "fuzz", "fuzz"]
        let stdout = Pipe()   // never read: the console's write blocks once it is full
        p.standardOutput = stdout
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) }; p.waitUntilExit() }
        let deadline = Date().addingTimeInterval(60)
        var wchan = ""
        while p.isRunning && Date() < deadline && !wchan.hasSuffix("pipe_write") {
            usleep(10_000)
            wchan = (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/wchan", encoding: .utf8)) ?? ""
        }
        try #require(wchan.hasSuffix("pipe_write"), "the kernel never blocked on stdout (\(wchan))")
        kill(p.processIdentifier, SIGTERM)   // noted; the kernel stays in its write
        kill(p.processIdentifier, SIGHUP)    // the second: ends it in the handler
        let stop = Date().addingTimeInterval(30)
        while p.isRunning && Date() < stop { usleep(5_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        // Both pending at once, SIGHUP (the lower number) is taken first and SIGTERM ends it.
        #expect(p.terminationReason == .uncaughtSignal && [SIGHUP, SIGTERM].contains(p.terminationStatus), "\(p.terminationStatus): \(stderr)")
        #expect(stderr.contains("stopping the emulator") && !stderr.contains("stopped the machine"), "\(stderr)")
        let s = try Guest.launch(["trace", "summary", path])
        // The header is written at once; the events were still in the trace's buffer.
        #expect(s.stdout.contains("CUT SHORT") && s.stdout.contains("times are host microseconds"), "\(s)")
    }

    /// The summary of a known run: programs, system calls by name, blocks, exit statuses, kills.
    @Test func theSummaryOfAKnownRun() throws {
        let path = Self.tracePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Guest.run("fork_wait", options: ["--trace", path]).status == 0)
        let s = try Guest.launch(["trace", "summary", path])
        #expect(s.status == 0, "\(s)")
        for line in ["times are host microseconds since the trace began", "Complete: ", "the machine halted",
                     "task 1: fork_wait (exit status 0)", "task 2: fork_wait (exit status 20)", "task 6: fork_wait (exit status 24)",
                     "system calls  17: wait 9, fork 5, print 1, swexn 1, task_vanish 1",
                     "    system calls  2: set_status 1, vanish 1", "end           exited; the task exited with status 22",
                     "task 2 exits with status 20", "task 2 thread 2 exits", "task 1 thread 1 (fork_wait) runs for the first time"] {
            #expect(s.stdout.contains(line), "\(line)\n\(s.stdout)")
        }

        defer { try? FileManager.default.removeItem(atPath: path + ".k") }
        _ = try Guest.run("sched_with", ["0", "fault_null"], options: ["--trace", path + ".k"])
        let k = try Guest.launch(["trace", "summary", path + ".k"])
        #expect(k.stdout.contains("task 1: sched_with -> exec -> fault_null (exit status -2)"), "\(k.stdout)")
        #expect(k.stdout.contains("end           killed (page fault): page fault (read) at address 0x00000000"), "\(k.stdout)")
        #expect(k.stdout.contains("system calls  6: swexn 3, exec 1, misbehave 1, print 1"), "\(k.stdout)")
    }

    /// A trace cut mid-line (the emulator killed) is summarised as far as it goes and said to
    /// be cut short; a file that is not a trace is refused with exit status 2.
    @Test func theSummaryOfATraceCutShort() throws {
        let path = Self.tracePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Guest.run("thr_join_exit", options: ["--seed", "7", "--trace", path], timeout: 120).status == 0)
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        let s = try Guest.launch(["trace", "summary", path])
        #expect(s.status == 0, "\(s)")
        #expect(s.stdout.contains("times are guest instructions"), "\(s.stdout)")
        #expect(s.stdout.contains("CUT SHORT: the file ends after"), "\(s.stdout)")
        #expect(s.stdout.contains("task 1: thr_join_exit\n"), "\(s.stdout)")
        #expect(s.stdout.contains("still alive where the file ends"), "\(s.stdout)")

        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: path))
        let bad = try Guest.launch(["trace", "summary", path])
        #expect(bad.status == 2 && bad.stderr.contains("is not a Pebblebed trace"), "\(bad)")
        let missing = try Guest.launch(["trace", "summary", path + ".missing"])
        #expect(missing.status == 2 && missing.stderr.contains("no such file"), "\(missing)")
    }

    /// In process: the summary's reading of the lines of a trace cut inside an event, and the
    /// JSON strings the trace writes for what a guest chose (program names, reasons).
    @Test func theSummaryReadsWholeLinesOfACutTrace() throws {
        let text = """
            {"displayTimeUnit":"ns","otherData":{"timeBase":"guest instructions","seed":4},"traceEvents":[
            {"name":"process_name","ph":"M","pid":1,"args":{"name":"task 1: \\"odd\\" name"}},
            {"name":"run","cat":"run","ph":"X","ts":0,"dur":10,"pid":1,"tid":1,"args":{"instructions":10}},
            {"name":"print","cat":"syscall","ph":"i","s":"t","ts":10,"pid":1,"tid":1},
            {"name":"block readline","cat":"block","ph":"i","s":"t","ts":11,"pid":1,"tid":1,"args":{"queue":"readline"}},
            {"name":"print","cat":"sys
            """
        let s = try TraceSummary(data: Data(text.utf8), name: "t.json")
        #expect(!s.complete && s.eventCount == 4)
        #expect(s.text.contains("task 1: \"odd\" name\n"), "\(s.text)")
        #expect(s.text.contains("runs          1, 10 instructions in all"), "\(s.text)")
        #expect(s.text.contains("system calls  1: print 1") && s.text.contains("blocked       1: readline 1"), "\(s.text)")
        #expect(jsonString("a\"b\\c\u{1}\n") == #""a\"b\\c\u0001\n""#)
    }

    /// `trace summary` reads its file a chunk at a time: lines split across chunks (any chunk
    /// size, down to one byte) give the same summary as the whole file, a complete trace is
    /// complete, one cut short is read as far as it goes, and the same JSON in another layout
    /// (one line, or reformatted) is read whole.
    @Test func theSummaryReadsItsFileInChunks() throws {
        let events = [
            #"{"name":"process_name","ph":"M","pid":1,"args":{"name":"task 1: prog"}}"#,
            #"{"name":"run","cat":"run","ph":"X","ts":0,"dur":10,"pid":1,"tid":1,"args":{"instructions":10}}"#,
            #"{"name":"print","cat":"syscall","ph":"i","s":"t","ts":10,"pid":1,"tid":1}"#,
        ]
        let header = #"{"displayTimeUnit":"ns","otherData":{"timeBase":"guest instructions","seed":4},"traceEvents":["#
        let end = #"],"traceEnd":{"droppedEvents":2,"stoppedBy":"halt"}}"#
        let complete = header + "\n" + events.joined(separator: ",\n") + "\n\n" + end + "\n"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trace-chunks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func summary(_ text: String, chunk: Int) throws -> TraceSummary {
            let path = dir.appendingPathComponent("t.json").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return try TraceSummary.read(path: path, chunk: chunk)
        }
        let whole = try summary(complete, chunk: 1 << 20)
        #expect(whole.complete && whole.eventCount == 3 && whole.text.contains("2 dropped"), "\(whole.text)")
        for chunk in [1, 2, 7, 64] {
            let s = try summary(complete, chunk: chunk)
            #expect(s.complete && s.text == whole.text, "chunk \(chunk)")
        }
        let cut = try summary(String(complete.prefix(header.count + 1 + events[0].count + 2 + 20)), chunk: 5)
        #expect(!cut.complete && cut.eventCount == 1, "\(cut.text)")
        let oneLine = complete.split(separator: "\n").joined()
        let reformatted = complete.replacingOccurrences(of: "{\"name\"", with: "\n  {\"name\"").replacingOccurrences(of: "[\n", with: "[")
        for other in [oneLine, "\n" + reformatted] {
            let s = try summary(other, chunk: 3)
            #expect(s.complete && s.eventCount == 3, "\(other): \(s.text)")
        }
        #expect(throws: TraceSummary.Failure.self) { try summary("{\"x\": 1}\n", chunk: 4) }
        #expect(throws: TraceSummary.Failure.self) { try summary("", chunk: 4) }
    }
}
