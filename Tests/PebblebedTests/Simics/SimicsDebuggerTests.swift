import Foundation
import Testing

let hostHasGDB = ["/usr/bin/gdb", "/usr/local/bin/gdb"].contains { FileManager.default.isExecutableFile(atPath: $0) }

/// `pebblebed run --gdb` and `--gdb-batch FILE`: the guest under gdb (the kernel's gdb stub,
/// Debugger/) with its symbols. The full debugging session is GDBSessionTests.
@Suite(.enabled(if: Guest.hasProgram("simics_calls") && hostHasGDB))
struct SimicsDebuggerTests {

    private func underGDB(_ commands: String, _ program: String, _ args: [String] = [],
                          options: [String] = []) throws -> GuestRun {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-gdb-\(UUID().uuidString)").path
        try commands.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return try Guest.run(program, args, options: options + ["--gdb-batch", file], timeout: 120)
    }

    @Test func stopsBeforeTheGuestsFirstInstructionWithItsSymbols() throws {
        let r = try underGDB("info symbol $pc\ninfo line *$pc\nbreak main\ncontinue\ninfo line *$pc\ncontinue\n", "hello", ["a", "-b"])
        #expect(!r.timedOut, "\(r)")
        #expect(r.stdout.contains("_main in section .text"), "the entry point: \(r)")
        #expect(r.stdout.contains("of \"lib/crt0.S\""), "\(r)")
        #expect(r.stdout.contains("Breakpoint 1, main ("), "\(r)")
        #expect(r.stdout.contains("of \"hello/hello.c\""), "\(r)")
        #expect(r.stdout.contains("argv[2] = -b"), "the guest ran to completion: \(r)")
        #expect(r.stdout.contains("exited normally"), "\(r)")
    }

    @Test func interactiveGDBConnectsAndQuitsAtEndOfInput() throws {
        let r = try Guest.run("hello", options: ["--gdb"], stdin: "info threads\n", timeout: 120)
        #expect(!r.timedOut, "\(r)")
        #expect(r.stdout.contains("_main () at lib/crt0.S"), "stopped before the first instruction: \(r)")
        #expect(r.stdout.contains("Thread 1 (task 1 (hello)"), "\(r)")
        #expect(r.stderr.contains("pebblebed: gdb connected"), "\(r)")
        #expect(!r.stderr.contains("gdb commands in"), "no command file is written: \(r)")
        #expect(r.status == 137, "gdb's quit at the end of its input kills the machine: \(r)")
    }

    /// A hardware breakpoint on a system-call stub stops there whether the loader redirected
    /// the stub to the gate or left it trapping (issue 20), and the guest then runs on.
    @Test(arguments: [[], ["--no-fastcall"]])
    func breakpointOnAStubStopsEitherWay(options: [String]) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-gdb-\(UUID().uuidString)").path
        try "hbreak gettid\ncontinue\ninfo symbol $pc\ndelete\ncontinue\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try Guest.run("regs", options: options + ["--gdb-batch", file], timeout: 120)
        #expect(!r.timedOut, "\(r)")
        #expect(r.stdout.contains("gettid in section .text"), "\(r)")
        #expect(r.stdout.contains("PASS regs"), "\(r)")
        #expect(r.stdout.contains("exited normally"), "\(r)")
    }

    /// Both with the program's stubs redirected to the system-call gate and trapping.
    @Test(arguments: [[], ["--no-fastcall"]])
    func magicBreakStopsInTheDebuggerAndContinues(options: [String]) throws {
        let r = try underGDB("continue\ncontinue\n", "simics_calls", options: options)
        #expect(!r.timedOut, "\(r)")
        #expect(r.stdout.contains("received signal SIGTRAP"), "\(r)")
        #expect(r.stdout.contains("in sim_call ()"), "stopped right after the magic instruction: \(r)")
        #expect(r.stderr.contains("SIM_BREAKPOINT at eip 0x") && r.stderr.contains("stopping in gdb"), "\(r)")
        #expect(r.stdout.contains("PASS simics_calls"), "\(r)")
        #expect(r.stdout.contains("exited normally"), "\(r)")
    }
}
