import Glibc

/// The frame audit of the running machine (see FrameAudit), at halt and with --audit after
/// every exit of a task.
extension Kernel {
    /// The address spaces of every task with a live thread, each once.
    func liveSpaces() -> [AddressSpace] {
        var seen = Set<ObjectIdentifier>()
        var spaces: [AddressSpace] = []
        for t in threads.values where seen.insert(ObjectIdentifier(t.task.space)).inserted {
            spaces.append(t.task.space)
        }
        return spaces
    }

    func auditFrames() -> FrameAudit {
        FrameAudit(spaces: liveSpaces(), pool: memory.pool, active: memory.active)
    }

    /// Runs the audit; any difference is reported and stops the machine with a failure.
    func audit(context: String) {
        let r = auditFrames()
        guard !r.isClean else { return }
        KernelLog.line("pebblebed: frame audit failed \(context):")
        for p in r.problems { KernelLog.line("  " + p) }
        runShutdownHooks(failing: Kernel.auditFailureExit)
        machine.powerOff(exitCode: Kernel.auditFailureExit)
    }

    /// Host exit code of a machine stopped by a failed audit.
    public static let auditFailureExit: Int32 = 71
}
