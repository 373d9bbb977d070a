import Glibc
/// The frame audit: frames in use must equal the frames reachable from live page tables plus
/// the kernel's own (the zero frame), reference counts must match the references, and the
/// reservations must match what zero-fill and copy-on-write pages may still need.
extension Kernel {
    struct AuditResult {
        var problems: [String] = []
        var framesInUse = 0
        var framesReachable = 0
    }

    func auditFrames() -> AuditResult {
        var result = AuditResult()
        var refs: [FrameNumber: Int] = [:]
        var cowFrames = Set<FrameNumber>()
        var zeroFillReservations = 0
        var seen = Set<ObjectIdentifier>()
        for t in threads.values where seen.insert(ObjectIdentifier(t.task)).inserted {
            t.task.space.table.forEachPresent { _, e in
                if e.flags.contains(.zeroFill) {
                    if e.flags.contains(.writable) { zeroFillReservations += 1 }
                    return
                }
                refs[e.frame, default: 0] += 1
                if e.flags.contains(.copyOnWrite) { cowFrames.insert(e.frame) }
            }
        }
        let pool = memory.pool
        for (f, n) in refs where f != .zero && pool.references(f) != n {
            result.problems.append("frame \(f.rawValue): refcount \(pool.references(f)) but \(n) page-table references")
        }
        result.framesReachable = refs.keys.filter { $0 != .zero }.count + 1
        result.framesInUse = pool.usedCount
        if result.framesInUse != result.framesReachable {
            result.problems.append("\(result.framesInUse) frames in use but \(result.framesReachable) reachable (leak of \(result.framesInUse - result.framesReachable))")
        }
        let cowReservations = cowFrames.reduce(0) { $0 + max(0, pool.references($1) - 1) }
        let expected = zeroFillReservations + cowReservations
        if pool.reserved != expected {
            result.problems.append("\(pool.reserved) frames reserved but \(expected) needed (\(zeroFillReservations) zero-fill, \(cowReservations) copy-on-write)")
        }
        return result
    }

    /// Runs the audit; any difference is reported and stops the machine with a failure.
    func audit(context: String) {
        let r = auditFrames()
        guard !r.problems.isEmpty else { return }
        KernelLog.line("pebblebed: frame audit failed \(context):")
        for p in r.problems { KernelLog.line("  " + p) }
        runShutdownHooks()
        exit(Kernel.auditFailureExit)
    }

    /// Host exit code of a machine stopped by a failed audit.
    public static let auditFailureExit: Int32 = 71
}
