/// The frame audit as a pure check over a pool and the live address spaces: frames in use must
/// equal the frames reachable from the page tables plus the kernel's own (the zero frame),
/// reference counts must match the references, reservations must match what zero-fill and
/// copy-on-write pages may still need, and only the active space may have pages in the host.
public struct FrameAudit {
    public var problems: [String] = []
    public var framesInUse = 0
    public var framesReachable = 0
    public var isClean: Bool { problems.isEmpty }

    /// Audits `spaces` (each once) against `pool`; `active` is the space the host shows.
    public init(spaces: [AddressSpace], pool: FramePool, active: AddressSpace?) {
        var refs: [FrameNumber: Int] = [:]
        var cowFrames = Set<FrameNumber>()
        var zeroFillReservations = 0
        for space in spaces {
            let shows = space === active
            space.table.forEachPresent { page, e in
                if !shows && e.flags.contains(.inHost) {
                    problems.append("page \(hex(page << pageShift)) of an inactive space marked shown in the host")
                }
                if e.flags.contains(.zeroFill) {
                    if e.frame != .zero { problems.append("zero-fill page \(hex(page << pageShift)) has frame \(e.frame.rawValue)") }
                    if e.flags.contains(.writable) { zeroFillReservations += 1 }
                    return
                }
                refs[e.frame, default: 0] += 1
                if e.flags.contains(.copyOnWrite) { cowFrames.insert(e.frame) }
            }
        }
        for (f, n) in refs where f != .zero && pool.references(f) != n {
            problems.append("frame \(f.rawValue): refcount \(pool.references(f)) but \(n) page-table references")
        }
        framesReachable = refs.keys.filter { $0 != .zero }.count + 1
        framesInUse = pool.usedCount
        if framesInUse != framesReachable {
            problems.append("\(framesInUse) frames in use but \(framesReachable) reachable (leak of \(framesInUse - framesReachable))")
        }
        let cowReservations = cowFrames.reduce(0) { $0 + max(0, pool.references($1) - 1) }
        let expected = zeroFillReservations + cowReservations
        if pool.reserved != expected {
            problems.append("\(pool.reserved) frames reserved but \(expected) needed (\(zeroFillReservations) zero-fill, \(cowReservations) copy-on-write)")
        }
    }
}
