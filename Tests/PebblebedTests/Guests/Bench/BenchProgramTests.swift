import Foundation
import Testing

/// The benchmark suite's guest side (examples/bench, run by `make bench`): the clock extension
/// behaves, and every bench program runs to completion and reports. Tiny counts; nothing here
/// checks a time.
@Suite(.serialized) struct BenchProgramTests {
    @Test func clockExtensionStoresAdvancingTimesAndRejectsBadBuffers() throws {
        let r = try Guest.run("hrclock")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS hrclock"), "\(r)")
    }

    @Test(arguments: [
        ("bench_syscall", ["100"], "syscall"), ("bench_yield", ["50"], "yield"),
        ("bench_yield_many", ["64", "200"], "yield_pingpong_64"), ("bench_yield_many", ["64", "2000", "any"], "yield_any_64"),
        ("bench_fork", ["3"], "fork"), ("bench_exec", ["3"], "exec"),
        ("bench_fault", ["1"], "cow"), ("bench_fault", ["1"], "zfod"),
        ("bench_asswitch", ["1", "20"], "asswitch_1mib"), ("bench_mandel", ["20", "10", "5"], "mandel"),
    ])
    func benchProgramReports(program: String, args: [String], result: String) throws {
        let r = try Guest.run(program, args)
        #expect(r.status == 0, "\(r)")
        let line = r.stdout.split(separator: "\n").first { $0.hasPrefix("BENCH \(result) ") }
        let fields = line?.split(separator: " ") ?? []
        #expect(fields.count == 5, "\(r)")
        if fields.count == 5 { #expect(Int(fields[4]) ?? 0 > 0, "\(r)") }
    }
}
