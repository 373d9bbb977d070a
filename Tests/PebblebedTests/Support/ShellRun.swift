import Foundation
import Glibc

/// Runs a /bin/sh script that starts the emulator with descriptors arranged as a shell user
/// would (`<&-`, `exec 3<>fifo ... <&3`, ulimit); $BIN and $RAMDISK name the binary and the RAM
/// disk, $DIR a scratch directory. The script's stdout and stderr go to files.
enum ShellRun {
    static func launch(_ script: String, timeout: Double = 60) throws -> GuestRun {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-sh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        try Data().write(to: out)
        try Data().write(to: err)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        var env = ProcessInfo.processInfo.environment
        env["BIN"] = Guest.binary
        env["RAMDISK"] = Guest.ramdisk
        env["DIR"] = dir.path
        p.environment = env
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() > deadline {
                timedOut = true
                // The whole group: the shell and the emulator it started.
                kill(-p.processIdentifier, SIGKILL)
                kill(p.processIdentifier, SIGKILL)
                break
            }
            usleep(2000)
        }
        p.waitUntilExit()
        return GuestRun(status: p.terminationStatus,
                        stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                        stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "",
                        timedOut: timedOut)
    }
}
