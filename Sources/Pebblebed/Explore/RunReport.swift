/// What a forked run tells the explorer (ForkRunner): its points, the order their operations
/// were served in, state fingerprints, races seen, and how it ended, as little-endian binary
/// in a scratch file. Binary because the explorer reads one of these per interleaving, tens of
/// thousands of records a second: as text lines, formatting them in the child and splitting
/// and parsing them in the parent was a tenth of exploring.
///
/// Layout: records (count, then each record, its stop queue last), served events (count, then point, decision,
/// thread), fingerprints (count, then point and hash), races (count, then word, eip, eip),
/// shared atomic instructions (count, then word, eip),
/// watched accesses (-1 when not watched), the watch counts (count, then each), then the end:
/// `X` and the exit status, or `B`, the bug kind and its message. A report cut short (the
/// child died mid-write) decodes as far as it is whole; the explorer judges such a run by its
/// exit code.
public struct RunReport: Equatable {
    public var records: [PointRecord] = []
    public var served: [PartialOrder.Event] = []
    public var states: [Int: UInt64] = [:]
    public var races: [Race] = []
    /// The program's atomic instructions on words several threads use (RaceDetector.sharedAtomics).
    public var atomics: [Atomic] = []
    public var watchedAccesses: Int?
    /// A watched run's faults for accesses and how many of them the kernel carried out.
    public var watchCounts: [Int] = []
    public var status: Int32?
    public var bug: (kind: String, message: String)?

    public struct Race: Equatable {
        public let word: UInt32, first: UInt32, second: UInt32
        public init(word: UInt32, first: UInt32, second: UInt32) {
            self.word = word
            self.first = first
            self.second = second
        }
    }

    public struct Atomic: Equatable {
        public let word: UInt32, eip: UInt32
        public init(word: UInt32, eip: UInt32) {
            self.word = word
            self.eip = eip
        }
    }

    public init() {}

    public static func == (a: RunReport, b: RunReport) -> Bool {
        a.records == b.records && a.served == b.served && a.states == b.states && a.races == b.races && a.atomics == b.atomics
            && a.watchedAccesses == b.watchedAccesses && a.watchCounts == b.watchCounts && a.status == b.status
            && a.bug?.kind == b.bug?.kind && a.bug?.message == b.bug?.message
    }

    /// No thread has this id (tids start at 1): a record's "did not switch".
    static let noThread = Int32.min

    public var bytes: [UInt8] {
        var w = Writer()
        w.u32(records.count)
        for r in records {
            w.u32(r.index)
            w.i32(r.thread)
            w.u32(Int(r.eip))
            w.u32(Int(r.caller))
            w.string(r.label)
            w.u32(r.alternatives.count)
            for a in r.alternatives { w.i32(a) }
            w.i32(r.switchedTo ?? RunReport.noThread)
            w.u32(r.footprint.count)
            for f in r.footprint { w.u64(f) }
            // 0: its thread did not stop there; else 1 + the queue's length. The same for the
            // paid choices after a yield.
            w.u32(r.stopAlternatives.map { $0.count + 1 } ?? 0)
            for a in r.stopAlternatives ?? [] { w.i32(a) }
            w.u32(r.stopPaid.map { $0.count + 1 } ?? 0)
            for a in r.stopPaid ?? [] { w.i32(a) }
        }
        w.u32(served.count)
        for e in served {
            w.u32(e.point)
            w.u32(e.decision)
            w.i32(e.thread)
        }
        w.u32(states.count)
        for (i, h) in states.sorted(by: { $0.key < $1.key }) {
            w.u32(i)
            w.u64(h)
        }
        w.u32(races.count)
        for r in races {
            w.u32(Int(r.word))
            w.u32(Int(r.first))
            w.u32(Int(r.second))
        }
        w.u32(atomics.count)
        for a in atomics {
            w.u32(Int(a.word))
            w.u32(Int(a.eip))
        }
        w.i32(Int32(clamping: watchedAccesses ?? -1))
        w.u32(watchCounts.count)
        for c in watchCounts { w.u32(c) }
        if let bug {
            w.byte(UInt8(ascii: "B"))
            w.string(bug.kind)
            w.string(bug.message)
        } else if let status {
            w.byte(UInt8(ascii: "X"))
            w.i32(status)
        }
        return w.bytes
    }

    /// Decodes `bytes` as far as they are whole.
    public init(_ bytes: [UInt8]) {
        var r = Reader(bytes)
        guard let n = r.u32() else { return }
        records.reserveCapacity(n)
        for _ in 0..<n {
            guard let index = r.u32(), let thread = r.i32(), let eip = r.u32(), let caller = r.u32(),
                  let label = r.string(), let nAlts = r.u32() else { return }
            var alts: [Int32] = []
            alts.reserveCapacity(nAlts)
            for _ in 0..<nAlts { guard let a = r.i32() else { return }; alts.append(a) }
            guard let to = r.i32(), let nFoot = r.u32() else { return }
            var foot: [UInt64] = []
            foot.reserveCapacity(nFoot)
            for _ in 0..<nFoot { guard let f = r.u64() else { return }; foot.append(f) }
            guard let nStop = r.u32() else { return }
            var stop: [Int32]? = nStop == 0 ? nil : []
            for _ in 0..<max(nStop - 1, 0) { guard let a = r.i32() else { return }; stop!.append(a) }
            guard let nPaid = r.u32() else { return }
            var paid: [Int32]? = nPaid == 0 ? nil : []
            for _ in 0..<max(nPaid - 1, 0) { guard let a = r.i32() else { return }; paid!.append(a) }
            records.append(PointRecord(index: index, thread: thread, eip: UInt32(truncatingIfNeeded: eip),
                                       caller: UInt32(truncatingIfNeeded: caller), label: label, alternatives: alts,
                                       switchedTo: to == RunReport.noThread ? nil : to, footprint: foot, stopAlternatives: stop,
                                       stopPaid: paid))
        }
        guard let nServed = r.u32() else { return }
        served.reserveCapacity(nServed)
        for _ in 0..<nServed {
            guard let p = r.u32(), let d = r.u32(), let t = r.i32() else { return }
            served.append(PartialOrder.Event(point: p, decision: d, thread: t))
        }
        guard let nStates = r.u32() else { return }
        for _ in 0..<nStates {
            guard let i = r.u32(), let h = r.u64() else { return }
            states[i] = h
        }
        guard let nRaces = r.u32() else { return }
        for _ in 0..<nRaces {
            guard let word = r.u32(), let a = r.u32(), let b = r.u32() else { return }
            races.append(Race(word: UInt32(truncatingIfNeeded: word), first: UInt32(truncatingIfNeeded: a),
                              second: UInt32(truncatingIfNeeded: b)))
        }
        guard let nAtomics = r.u32() else { return }
        for _ in 0..<nAtomics {
            guard let word = r.u32(), let eip = r.u32() else { return }
            atomics.append(Atomic(word: UInt32(truncatingIfNeeded: word), eip: UInt32(truncatingIfNeeded: eip)))
        }
        guard let accesses = r.i32() else { return }
        watchedAccesses = accesses < 0 ? nil : Int(accesses)
        guard let nCounts = r.u32() else { return }
        for _ in 0..<nCounts {
            guard let c = r.u32() else { return }
            watchCounts.append(c)
        }
        switch r.byte() {
        case UInt8(ascii: "B"):
            guard let kind = r.string(), let message = r.string() else { return }
            bug = (kind, message)
        case UInt8(ascii: "X"):
            status = r.i32()
        default:
            return
        }
    }
}

extension RunReport {
    /// Appends little-endian integers and length-prefixed UTF-8 strings.
    struct Writer {
        private(set) var bytes: [UInt8] = []

        init() { bytes.reserveCapacity(16 * 1024) }

        mutating func byte(_ b: UInt8) { bytes.append(b) }

        mutating func u32(_ v: Int) { u32bits(UInt32(truncatingIfNeeded: v)) }

        mutating func i32(_ v: Int32) { u32bits(UInt32(bitPattern: v)) }

        private mutating func u32bits(_ v: UInt32) {
            withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func u64(_ v: UInt64) {
            withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func string(_ s: String) {
            let utf8 = s.utf8
            u32(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Reads what Writer wrote, front to back; nil past the end.
    struct Reader {
        private let bytes: [UInt8]
        private var at = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func byte() -> UInt8? {
            guard at < bytes.count else { return nil }
            defer { at += 1 }
            return bytes[at]
        }

        private mutating func u32bits() -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            defer { at += 4 }
            return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }

        mutating func u32() -> Int? { u32bits().map(Int.init) }

        mutating func i32() -> Int32? { u32bits().map { Int32(bitPattern: $0) } }

        mutating func u64() -> UInt64? {
            guard let lo = u32bits(), let hi = u32bits() else { return nil }
            return UInt64(lo) | UInt64(hi) << 32
        }

        mutating func string() -> String? {
            guard let n = u32(), at + n <= bytes.count else { return nil }
            defer { at += n }
            return String(decoding: bytes[at..<(at + n)], as: UTF8.self)
        }
    }
}
