import Foundation
import Glibc

/// Runs the real binary with stdin a pipe fed in timed chunks (so input can arrive while a
/// reader is blocked and SIGIO has to wake it), stdout and stderr to files.
enum PipedRun {
    struct Chunk {
        var delay: Double
        var bytes: [UInt8]
        init(after delay: Double = 0, _ text: String) {
            self.delay = delay
            bytes = Array(text.utf8)
        }
    }

    static func launch(_ arguments: [String], input: [Chunk], closeInput: Bool = true,
                       timeout: Double = 30) throws -> GuestRun {
        // A machine that exits early closes the pipe; the write must fail, not kill the runner.
        signal(SIGPIPE, SIG_IGN)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-pipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        try Data().write(to: out)
        try Data().write(to: err)
        let stdin = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Guest.binary)
        process.arguments = arguments
        process.standardInput = stdin
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let writer = stdin.fileHandleForWriting.fileDescriptor
        for chunk in input {
            usleep(UInt32(chunk.delay * 1_000_000))
            _ = chunk.bytes.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
        }
        if closeInput { try stdin.fileHandleForWriting.close() }
        let timedOut = waitOrKill(process, timeout: timeout)
        return GuestRun(status: process.terminationStatus,
                        stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                        stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "",
                        timedOut: timedOut)
    }

    /// True if the process had to be killed.
    private static func waitOrKill(_ process: Process, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return true
            }
            usleep(2000)
        }
        process.waitUntilExit()
        return false
    }
}
