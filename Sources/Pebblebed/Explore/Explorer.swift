import Glibc

/// What one run of a schedule came to.
public struct RunResult {
    public var records: [PointRecord] = []
    public var states: [Int: UInt64] = [:]
    /// The points' operations in the order they were served (PartialOrder).
    public var served: [PartialOrder.Event] = []
    /// The first task's exit status, when the machine halted normally.
    public var status: Int32?
    /// A bug the kernel reported itself (deadlock, step bound).
    public var kernelBug: (kind: String, message: String)?
    /// How the machine process ended: its exit code, or the signal that killed it.
    public var exitCode: Int32 = 0
    public var signal: Int32 = 0
    /// Racing instruction pairs a race-detection run found: (word, eip, eip).
    public var races: [(UInt32, UInt32, UInt32)] = []
    public var watchedAccesses = 0
    /// A watched run's faults for accesses and how many the kernel carried out (RaceDetector).
    public var watchCounts: [Int] = []
    /// Console output and kernel log of the run.
    public var output: String = ""

    /// The bug this run shows, if any: the kernel's own verdict, a kernel panic or failed
    /// audit, a thread killed by a fault, a FAIL / END__FAIL line, or a non-zero exit status.
    public var bug: String? {
        let lines = output.split(separator: "\n")
        // A thread killed by a fault comes first: a deadlock after it (its joiner waiting for
        // an exit that will never come) is its consequence.
        if let b = kernelBug {
            if let killed = lines.first(where: { $0.contains(" killed: ") }) {
                return "thread killed: " + killed + "\nthen " + b.message
            }
            return b.message
        }
        if signal != 0 { return "the machine died of signal \(signal) (a kernel crash)" }
        if exitCode == kernelPanicExit {
            return lines.first { $0.contains("kernel panic") }.map(String.init) ?? "kernel panic"
        }
        if exitCode == 71 { return "kernel audit failed: " + (lines.first { $0.contains("audit") }.map(String.init) ?? "") }
        if let killed = lines.first(where: { $0.contains(" killed: ") }) { return "thread killed: " + killed }
        if let fail = lines.first(where: { $0.hasPrefix("FAIL") || $0.contains("END__FAIL") }) { return String(fail) }
        if let status, status != 0 {
            let panic = lines.last { $0.contains("panic") || $0.contains("assert") }.map { ": " + $0 } ?? ""
            return "exit status \(status)\(panic)"
        }
        if status == nil { return "the machine stopped without a result (exit code \(exitCode))" }
        return nil
    }
}

/// Runs schedules on copies of one booted machine (Kernel.prepare): for each run the parent
/// puts physical memory back from its snapshot and forks; the child installs the schedule,
/// runs the machine to its end, writes what it saw to a scratch file and exits. Everything of
/// the kernel but physical memory (a MAP_SHARED memfd) is the child's own copy after fork; the
/// parent never runs a guest, so its memory stays the snapshot's.
public final class ForkRunner {
    let kernel: Kernel
    var snapshot: MemorySnapshot
    /// Thread-library code (accesses there are synchronisation), for race detection.
    var library: [Range<UInt32>] = []
    /// Scratch files shared with the children: fds 1 and 2 (output and log), and the result.
    let outputFD: Int32
    let resultFD: Int32
    public var runLimitSeconds: Double = 10
    public var maxPoints = 100_000
    /// Nanoseconds spent restoring memory and forking, over all runs (the reset cost).
    public private(set) var resetNanoseconds: UInt64 = 0
    public private(set) var runsDone = 0
    /// Runs after the first whose shared accesses were watched, and their time (ExploreDriver).
    public var watchedRuns = 0
    public var watchedNanoseconds: UInt64 = 0

    public init(kernel: Kernel, outputFD: Int32) throws(BootError) {
        self.kernel = kernel
        self.outputFD = outputFD
        ForkRunner.mapFirstTask(kernel)
        snapshot = MemorySnapshot(memory)
        ForkRunner.warmUp(kernel)
        resultFD = ForkRunner.scratchFile()
        guard resultFD >= 0 else { throw .host("creating a scratch file", errno) }
    }

    /// Uses, once in the parent, the generic types a run uses (dictionaries of the point
    /// controller, the fingerprint): the Swift runtime builds their metadata on first use,
    /// and a forked child inherits what the parent built instead of building it again in
    /// every run (that was a tenth of a run's time). Reads only; the controller is reset.
    static func warmUp(_ kernel: Kernel) {
        guard let p = kernel.points, let t = kernel.scheduler.runQueue.all.first else { return }
        p.recording = true
        _ = p.noteYield(t.tid, isYield: true)
        p.lastCall[t.tid] = ("warm-up", 0)
        p.states[0] = kernel.stateFingerprint(current: t, label: "warm-up")
        p.note(PointRecord(index: 0, thread: t.tid, eip: 0, caller: 0, label: "warm-up", alternatives: [t.tid], switchedTo: nil,
                           footprint: [Footprint.console]))
        p.served(0, after: 0)
        // The footprints' name sets are static: made once here, not in every child.
        _ = Footprint.objectCalls.contains("warm-up") || Footprint.wrappers.contains("warm-up")
            || Footprint.local.contains("warm-up") || Footprint.consoleCalls.contains("warm-up")
        _ = p.recordText
        _ = PointRecord(line: Substring(p.recordText))
        p.restart(with: Schedule())
        p.recording = false
        // halt audits frames and tasks (sets of objects) in every run.
        kernel.audit(context: "before exploring")
        kernel.auditTasks(context: "before exploring")
    }

    /// Shows the first task's pages in the guest range now, in the parent: the mappings are
    /// MAP_SHARED views of physical memory, which a forked child inherits as they are, so
    /// no run pays the soft-TLB faults of its first touches again (a tenth of a run). Pages
    /// not yet filled (zero-fill) are left to fault in each run.
    static func mapFirstTask(_ kernel: Kernel) {
        guard let space = kernel.firstTask?.space else { return }
        memory.activate(space)
        var pages: [(UInt32, Bool)] = []
        space.table.forEachPresent { page, e in
            if !e.flags.contains(.zeroFill) && !e.flags.contains(.inHost) { pages.append((page, e.flags.contains(.writable))) }
        }
        for (page, writable) in pages { _ = space.handleFault(at: page << pageShift, write: writable) }
    }

    /// An unlinked file in /tmp.
    public static func scratchFile() -> Int32 {
        var template = Array("/tmp/pebblebed-explore-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        if fd >= 0 { unlink(template) }
        return fd
    }

    public var snapshotFrames: Int { snapshot.frameCount }

    /// Makes `eips` preemption points too (data races): their int3s go into the snapshot.
    public static let racePointLabel = "data-race"

    public func addPoints(_ eips: [UInt32], label: String = ForkRunner.racePointLabel) {
        guard let p = kernel.points, let space = kernel.firstTask?.space else { return }
        snapshot.restore(into: memory)
        for eip in eips where p.breakpoints[eip] == nil {
            guard let code = try? space.copyIn(eip, count: 5), let original = code.first,
                  original != PreemptionPoints.int3, PreemptionPoints.poke(space, eip, PreemptionPoints.int3) else { continue }
            p.breakpoints[eip] = Breakpoint(function: label, original: original, emulation: Emulation.decode(code, at: eip))
        }
        snapshot = MemorySnapshot(memory)
    }

    public func run(_ schedule: Schedule, detectRaces: Bool = false) -> RunResult {
        let t0 = kernel.machine.nanoseconds
        snapshot.restore(into: memory)
        for fd in [outputFD, resultFD] {
            _ = ftruncate(fd, 0)
            _ = lseek(fd, 0, SEEK_SET)
        }
        let pid = fork()
        if pid == 0 { child(schedule, detectRaces: detectRaces) }
        resetNanoseconds += kernel.machine.nanoseconds - t0
        runsDone += 1
        var result = RunResult()
        guard pid > 0 else {
            result.kernelBug = ("host", "fork failed: \(String(cString: strerror(errno)))")
            return result
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 { result.exitCode = (status >> 8) & 0xff } else { result.signal = status & 0x7f }
        result.output = ForkRunner.readAll(outputFD)
        for line in ForkRunner.readAll(resultFD).split(separator: "\n") {
            switch line.first {
            case "P": if let r = PointRecord(line: line) { result.records.append(r) }
            case "H":
                let w = line.split(separator: " ")
                if w.count == 3, let i = Int(w[1]), let h = UInt64(w[2]) { result.states[i] = h }
            case "X": result.status = Int32(line.dropFirst(2))
            case "S": result.served = ForkRunner.parseServed(line.dropFirst(2), records: result.records)
            case "A":
                let w = line.split(separator: " ").dropFirst().compactMap { Int($0) }
                (result.watchedAccesses, result.watchCounts) = (w.first ?? 0, Array(w.dropFirst()))
            case "R":
                let w = line.split(separator: " ").compactMap { UInt32($0) }
                if w.count == 3 { result.races.append((w[0], w[1], w[2])) }
            case "B":
                let parts = line.dropFirst(2).split(separator: "\t", maxSplits: 1)
                if parts.count == 2 {
                    result.kernelBug = (String(parts[0]), parts[1].replacingOccurrences(of: "\u{1F}", with: "\n"))
                }
            default: break
            }
        }
        return result
    }

    /// The forked machine: run `schedule` from the snapshot and report. Never returns.
    private func child(_ schedule: Schedule, detectRaces: Bool) -> Never {
        let p = kernel.points!
        p.restart(with: schedule)
        if detectRaces {
            let library = self.library
            p.races = RaceDetector { eip in library.contains { $0.contains(eip) } }
            // The parent showed the program's pages (mapFirstTask): every access must fault.
            if let space = kernel.firstTask?.space { kernel.withdrawWritable(space) }
        }
        p.recording = true
        p.maxPoints = maxPoints
        p.fingerprintFrom = (schedule.choices.last?.point ?? -1) + 1
        p.runStartNanoseconds = kernel.machine.nanoseconds
        p.runLimitNanoseconds = UInt64(runLimitSeconds * 1e9)
        let resultFD = self.resultFD
        func report(_ tail: String) {
            var text = p.recordText + "\n"
            if !p.servedText.isEmpty { text += "S " + p.servedText + "\n" }
            for (i, h) in p.states.sorted(by: { $0.key < $1.key }) { text += "H \(i) \(h)\n" }
            for (w, a, b) in p.races?.races ?? [] { text += "R \(w) \(a) \(b)\n" }
            if let d = p.races { text += "A \(d.accesses) \(d.faults) \(d.emulated)\n" }
            text += tail + "\n"
            ForkRunner.writeAll(resultFD, text)
        }
        p.bugHook = { kind, message in
            report("B \(kind.rawValue)\t" + message.replacingOccurrences(of: "\n", with: "\u{1F}"))
            _exit(3)
        }
        kernel.shutdownHooks.append { [unowned kernel] in
            let status = kernel.firstTaskStatus ?? kernel.firstTask.status
            report("X \(status)")
            // Last hook: the console is flushed, the audit passed. Nothing else of this
            // process is needed, and a full exit() (atexit, stdio) costs a share of the run.
            _exit(status & 0xff)
        }
        // The timer only watches the run's wall-clock limit (Kernel+Loop.swift, .timer).
        _ = kernel.machine.startTimer(periodNanoseconds: 100_000_000)
        kernel.start()
    }

    /// The "S" line: `I` or `I.D` (point I served after point D), comma-separated.
    static func parseServed(_ text: Substring, records: [PointRecord]) -> [PartialOrder.Event] {
        var out: [PartialOrder.Event] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: ".")
            guard let i = Int(parts[0]), i >= 0, i < records.count else { continue }
            let d = parts.count == 2 ? Int(parts[1]) ?? i : i
            guard d < records.count else { continue }
            out.append(PartialOrder.Event(point: i, decision: d, thread: records[i].thread))
        }
        return out
    }

    static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    static func readAll(_ fd: Int32) -> String {
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0 else { return "" }
        var bytes = [UInt8](repeating: 0, count: size)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, size, 0) }
        return String(decoding: bytes.prefix(max(n, 0)), as: UTF8.self)
    }
}

extension Substring {
    func replacingOccurrences(of a: String, with b: String) -> String {
        String(self).split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}

extension String {
    func replacingOccurrences(of a: String, with b: String) -> String {
        split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}
