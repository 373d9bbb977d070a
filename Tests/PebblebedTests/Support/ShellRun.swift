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
        var env = ProcessInfo.processInfo.environment
        env["BIN"] = Guest.binary
        env["RAMDISK"] = Guest.ramdisk
        env["DIR"] = dir.path
        return try ProcessRun.run("/bin/sh", ["-c", script], environment: env, killGroup: true, timeout: timeout)
    }
}
