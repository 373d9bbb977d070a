import Glibc

/// The kernel's side of exploration and schedule replay (issue 15): it numbers the preemption
/// points of a run, takes the schedule's decisions at them, counts virtual time in points,
/// and records what the explorer needs (who ran, who else could have, where) and any bug.
///
/// A point is every system call and every planted breakpoint (PreemptionPoints), counted
/// before the kernel serves it: a decision there can let another thread run before the call
/// takes effect (preempting a waiter between its check and its `deschedule` is the lost
/// wake-up). Between points the guest runs natively and the timer is off, so the sequence of
/// points depends on the schedule alone and a schedule replays exactly.
public final class PointController {
    /// The decisions: at point `index`, the running thread gives way to thread `tid`.
    public private(set) var schedule: Schedule
    private var decisions: [Int: Int32]
    /// Points so far in this run.
    public private(set) var pointCount = 0
    /// Breakpoints planted in the program under test, by address.
    var breakpoints: [UInt32: Breakpoint] = [:]
    /// The program whose tasks carry the breakpoints (an exec of another program has none).
    let program: String
    /// Virtual ticks added while every thread slept.
    var idleTicks: UInt64 = 0
    /// Points that make one virtual tick: sleep and get_ticks replay with the schedule.
    static let pointsPerTick = 8
    /// More points than this in one run ends it as a bug (a likely livelock).
    public var maxPoints = 100_000
    /// Yields in a row (with no other point between) after which a thread counts as spinning
    /// for the deadlock check: a thread library whose mutex yields to the holder never blocks
    /// in the kernel, so a lock-order deadlock is two threads yielding to each other forever.
    static let spinYields = 32
    private var yieldStreak: [Int32: Int] = [:]
    /// The thread-library function each thread entered last, with its first argument (the
    /// mutex, condition, ... it works on), for deadlock reports.
    var lastCall: [Int32: (function: String, argument: UInt32)] = [:]
    /// Data-race detection in this run (RaceDetector), and its state.
    var races: RaceDetector?
    var raceStepping = false
    /// The object of each thread's last waiting library call (cond_wait's condition, ...): a
    /// deschedule inside it sleeps on a flag the library sets in a call on that object
    /// (Kernel.footprint).
    var waitingOn: [Int32: UInt32] = [:]
    /// Threads given way at a point whose trap is still to be served (part of the state).
    var pendingTrap: Set<Int32> = []
    /// State fingerprints by point (Kernel+Fingerprint.swift), taken from point
    /// `fingerprintFrom` on: the explorer needs them only after the schedule's last choice.
    public internal(set) var states: [Int: UInt64] = [:]
    public var fingerprintFrom = Int.max
    /// Set `fingerprintFrom` when the schedule's last choice is taken: a free choice after
    /// point D is taken when D's thread stops, which can come after later points (D was given
    /// way at and served later), so the point after the last choice is not known beforehand.
    /// States taken before it would be cached as the future of a run with no choices left.
    public var fingerprintAfterLastChoice = false

    private func tookChoice(free: Bool) {
        if fingerprintAfterLastChoice && taken.count == schedule.choices.count {
            fingerprintFrom = free ? pointCount : pointCount + 1
        }
    }
    /// What happened, for the explorer (one entry per point, in order).
    public private(set) var records: [PointRecord] = []
    /// Record points (explore); a replay only takes decisions.
    public var recording = true
    /// The order the points' operations were served in (PartialOrder): a point is served at
    /// once, or, when its thread was switched away there, after a later point (its decision).
    public private(set) var served: [PartialOrder.Event] = []

    func served(_ index: Int, after decision: Int, thread: Int32) {
        served.append(PartialOrder.Event(point: index, decision: decision, thread: thread))
    }
    /// Called with a bug the kernel recognises itself (deadlock, too many points): it ends the run.
    public var bugHook: ((BugKind, String) -> Never)?
    /// The wall-clock limit of one run (explore sets it; the timer checks it), and its start.
    public var runLimitNanoseconds: UInt64?
    public var runStartNanoseconds: UInt64 = 0
    /// Names an address of the program under test (`lock_a`, `buf+0x8`) for reports.
    var symbolNamer: ((UInt32) -> String?)?

    /// The free choices (`Schedule.Choice.free`): after point D is served, if its thread no
    /// longer runs, thread T runs next instead of the run queue's head.
    private var freeDecisions: [Int: Int32] = [:]
    /// The last point served and its thread, while no thread has reached another point: if
    /// the scheduler picks a thread now, that thread stopped running after this point was
    /// served, and if it blocked, ended or made an undirected yield there (`yielding`) the
    /// pick is the free decision after it (Kernel.freePick).
    var lastServed: (point: Int, thread: Int32)?
    /// The last point served is a `yield(-1)`.
    var yielding = false
    /// Fair choices after yields (CHESS's fair scheduler, Musuvathi and Qadeer, PLDI 2008): a
    /// thread that yields owes a turn to every other thread runnable then, and a free choice
    /// after a yield may not pick it while one of those it owes is still runnable and has not
    /// reached a point since (the queue's head, the default, stays a choice). Without it, two
    /// threads spinning on a lock with yield(-1) while a third could run picked each other
    /// freely at every yield, for ever: the student library's explore_lock_order_ok, whose
    /// main polls, ran out of 60 s at bound 1 (runs of 600 points of free choices; 97 runs
    /// to exhaust it without free choices after yields).
    private var owed: [Int32: Set<Int32>] = [:]

    public init(schedule: Schedule, program: String) {
        self.schedule = schedule
        self.program = program
        decisions = PointController.decisions(schedule)
        freeDecisions = PointController.decisions(schedule, free: true)
    }

    /// A fresh run of `schedule` from the snapshot (the explorer's forked machine): the
    /// breakpoints and symbols stay, everything counted starts again.
    public func restart(with schedule: Schedule) {
        self.schedule = schedule
        decisions = PointController.decisions(schedule)
        freeDecisions = PointController.decisions(schedule, free: true)
        lastServed = nil
        yielding = false
        owed = [:]
        pointCount = 0
        idleTicks = 0
        yieldStreak = [:]
        lastCall = [:]
        waitingOn = [:]
        records = []
        served = []
        taken = []
        states = [:]
        pendingTrap = []
    }

    /// By point; the first choice at a point counts. A plain loop, not `Dictionary(uniquingKeysWith:)`
    /// over an array of tuples nor `reserveCapacity` (unspecialised): every forked run builds
    /// this first thing, and a generic type the explorer never used (the tuple array's
    /// storage) costs each run the Swift runtime's metadata instantiation (demangling its
    /// name), a tenth of a short run. The non-empty dictionary's own storage type is used once
    /// before forking (ForkRunner.warmUp).
    static func decisions(_ schedule: Schedule, free: Bool = false) -> [Int: Int32] {
        var d: [Int: Int32] = [:]
        for c in schedule.choices where c.free == free && d[c.point] == nil { d[c.point] = c.thread }
        return d
    }

    /// The free decision after point `served`, whose thread stopped running with `queue`
    /// runnable (the head runs by default): noted in its record (`stopAlternatives`, the
    /// explorer's branches there) and returned, if the schedule has one there.
    /// `paid`: after an undirected yield, the threads that may run next at the cost of a
    /// preemption (`PointRecord.stopPaid`); `queue` is then the free ones.
    func freeDecision(after served: Int, queue: [Int32], paid: [Int32]? = nil) -> Int32? {
        if recording && served < records.count {
            records[served].stopAlternatives = queue
            records[served].stopPaid = paid
        }
        let d = freeDecisions[served]
        if let d {
            taken.append(Schedule.Choice(point: served, thread: d, free: true, paid: paid?.contains(d) ?? false))
            tookChoice(free: true)
        }
        return d
    }

    var ticks: UInt64 { UInt64(pointCount / PointController.pointsPerTick) + idleTicks }

    /// Seeded decisions (`run --seed S --points`, `pebblebed stress`): at each point, with a
    /// probability the seed picks (some seeds preempt at half the points, some at one in 64),
    /// give way to a thread the seed picks among the runnable ones. Nothing else decides, so
    /// the seed replays the interleaving; the choices taken are kept as a schedule.
    public struct SeededPolicy {
        public let seed: UInt64
        var state: UInt64
        /// Out of 1024.
        let chance: UInt64

        public init(seed: UInt64) {
            self.seed = seed
            state = seed
            let chances: [UInt64] = [512, 128, 32, 16]
            chance = chances[Int(Chaos.mix(&state) % UInt64(chances.count))]
        }

        mutating func pick(_ alternatives: [Int32]) -> Int32? {
            guard !alternatives.isEmpty, Chaos.mix(&state) % 1024 < chance else { return nil }
            return alternatives[Int(Chaos.mix(&state) % UInt64(alternatives.count))]
        }
    }
    public var seeded: SeededPolicy?
    /// The choices taken so far (the schedule's, or the seed's).
    public private(set) var taken: [Schedule.Choice] = []

    /// The decision at the point about to be numbered `pointCount`, whose runnable threads
    /// are `alternatives`: the thread to give way to, if any.
    func decision(alternatives: [Int32]) -> Int32? {
        let d = decisions[pointCount] ?? seeded?.pick(alternatives)
        if let d {
            taken.append(Schedule.Choice(point: pointCount, thread: d))
            tookChoice(free: false)
        }
        return d
    }

    /// Thread `tid` reached a point: it had its turn (`owed`).
    func reachedPoint(_ tid: Int32) {
        guard !owed.isEmpty else { return }
        for (u, waits) in owed where waits.contains(tid) {
            owed[u] = waits.count == 1 ? nil : waits.subtracting([tid])
        }
    }

    /// Thread `tid` yielded with `others` runnable (the queue, in order): the fair ones among
    /// them (`owed`; the queue's head first and always), and the rest.
    func fairAfterYield(of tid: Int32, others: [Int32]) -> (fair: [Int32], heldBack: [Int32]) {
        owed[tid] = Set(others)
        var runnable = Set(others)
        runnable.insert(tid)
        var fair: [Int32] = [], held: [Int32] = []
        for (i, u) in others.enumerated() {
            if i == 0 || (owed[u]?.isDisjoint(with: runnable) ?? true) { fair.append(u) } else { held.append(u) }
        }
        return (fair, held)
    }

    /// Notes point `pointCount` and moves on to the next number.
    func note(_ record: PointRecord) {
        if recording { records.append(record) }
        pointCount += 1
    }

    /// Keeps the yield streaks; returns whether `tid` is now spinning.
    func noteYield(_ tid: Int32, isYield: Bool) -> Bool {
        if !isYield {
            yieldStreak[tid] = 0
            return false
        }
        let n = (yieldStreak[tid] ?? 0) + 1
        yieldStreak[tid] = n
        return n >= PointController.spinYields
    }

    func isSpinning(_ tid: Int32) -> Bool { (yieldStreak[tid] ?? 0) >= PointController.spinYields }
}

/// One preemption point of a run: which thread was running, where, why it trapped, and which
/// threads were runnable then (the alternatives a schedule may switch to).
public struct PointRecord: Equatable, Sendable {
    public let index: Int
    public let thread: Int32
    /// The trap's address: the breakpoint's function entry, or the system call's `int`.
    public let eip: UInt32
    /// Its caller's return address (the return address on the stack), 0 when unknown.
    public let caller: UInt32
    /// The system call or library function.
    public let label: String
    public let alternatives: [Int32]
    /// The thread it gave way to, when the schedule preempted here.
    public let switchedTo: Int32?
    /// What its operation touches that other threads see (Footprint, PartialOrder).
    public let footprint: [UInt64]
    /// When its thread stopped running right after this point was served (it blocked,
    /// yielded or ended before reaching another point): the threads runnable then, the run
    /// queue in order (its head runs unless a free choice picks another). Nil otherwise.
    public var stopAlternatives: [Int32]?
    /// When the stop was an undirected yield (`yield(-1)`: thr_yield, the thread library's
    /// mutex retrying; the thread is still runnable, at the queue's back): the threads that
    /// may run next only at the cost of a preemption (`Schedule.Choice.paid`), those the fair
    /// choice holds back (PointController.owed) and last the yielder itself;
    /// `stopAlternatives` are then the others, the free ones. Nil otherwise.
    public var stopPaid: [Int32]?
    public var stopYielded: Bool { stopPaid != nil }

    public init(index: Int, thread: Int32, eip: UInt32, caller: UInt32, label: String, alternatives: [Int32], switchedTo: Int32?,
                footprint: [UInt64] = [], stopAlternatives: [Int32]? = nil, stopPaid: [Int32]? = nil) {
        self.stopAlternatives = stopAlternatives
        self.stopPaid = stopPaid
        self.index = index
        self.thread = thread
        self.eip = eip
        self.caller = caller
        self.label = label
        self.alternatives = alternatives
        self.switchedTo = switchedTo
        self.footprint = footprint
    }
}

/// The bugs the kernel recognises by itself during a controlled run.
public enum BugKind: String, Sendable {
    case deadlock
    case stepBound = "step bound"
    /// A replayed schedule names a thread that cannot run at its point (another program or
    /// other arguments than the schedule was made with).
    case mismatch = "schedule mismatch"
}

/// A schedule: the choices of one interleaving, as "at point N, give way to thread T" and
/// "after point N, if its thread stopped, run thread T next".
/// Points and thread ids are numbered the same way in every run of the same program with the
/// same arguments, so the choices replay the interleaving exactly.
public struct Schedule: Hashable, Sendable {
    /// `preempt POINT THREAD` (free: false): at point POINT, decided before its trap is
    /// served, the running thread gives way to THREAD; it counts against the preemption bound.
    /// `next POINT THREAD` (free: true): after point POINT is served, if its thread no longer
    /// runs (it blocked, yielded or ended there), THREAD runs next instead of the run queue's
    /// head. No thread is preempted by it (CHESS does not count scheduling after a block
    /// either), so it is free: not counted against the bound (`preemptions`).
    ///
    /// `after-yield POINT THREAD` (free and paid): after the undirected yield at point POINT,
    /// THREAD runs next although a free choice may not pick it: the yielder itself going on,
    /// or a thread the fair choice holds back (PointController.owed). It preempts the threads
    /// a yield gives way to, and counts against the bound (were it free, a spinning mutex's
    /// retries, a yield each, could go on for ever at no cost: explore_lost_wakeup ran out
    /// of 120 s at bound 1 so).
    public struct Choice: Equatable, Hashable, Sendable {
        public let point: Int
        public let thread: Int32
        public let free: Bool
        /// After a yield, a thread no free choice may pick: counted against the bound.
        public let paid: Bool
        public init(point: Int, thread: Int32, free: Bool = false, paid: Bool = false) {
            self.point = point
            self.thread = thread
            self.free = free || paid
            self.paid = paid
        }
        /// Its line's keyword in a schedule file.
        var keyword: String { paid ? "after-yield" : free ? "next" : "preempt" }
        /// Its place in a schedule file and `choices`: by point, a `preempt P` before a
        /// `next P`. (Not the order of the run: a thread given way at P is served, and may
        /// stop, after later points. PartialOrder.node(of:) places it in a run.)
        public var fileOrder: Int { 2 * point + (free ? 1 : 0) }
    }

    /// The choices that count against the preemption bound.
    public var preemptions: Int { choices.count { !$0.free || $0.paid } }

    public var choices: [Choice]
    /// Instructions that are preemption points besides the system calls and library entries:
    /// the data-race points explore found (RaceDetector). A replay plants them too, or its
    /// points would be numbered differently.
    public var extraPoints: [UInt32] = []
    public init(_ choices: [Choice] = [], extraPoints: [UInt32] = []) {
        self.choices = choices
        self.extraPoints = extraPoints
    }

    /// The header of the files written now (`header2`); files with `header` (v1, written
    /// before the `argv` and `end` lines, or by hand) are still read, with no `end` needed.
    public static let header2 = "# pebblebed schedule v2"
    public static let header = "# pebblebed schedule v1"

    /// What a schedule file says besides the choices.
    public struct File {
        public var schedule: Schedule
        /// The guest's argv it was made for (nil in files that do not say: v1, hand-written).
        public var argv: [String]?
        /// The step bounds of the explore run that found it (`run-limit SECONDS`,
        /// `max-points N`): a replay ends where that run ended, as a step bound, instead of
        /// looping for ever (nil: no wall-clock limit, the default point limit).
        public var runLimitSeconds: Double?
        public var maxPoints: Int?
        /// `program-hash HEX`: the program file's bytes it was made with (`programHash`); nil in
        /// files that do not say. Points are numbered for one build: after a rebuild the same
        /// schedule replays some other interleaving, or stops as not fitting its run.
        public var programHash: UInt64?
    }

    /// FNV-1a over a program file's bytes, for the `program-hash` line; nil when it cannot
    /// be read.
    public static func programHash(atPath path: String) -> UInt64? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            for b in buf.prefix(n) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        }
        return h
    }

    /// The file: a header, a comment line with the replay command's words, an `argv` line with
    /// the guest's program name and arguments (shell-quoted) when known, the step bounds when
    /// given, one `preempt POINT THREAD` or `next POINT THREAD` a line, and a last line `end`.
    /// Why `argv`: points and threads are numbered for one program and its arguments, and a
    /// schedule replayed on another program ran as some other interleaving, silently
    /// (`run --schedule` now refuses it, naming the program the schedule is for). Why `end`: a
    /// file cut short at a line boundary (a full disk, a copy interrupted) reads as a shorter
    /// schedule, and replayed as another interleaving; without its `end` a v2 file is refused.
    public func text(program: [String], argv: [String]? = nil, runLimitSeconds: Double? = nil, maxPoints: Int? = nil,
                     programHash: UInt64? = nil) -> String {
        var s = Schedule.header2 + "\n# program: " + program.map(Schedule.shellQuote).joined(separator: " ") + "\n"
        if let argv { s += "argv " + argv.map(Schedule.shellQuote).joined(separator: " ") + "\n" }
        if let programHash { s += "program-hash " + String(programHash, radix: 16) + "\n" }
        if let runLimitSeconds { s += "run-limit \(runLimitSeconds)\n" }
        if let maxPoints { s += "max-points \(maxPoints)\n" }
        for a in extraPoints { s += "point \(hex(a))\n" }
        for c in choices { s += "\(c.keyword) \(c.point) \(c.thread)\n" }
        return s + "end\n"
    }

    /// Parses a schedule file; the error says which line is wrong.
    public static func parse(_ text: String) throws(ScheduleError) -> Schedule {
        try parseFile(text).schedule
    }

    /// Parses a schedule file, with what it says besides the choices.
    public static func parseFile(_ text: String) throws(ScheduleError) -> File {
        var choices: [Choice] = []
        var extra: [UInt32] = []
        var version = 0
        var argv: [String]?
        var runLimit: Double?
        var maxPoints: Int?
        var programHash: UInt64?
        var ended = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line == header && version == 0 { version = 1; continue }
            if line == header2 && version == 0 { version = 2; continue }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if ended {
                throw ScheduleError(message: "line \(n + 1): `\(line)` after the `end` line (two schedules run together?)")
            }
            if line == "end" { ended = true; continue }
            if line.hasPrefix("program-hash ") {
                guard programHash == nil, let h = UInt64(line.dropFirst(13), radix: 16) else {
                    throw ScheduleError(message: "line \(n + 1): expected one `program-hash HEX` line, found `\(line)`")
                }
                programHash = h
                continue
            }
            if line.hasPrefix("argv ") {
                guard argv == nil, let words = shellWords(line.dropFirst(5)), !words.isEmpty else {
                    throw ScheduleError(message: "line \(n + 1): expected one `argv PROGRAM ARGUMENTS` line with shell-quoted words, found `\(line)`")
                }
                argv = words
                continue
            }
            let w = line.split(separator: " ")
            if w.first == "run-limit" || w.first == "max-points" {
                if w.count == 2, w[0] == "run-limit", runLimit == nil, let v = Double(w[1]), v > 0, v.isFinite {
                    runLimit = v
                    continue
                }
                if w.count == 2, w[0] == "max-points", maxPoints == nil, let v = Int(w[1]), v >= 1 {
                    maxPoints = v
                    continue
                }
                throw ScheduleError(message: "line \(n + 1): expected one `run-limit SECONDS` (positive) or `max-points N` (at least 1), found `\(line)`")
            }
            if w.count == 2, w[0] == "point", w[1].hasPrefix("0x"), let a = UInt32(w[1].dropFirst(2), radix: 16) {
                extra.append(a)
                continue
            }
            guard w.count == 3, w[0] == "preempt" || w[0] == "next" || w[0] == "after-yield", let p = Int(w[1]), p >= 0,
                  let t = Int32(w[2]), t > 0 else {
                throw ScheduleError(message: "line \(n + 1): expected `preempt POINT THREAD`, `next POINT THREAD`, `after-yield POINT THREAD` or `point 0xADDRESS`, found `\(line)`")
            }
            let c = Choice(point: p, thread: t, free: w[0] == "next", paid: w[0] == "after-yield")
            // In the order of the run: a `preempt P` before a `next P`, each at most once.
            if let last = choices.last, last.fileOrder >= c.fileOrder {
                throw ScheduleError(message: "line \(n + 1): points must increase (\(w[0]) \(p) after \(last.keyword) \(last.point))")
            }
            choices.append(c)
        }
        guard version > 0 else { throw ScheduleError(message: "not a pebblebed schedule (no `\(header2)` line)") }
        if version == 2 && !ended {
            throw ScheduleError(message: "the file is cut short: no `end` line after its last choice (write it again with `pebblebed explore`)")
        }
        return File(schedule: Schedule(choices, extraPoints: extra), argv: argv, runLimitSeconds: runLimit, maxPoints: maxPoints,
                    programHash: programHash)
    }

    /// A word as a shell reads it back: bare when it is plain, else in single quotes; a word
    /// with a control character (a newline, a tab, an escape...) in ANSI-C quotes, `$'...'`,
    /// as bash's `printf %q` writes it (bash, zsh, ksh and POSIX.1-2024 sh read them). Why:
    /// schedule files are read line by line, and an argument with a newline, single-quoted,
    /// split its `argv` line (and the comment with the replay command) in two; a control
    /// character pasted into a terminal is not what was typed either. Inside `$'...'`: `\\`,
    /// `\'`, `\n`, `\t`, `\r`, and `\xHH` for each UTF-8 byte of any other control character
    /// (C0, DEL, C1); everything else as it is. Words without one are quoted as before, so
    /// the files written before read the same.
    public static func shellQuote(_ w: String) -> String {
        if w.unicodeScalars.contains(where: isControl) { return ansiCQuote(w) }
        let safe = w.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+".contains($0) }
        if safe && !w.isEmpty { return w }
        // (By scalar: a quote with a combining mark after it is one Character, and split on
        // "'" left it unescaped.)
        var q = "'"
        for u in w.unicodeScalars {
            if u == "'" { q += "'\\''" } else { q.unicodeScalars.append(u) }
        }
        return q + "'"
    }

    static func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || (0x7F...0x9F).contains(u.value) }

    static func ansiCQuote(_ w: String) -> String {
        var s = "$'"
        for u in w.unicodeScalars {
            switch u {
            case "\\": s += "\\\\"
            case "'": s += "\\'"
            case "\n": s += "\\n"
            case "\t": s += "\\t"
            case "\r": s += "\\r"
            case _ where isControl(u):
                for b in String(u).utf8 { s += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16) }
            default: s.unicodeScalars.append(u)
            }
        }
        return s + "'"
    }

    /// The words of `line` as `shellQuote` writes them (bare, single-quoted, `\x`, ANSI-C
    /// quoted `$'...'` with bash's escapes: `\a \b \e \E \f \n \r \t \v \\ \' \" \?`, `\xHH`,
    /// octal `\NNN`, `\uHHHH`, `\UHHHHHHHH`, `\cX`; another escape stays as written, as in
    /// bash), or nil if a quote is left open or a word is not UTF-8. Read by Unicode scalar,
    /// not by Character: a word starting with a combining mark made one Character of it and
    /// the quote before it, and the quote went unseen.
    static func shellWords(_ line: Substring) -> [String]? {
        let s = Array(line.unicodeScalars)
        var words: [String] = []
        var word: [UInt8] = [], inWord = false
        var i = 0
        func append(_ u: Unicode.Scalar) { word += Array(String(u).utf8) }
        /// Up to `count` digits of `radix` from i on, as a number (nil: none).
        func digits(_ count: Int, _ radix: Int) -> UInt32? {
            var v: UInt32 = 0, n = 0
            while n < count, i < s.count, let d = Int(String(s[i]), radix: radix) {
                v = v &* UInt32(radix) &+ UInt32(d)
                i += 1
                n += 1
            }
            return n > 0 ? v : nil
        }
        while i < s.count {
            let u = s[i]
            i += 1
            switch u {
            case "'":
                inWord = true
                guard let end = s[i...].firstIndex(of: "'") else { return nil }
                for x in s[i..<end] { append(x) }
                i = end + 1
            case "$" where i < s.count && s[i] == "'":
                inWord = true
                i += 1
                while true {
                    guard i < s.count else { return nil }
                    let c = s[i]
                    i += 1
                    if c == "'" { break }
                    guard c == "\\" else { append(c); continue }
                    guard i < s.count else { return nil }
                    let e = s[i]
                    i += 1
                    switch e {
                    case "a": word.append(7)
                    case "b": word.append(8)
                    case "e", "E": word.append(0x1B)
                    case "f": word.append(12)
                    case "n": word.append(10)
                    case "r": word.append(13)
                    case "t": word.append(9)
                    case "v": word.append(11)
                    case "\\", "'", "\"", "?": append(e)
                    case "x":
                        if let v = digits(2, 16) { word.append(UInt8(v)) } else { word += Array("\\x".utf8) }
                    case "0"..."7":
                        i -= 1
                        word.append(UInt8(truncatingIfNeeded: digits(3, 8)!))
                    case "u", "U":
                        guard let v = digits(e == "u" ? 4 : 8, 16) else { word += Array("\\\(e)".utf8); continue }
                        guard let scalar = Unicode.Scalar(v) else { return nil }
                        append(scalar)
                    case "c":
                        guard i < s.count, s[i].isASCII else { return nil }
                        word.append(UInt8(s[i].value) & 0x1F)
                        i += 1
                    default: word += Array("\\\(e)".utf8)
                    }
                }
            case "\\":
                guard i < s.count else { return nil }
                append(s[i])
                i += 1
                inWord = true
            case " ", "\t":
                if inWord {
                    guard let w = utf8(word) else { return nil }
                    words.append(w)
                    word = []
                    inWord = false
                }
            default:
                append(u)
                inWord = true
            }
        }
        if inWord {
            guard let w = utf8(word) else { return nil }
            words.append(w)
        }
        return words
    }

    /// `bytes` as a String, or nil if they are not UTF-8 (`\xHH` escapes can spell anything).
    private static func utf8(_ bytes: [UInt8]) -> String? {
        let s = String(decoding: bytes, as: UTF8.self)
        return Array(s.utf8) == bytes ? s : nil
    }
}

public struct ScheduleError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

private extension Substring {
    func trimmingCharacters(in _: CharacterSetLike) -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return s
    }
}

private enum CharacterSetLike { case whitespaces }
