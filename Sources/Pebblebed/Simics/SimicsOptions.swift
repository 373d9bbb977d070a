/// Boot options for running 15-410 test programs (`pebblebed run --report --timeout`).
public struct SimicsOptions: Sendable {
    /// Turn the test report lines into verdicts and the exit code (0 pass, 1 fail).
    public var report = false
    /// Halt the machine this long after boot (exit code 124 without `report`).
    public var timeoutNanoseconds: UInt64? = nil

    public init() {}

    /// The exit code when the timeout halts a machine that is not judging a test (as timeout(1)).
    public static let timeoutExitCode: Int32 = 124
}
