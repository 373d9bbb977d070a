import Foundation
import Testing

/// Runs the real `pebblebed` binary as a subprocess: one machine per host process (signal
/// handlers, the timer, the guest range and seccomp are process-wide), so no test boots a
/// machine inside the test runner.
struct GuestRun: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String
    let timedOut: Bool
    var description: String { "status \(status)\(timedOut ? " (timed out)" : "")\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

enum Guest {
    /// The package root, from this file's path (Tests/PebblebedTests/Support/GuestRunner.swift).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary under test: $PEBBLEBED_BIN, else the debug build of this package.
    static var binary: String {
        ProcessInfo.processInfo.environment["PEBBLEBED_BIN"] ?? root.appendingPathComponent(".build/debug/pebblebed").path
    }

    /// The RAM disk the Makefile built: $PEBBLEBED_RAMDISK, else build/ramdisk of the package.
    static var ramdisk: String {
        ProcessInfo.processInfo.environment["PEBBLEBED_RAMDISK"] ?? root.appendingPathComponent("build/ramdisk").path
    }

    static func hasProgram(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: ramdisk + "/" + name)
    }

    /// `pebblebed run [options] program args...`
    static func run(_ program: String, _ args: [String] = [], options: [String] = [],
                    stdin: String? = nil, timeout: Double = 60) throws -> GuestRun {
        try launch(["run", "--ramdisk", ramdisk] + options + [program] + args, stdin: stdin, timeout: timeout)
    }

    /// Runs the binary with exactly `arguments`; stdout and stderr go to files so that neither
    /// pipe can fill up and stall the machine.
    /// `whileRunning` is called with the process id every few milliseconds until it ends.
    static func launch(_ arguments: [String], stdin: String? = nil, timeout: Double = 60,
                       whileRunning: ((pid_t) -> Void)? = nil) throws -> GuestRun {
        try ProcessRun.run(binary, arguments, stdin: stdin ?? "", timeout: timeout, whileRunning: whileRunning)
    }
}
