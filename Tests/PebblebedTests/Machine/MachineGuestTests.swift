import Foundation
import Testing

/// The machine issue's end-to-end checks: native guests, traps, exit codes, refused programs.
@Suite(.serialized) struct MachineGuestTests {
    @Test func helloPrintsItsArguments() throws {
        let r = try Guest.run("hello", ["a", "b"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("argv[0] = hello\nargv[1] = a\nargv[2] = b"), "\(r)")
    }

    @Test func missingProgramIsAClearError() throws {
        let r = try Guest.run("no-such-program")
        #expect(r.status == 2)
        #expect(r.stderr.contains("no-such-program: no such program"), "\(r)")
    }

    /// Runs `bytes` as a guest program given by host path.
    private func runHostFile(_ bytes: Data) throws -> GuestRun {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("guest-\(UUID().uuidString)")
        try bytes.write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        return try Guest.run(path.path)
    }

    @Test func hostFileThatIsNotAnELFIsRefused() throws {
        let r = try runHostFile(Data("just text\n".utf8))
        #expect(r.status == 2)
        #expect(r.stderr.contains("not an ELF"), "\(r)")
    }

    @Test func sixtyFourBitELFIsRefusedWithAnI386Message() throws {
        let r = try Guest.run("/bin/true")
        #expect(r.status == 2)
        #expect(r.stderr.contains("32-bit i386"), "\(r)")
    }

    @Test func truncatedELFIsRefused() throws {
        let hello = try Data(contentsOf: URL(fileURLWithPath: Guest.ramdisk + "/hello"))
        let r = try runHostFile(hello.prefix(200))
        #expect(r.status == 2)
        #expect(r.stderr.contains("truncated"), "\(r)")
    }
}

/// Guest faults kill the thread with one line naming the fault, address and eip; status -2.
@Suite struct GuestFaultTests {
    static let cases: [(program: String, message: String)] = [
        ("fault_null", "page fault (read) at address 0x00000000"),
        ("fault_low", "page fault (write) at address 0x00800000"),
        ("fault_high", "page fault (read) at address 0xc0000000"),
        ("fault_text", "page fault (write) at address 0x01001000"),
        ("fault_ud2", "invalid opcode"),
        ("fault_int3", "breakpoint"),
        ("fault_div0", "divide error"),
    ]

    @Test(arguments: cases.map(\.program))
    func faultKillsWithItsMessage(program: String) throws {
        let expected = Self.cases.first { $0.program == program }!.message
        let r = try Guest.run(program)
        #expect(r.status == 254, "status -2 as a host exit code: \(r)")
        let killLine = r.stdout.split(separator: "\n").first { $0.contains("killed:") }
        #expect(killLine?.contains("Thread 1 of task 1 (\(program)) killed: \(expected)") == true, "\(r)")
        #expect(killLine?.contains("eip 0x010") == true, "\(r)")
        #expect(r.stdout.contains("\(program): "), "the program ran before faulting: \(r)")
    }
}

@Suite struct GuestStateTests {
    @Test func registersSurviveTraps() throws {
        let r = try Guest.run("regs")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS regs"), "\(r)")
    }

    @Test(arguments: [0, 7, 255, 256, -1])
    func exitStatusBecomesTheHostExitCode(status: Int) throws {
        let r = try Guest.run("exitcode", [String(status)])
        #expect(r.status == Int32(truncatingIfNeeded: status & 0xff), "\(r)")
    }
}
