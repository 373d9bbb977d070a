import Foundation

/// Runs a `pebblebed` binary (any copy of it) with exactly the given environment and working
/// directory, so a test can show that nothing leads it back to this checkout.
enum CommandLineRun {
    static func launch(_ binary: String, _ arguments: [String], environment: [String: String],
                       directory: URL, timeout: Double = 120) throws -> GuestRun {
        try ProcessRun.run(binary, arguments, environment: environment, directory: directory, timeout: timeout)
    }

    /// An environment with nothing of Pebblebed's in it (no PEBBLEBED_RAMDISK/HOME) and a PATH
    /// of system folders only.
    static var bareEnvironment: [String: String] {
        ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": FileManager.default.temporaryDirectory.path, "LANG": "C.UTF-8"]
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
