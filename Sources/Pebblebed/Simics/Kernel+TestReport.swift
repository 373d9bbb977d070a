import Glibc

/// `--timeout` and `--report`: when the machine stops, and what the host exit code says.
extension Kernel {
    /// Halts the machine once `--timeout` has passed; called on every timer tick, in idle too.
    func checkTimeout() {
        guard let limit = options.simics.timeoutNanoseconds,
              machine.nanoseconds - bootNanoseconds >= limit else { return }
        testReport.timedOut = true
        KernelLog.line("kernel: timeout: the machine ran \(limit / 1_000_000) ms; halting")
        halt(status: SimicsOptions.timeoutExitCode)
    }

    /// The host exit code for a halt with `status`: the status itself (low 8 bits), or with
    /// `--report` the verdict, printed to stdout and the log after the console has shut down.
    func exitCode(haltStatus status: Int32) -> Int32 {
        guard options.simics.report else { return status & 0xff }
        noteEndedTestTasks()
        if !testReport.timedOut { testReport.halted = true }
        var lines = testReport.verdicts.map(\.description)
        if lines.isEmpty {
            lines = ["verdict: FAIL: no test report lines (\(TestReport.prefix)NAME START__TYPE_...) seen"]
        }
        for line in lines {
            KernelLog.line(line)
            if KernelLog.fd != 1 { print(line) }
        }
        return testReport.passed ? 0 : 1
    }
}
