import Foundation
import Glibc
import Testing

/// --trace streams its events to the file with bounded memory and checks its path before the
/// machine boots (issue 17, 6).
@Suite(.enabled(if: Guest.hasProgram("bench_syscall") && Guest.hasProgram("hello")))
struct TraceStreamingTests {
    /// A system-call loop makes about 20 MB of trace a second. The trace used to stay in memory
    /// until the end (the file stayed empty while the run went on); now the file grows while
    /// the emulator's peak memory stays at a fraction of what it wrote.
    @Test func aLongTraceStreamsToTheFileWithBoundedMemory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.json").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Guest.binary)
        p.arguments = ["run", "--ramdisk", Guest.ramdisk, "--trace", path, "bench_syscall", "2000000000"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) }; p.waitUntilExit() }
        let target = 48 << 20
        let deadline = Date().addingTimeInterval(90)
        var size = 0
        while p.isRunning && Date() < deadline && size < target {
            size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
            usleep(20_000)
        }
        let status = (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/status", encoding: .utf8)) ?? ""
        let peakKB = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? -1
        #expect(size >= target, "the trace file grows while the machine runs (\(size) bytes)")
        #expect(peakKB > 0 && peakKB < 40 << 10, "peak memory \(peakKB) KiB after writing \(size >> 20) MiB of trace")
    }

    /// A short run's trace is complete JSON with every event.
    @Test func aFinishedTraceIsCompleteJSON() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Guest.run("bench_syscall", ["20000"], options: ["--trace", path])
        #expect(r.status == 0, "\(r)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let events = json?["traceEvents"] as? [Any] ?? []
        #expect(events.count > 22_000, "\(events.count) events")
        #expect((json?["traceEnd"] as? [String: Any])?["droppedEvents"] as? Int == 0)
    }

    /// A trace that cannot be written used to be noticed only after the whole run.
    @Test func anUnwritableTracePathIsRefusedBeforeBooting() throws {
        let r = try Guest.run("hello", options: ["--trace", "/nonexistent-dir/t.json"])
        #expect(r.status != 0 && r.stderr.contains("cannot write trace /nonexistent-dir/t.json"), "\(r)")
        #expect(!r.stdout.contains("Hello"), "the guest must not run: \(r)")
    }
}
