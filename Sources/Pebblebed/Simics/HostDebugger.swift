import Glibc

/// The host debugger (gdb, or any ptrace tracer) as MAGIC_BREAK's target.
enum HostDebugger {
    /// True when a tracer is attached: TracerPid in /proc/self/status is not 0.
    static var isAttached: Bool {
        let fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return false }
        let text = String(decoding: buffer[..<n], as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("TracerPid:") }) else { return false }
        return line.dropFirst("TracerPid:".count).trimmingPrefix(while: { $0 == " " || $0 == "\t" }) != "0"
    }

    /// Raises SIGTRAP at the kernel so that the tracer stops here. SIGTRAP is ignored for the
    /// moment: a traced process still reports an ignored signal to its tracer, and if the
    /// tracer passes it on, nothing happens (our trap handler would take a SIGTRAP in kernel
    /// mode for a kernel bug and panic).
    static func stop() {
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        var saved = sigaction()
        sigaction(SIGTRAP, &ignore, &saved)
        raise(SIGTRAP)
        sigaction(SIGTRAP, &saved, nil)
    }
}
