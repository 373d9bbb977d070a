/// 15-410 test verdicts, from the report lines test programs log through SIM_PUTS (or lprintf):
/// `(^_^)_NAME START__TYPE_COMPLETE` (or `_ABORT`, `_FOREVER`), later `(^_^)_NAME END__SUCCESS`
/// or `END__FAIL`. The 410 libraries print the name as given, often with a trailing colon
/// (`fork_test1:`), so the colon is not part of the name.
///
/// The rules: a complete-type test passes with END__SUCCESS and no END__FAIL; an abort-type
/// test passes when the task that started it ends without reaching an END line (END__SUCCESS
/// or END__FAIL), however it ends: the kernel kills a thread of it, it vanishes (a library's
/// own panic or failed assert ends the task), or the machine halts (`halt`, SIM_HALT) with it
/// still running; only a timeout with it still running, or an END line first, fails it. A
/// forever-type test passes when the machine is still running at the timeout, with no
/// END__FAIL. A run with no test, or with any test failing, fails.
public struct TestReport: Sendable {
    public enum Kind: String, Sendable { case complete, abort, forever }

    public enum Line: Equatable, Sendable {
        case start(name: String, kind: Kind)
        case success(name: String)
        case fail(name: String)
    }

    public struct Verdict: Equatable, Sendable, CustomStringConvertible {
        public let name: String
        public let kind: Kind
        public let passed: Bool
        public let reason: String
        public var description: String { "verdict: \(passed ? "PASS" : "FAIL") \(name) (\(kind.rawValue) type): \(reason)" }
    }

    struct Test {
        let name: String
        let kind: Kind
        let task: Int32
        var succeeded = false
        var failed = false
        var killed = false
        /// The task that printed the start line has ended (every thread gone).
        var ended = false
        /// The END line an abort-type test reached while its task still ran, if any.
        var endLineBeforeEnd: String?
    }

    public static let prefix = "(^_^)_"
    private(set) var tests: [Test] = []
    /// Set when `--timeout` stopped the machine (it was still running).
    public var timedOut = false
    /// Set when the machine stopped for any other reason (halt, SIM_HALT, no task left).
    public var halted = false

    public init() {}

    /// The report line in `text`, or nil for any other line (including 410's misc reports).
    public static func parse(_ text: String) -> Line? {
        guard let start = text.firstRange(of: prefix) else { return nil }
        var words = text[start.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let keyword = words.popLast() else { return nil }
        var name = words.joined(separator: " ")
        if name.hasSuffix(":") { name.removeLast() }
        guard !name.isEmpty else { return nil }
        switch keyword {
        case "START__TYPE_COMPLETE": return .start(name: name, kind: .complete)
        case "START__TYPE_ABORT": return .start(name: name, kind: .abort)
        case "START__TYPE_FOREVER", "START__TYPE_FOREVER_PROGRESS": return .start(name: name, kind: .forever)
        case "END__SUCCESS": return .success(name: name)
        case "END__FAIL": return .fail(name: name)
        default: return nil
        }
    }

    /// Takes one guest log line written by `task`.
    public mutating func note(_ text: String, task: Int32) {
        guard let line = TestReport.parse(text) else { return }
        switch line {
        case .start(let name, let kind):
            // A test that forks may print its start line more than once: the first one counts.
            if index(of: name) == nil { tests.append(Test(name: name, kind: kind, task: task)) }
        case .success(let name):
            let i = indexOrAdd(name, task: task)
            tests[i].succeeded = true
            reachedEnd(i, "END__SUCCESS")
        case .fail(let name):
            let i = indexOrAdd(name, task: task)
            tests[i].failed = true
            reachedEnd(i, "END__FAIL")
        }
    }

    /// An END line counts against an abort-type test only while its task has not ended yet (a
    /// forked child may print one after its parent was killed).
    private mutating func reachedEnd(_ i: Int, _ line: String) {
        if !tests[i].killed && !tests[i].ended && tests[i].endLineBeforeEnd == nil { tests[i].endLineBeforeEnd = line }
    }

    /// Marks the tests whose task is gone; the kernel calls this before taking a report line and
    /// before judging, so an END line printed after the test's task ended is told apart.
    public mutating func noteEndedTasks(isGone: (Int32) -> Bool) {
        for i in tests.indices where !tests[i].ended && isGone(tests[i].task) { tests[i].ended = true }
    }

    /// The kernel killed a thread of `task` (a fault with no handler, a host system call...).
    public mutating func taskKilled(_ task: Int32) {
        for i in tests.indices where tests[i].task == task { tests[i].killed = true }
    }

    private func index(of name: String) -> Int? { tests.firstIndex { $0.name == name } }

    /// An end line without a start line still reports on a test; it is judged as complete-type.
    private mutating func indexOrAdd(_ name: String, task: Int32) -> Int {
        if let i = index(of: name) { return i }
        tests.append(Test(name: name, kind: .complete, task: task))
        return tests.count - 1
    }

    public var verdicts: [Verdict] { tests.map { verdict(for: $0) } }

    public var passed: Bool { !tests.isEmpty && verdicts.allSatisfy(\.passed) }

    private func verdict(for t: Test) -> Verdict {
        func v(_ passed: Bool, _ reason: String) -> Verdict { Verdict(name: t.name, kind: t.kind, passed: passed, reason: reason) }
        switch t.kind {
        case .complete:
            if t.failed { return v(false, "END__FAIL reported") }
            if t.succeeded { return v(true, "END__SUCCESS reported") }
            if t.killed { return v(false, "killed before END__SUCCESS") }
            return v(false, timedOut ? "timed out before END__SUCCESS" : "ended without END__SUCCESS")
        case .abort:
            if let line = t.endLineBeforeEnd { return v(false, "\(line) reported before the task ended") }
            if t.killed { return v(true, "task killed by the kernel") }
            if t.ended { return v(true, "task ended without reaching its END line") }
            if halted && !timedOut { return v(true, "machine halted before its END line") }
            return v(false, "timed out without ending")
        case .forever:
            if t.failed { return v(false, "END__FAIL reported") }
            if timedOut { return v(true, "still running at the timeout") }
            return v(false, "the machine stopped before the timeout")
        }
    }
}
