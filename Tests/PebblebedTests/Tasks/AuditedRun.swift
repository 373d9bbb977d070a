import Foundation
import Testing

/// Guest runs for the task and scheduler suites: always with `--audit`, so the kernel checks
/// after every task exit and at halt that frames, threads and tasks all came back (a failed
/// audit stops the machine with exit code 71 and a report on stderr).
enum Audited {
    static func run(_ program: String, _ args: [String] = [], options: [String] = [],
                    timeout: Double = 120) throws -> GuestRun {
        try Guest.run(program, args, options: ["--audit"] + options, timeout: timeout)
    }

    /// The run ended by itself with `status`, printed the test's PASS line and passed every
    /// audit.
    static func expectPass(_ r: GuestRun, _ name: String, status: Int32 = 0,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!r.timedOut, "\(r)", sourceLocation: sourceLocation)
        #expect(r.status == status, "\(r)", sourceLocation: sourceLocation)
        #expect(r.stdout.contains("PASS \(name)\n"), "\(r)", sourceLocation: sourceLocation)
        #expect(!r.stdout.contains("FAIL"), "\(r)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("audit failed"), "\(r)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("kernel panic"), "\(r)", sourceLocation: sourceLocation)
    }
}
