import Foundation
import Testing
@testable import Pebblebed

extension InProcessKernel {
    /// The monitor's `trace start` / `trace stop` (issue 18, 1 and 6) on a scripted machine: a
    /// trace begun while a thread runs starts with that thread's run, and ending it twice (the
    /// monitor's stop, then the halt) leaves one whole file.
    @Suite struct TraceInProcessTests {
        @Test func aTraceStartedWhileAThreadRunsBeginsWithItsRunAndEndsOnce() throws {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let k = try FakeKernel()
            let (opened, problem) = Trace.open(path: path)
            let trace = try #require(opened, "\(problem ?? "")")
            // The second stop of thread 1 starts the trace, as the monitor would while it runs.
            k.machine.scripts[1] = [.call("gettid"),
                                    .init(trap: .syscall(vector: Vectors.of("gettid"))) { _ in k.kernel.scheduler.trace = trace },
                                    .call("set_status", esi: 3)]
            #expect(k.run() == 3)
            trace.write(finalThread: nil)   // the monitor's stop...
            trace.write(finalThread: nil)   // ...and the halt's: nothing more
            k.kernel.scheduler.trace = nil
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            let events = json?["traceEvents"] as? [[String: Any]] ?? []
            let names = events.compactMap { $0["name"] as? String }
            #expect(names.filter { $0 == "gettid" }.count == 1, "only the call after the start: \(names)")
            #expect(names.contains("set_status") && names.contains("thread exit"), "\(names)")
            let runs = events.filter { $0["ph"] as? String == "X" && $0["tid"] as? Int == 1 }
            #expect(runs.count == 1, "thread 1 ran when the trace began: \(events)")
            let end = events.first { $0["name"] as? String == "task exit" }
            #expect((end?["args"] as? [String: Any])?["status"] as? Int == 3)
            let task = events.first { $0["name"] as? String == "process_name" }
            #expect((task?["args"] as? [String: Any])?["name"] as? String == "task 1: init")
        }
    }
}
