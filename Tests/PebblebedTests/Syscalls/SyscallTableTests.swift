import Foundation
import Testing
@testable import Pebblebed

/// The kernel's system-call table and the guest's syscall_int.h and syscalls.list must agree:
/// the numbers live in the table, and this test fails when either guest file drifts from it.
@Suite struct SyscallTableTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")
    /// Rows with no guest stub: sim_call is patched into programs by the loader (Simics/), the
    /// debug panic trigger exists only for the kernel's own panic tests.
    static let kernelOnly: Set<String> = ["sim_call", "debug_panic"]

    /// NAME_INT -> vector, from syscall_int.h.
    func headerVectors() throws -> [String: Int] {
        let text = try String(contentsOf: Self.examples.appendingPathComponent("include/syscall_int.h"), encoding: .utf8)
        var vectors: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 3, f[0] == "#define", f[1].hasSuffix("_INT"), f[2].hasPrefix("0x"),
                  let v = Int(f[2].dropFirst(2), radix: 16) else { continue }
            vectors[String(f[1])] = v
        }
        return vectors
    }

    /// (stub name, NAME_INT, args column) from syscalls.list.
    func stubRows() throws -> [(String, String, String)] {
        let text = try String(contentsOf: Self.examples.appendingPathComponent("lib/syscalls.list"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            return f.count >= 3 ? (f[0], f[1], f[2]) : nil
        }
    }

    func macro(_ call: SystemCall) -> String { call.name.uppercased() + "_INT" }

    @Test func everyHeaderVectorIsATableRowAndBack() throws {
        let header = try headerVectors()
        let table = Kernel.systemCallTable.calls.filter { !Self.kernelOnly.contains($0.name) }
        for c in table {
            #expect(header[macro(c)] == c.vector, "\(macro(c)) in syscall_int.h should be \(hex(c.vector, width: 2))")
        }
        let names = Set(table.map(macro))
        for (name, v) in header where !names.contains(name) {
            #expect(Bool(false), "syscall_int.h defines \(name) = \(hex(v, width: 2)), which the kernel's table lacks")
        }
    }

    @Test func everyStubMatchesItsRowsShape() throws {
        let rows = try stubRows()
        let byMacro = Dictionary(uniqueKeysWithValues: Kernel.systemCallTable.calls.map { (macro($0), $0) })
        for (stub, vectorName, args) in rows {
            guard let call = byMacro[vectorName] else {
                #expect(Bool(false), "stub \(stub) uses \(vectorName), which is not in the table")
                continue
            }
            let parts = args.split(separator: ":")
            let shape: ArgumentShape = switch parts[0] {
            case "0": .none
            case "1": .single
            default: .packet(0)
            }
            switch (call.arguments, shape) {
            case (.none, .none), (.single, .single), (.packet, .packet): break
            default: #expect(Bool(false), "stub \(stub) passes its arguments as \(args), the table says \(call.arguments)")
            }
            #expect(call.noReturn == (parts.count > 1 && parts[1] == "noreturn"), "stub \(stub): noreturn disagrees")
        }
        let stubbed = Set(rows.map { $0.1 })
        // Calls whose trap is written by hand where it is used: thread_fork in the thread
        // library (examples/libthread/thread_fork.S: the child must not return through a stub
        // frame on the parent's stack), bench_clock inline in the benchmark programs
        // (examples/bench/bench.h: no stub call in what they time).
        let inline: Set<String> = ["thread_fork", "bench_clock"]
        for c in Kernel.systemCallTable.calls where !Self.kernelOnly.contains(c.name) && !inline.contains(c.name) {
            #expect(stubbed.contains(macro(c)), "\(c.name) has no stub in syscalls.list")
        }
    }

    @Test func vectorsAreUniqueAndInTheTrapRange() {
        let calls = Kernel.systemCallTable.calls
        #expect(Set(calls.map(\.vector)).count == calls.count)
        for c in calls {
            #expect((0x41...0x8F).contains(c.vector) && c.vector != 0x80, "\(c.name): \(c.vector)")
            #expect(Kernel.systemCallTable.call(c.vector)?.name == c.name)
        }
        #expect(Kernel.systemCallTable.call(0x43) == nil)
        #expect(Kernel.systemCallTable.call(-1) == nil && Kernel.systemCallTable.call(300) == nil)
    }
}
