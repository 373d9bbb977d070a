import Foundation
import Glibc

/// Runs one host process for a test and collects what it did: stdout and stderr go to files in
/// a scratch directory (a pipe could fill up and stall the machine), stdin comes from a file
/// (or /dev/null), and a run past `timeout` is killed and marked. Every way the tests start a
/// binary (Guest.launch, CommandLineRun, ShellRun) goes through here.
enum ProcessRun {
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    directory: URL? = nil, stdin: String? = nil, killGroup: Bool = false,
                    timeout: Double, whileRunning: ((pid_t) -> Void)? = nil) throws -> GuestRun {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        try Data().write(to: out)
        try Data().write(to: err)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let environment { p.environment = environment }
        if let directory { p.currentDirectoryURL = directory }
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        if let stdin {
            let inp = scratch.appendingPathComponent("in")
            try Data(stdin.utf8).write(to: inp)
            p.standardInput = try FileHandle(forReadingFrom: inp)
        } else {
            p.standardInput = FileHandle.nullDevice
        }
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() > deadline {
                timedOut = true
                // A shell script: its group too (the shell and the emulator it started).
                if killGroup { kill(-p.processIdentifier, SIGKILL) }
                kill(p.processIdentifier, SIGKILL)
                break
            }
            whileRunning?(p.processIdentifier)
            usleep(2000)
        }
        p.waitUntilExit()
        return GuestRun(status: p.terminationStatus,
                        stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                        stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "",
                        timedOut: timedOut)
    }
}
