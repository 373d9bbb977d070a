import Glibc

/// SIGHUP, SIGINT and SIGTERM stop the machine through its halt (issue 18, 6), so the trace and
/// the log are closed by the code that writes them. The host signal handler cannot run that
/// code (it may interrupt the kernel anywhere); it notes the signal and raises a timer interrupt
/// (CShims/pb_terminal.c, Machine/README.md "Stops"), whose service, like idle, looks here.
/// A guest spinning in user mode takes the interrupt at once, a kernel busy in a host call at
/// its next way out, an idle kernel wakes. If the kernel does not get there, a second signal
/// ends the process in the handler, as every signal did before.
extension Kernel {
    /// Halts the machine if a host signal asked for it; the process then ends by that signal
    /// (`halt` asks the machine again after the shutdown hooks).
    func serveHaltSignal() {
        let signal = machine.haltSignal
        guard signal != 0 else { return }
        KernelLog.line("kernel: \(Kernel.signalName(signal)) from the host: halting the machine")
        halt(status: firstTaskStatus ?? firstTask?.status ?? 0)
    }

    /// SIGTERM for 15: the stop signals by name, for the log and the trace.
    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGHUP: "SIGHUP"
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}
