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

    @Test func hostFileThatIsNotAnELFIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notelf-\(UUID().uuidString)")
        try Data("just text\n".utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let r = try Guest.run(path.path)
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
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trunc-\(UUID().uuidString)")
        try hello.prefix(200).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let r = try Guest.run(path.path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("truncated"), "\(r)")
    }
}
