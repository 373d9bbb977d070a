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
    /// The run could not be made at all (the host refused a fork, the fork server died): not
    /// a finding about the program, so the explorer stops with an error instead of a report.
    public var hostProblem: String?
    /// How the machine process ended: its exit code, or the signal that killed it.
    public var exitCode: Int32 = 0
    public var signal: Int32 = 0
    /// Racing instruction pairs a race-detection run found: (word, eip, eip).
    public var races: [(UInt32, UInt32, UInt32)] = []
    /// The program's atomic instructions on words several threads use, with their words.
    public var atomics: [(word: UInt32, eip: UInt32)] = []

    /// What a watched run asks to make preemption points, each instruction with its word:
    /// both sides of every racing pair and the shared atomic instructions.
    public var pointWords: [(word: UInt32, eip: UInt32)] {
        races.flatMap { [(word: $0.0, eip: $0.1), (word: $0.0, eip: $0.2)] } + atomics
    }
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

/// Runs schedules on copies of one booted machine (Kernel.prepare): for each run a fork
/// server (below) puts physical memory back from its snapshot and forks; the child installs
/// the schedule, runs the machine to its end, writes what it saw (RunReport) to a scratch file
/// and exits. Everything of the kernel but physical memory (a MAP_SHARED memfd) is the child's
/// own copy after fork; neither the explorer nor the server runs a guest, so their memory
/// stays the snapshot's.
public final class ForkRunner {
    let kernel: Kernel
    var snapshot: MemorySnapshot
    /// Thread-library code (accesses there are synchronisation), for race detection.
    var library: [Range<UInt32>] = [] { didSet { stopServer() } }
    /// Scratch files shared with the children: fds 1 and 2 (output and log), and the result.
    let outputFD: Int32
    let resultFD: Int32
    public var runLimitSeconds: Double = 10 { didSet { stopServer() } }
    public var maxPoints = 100_000 { didSet { stopServer() } }
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
        p.served(0, after: 0, thread: t.tid)
        // The footprints' name sets are static: made once here, not in every child.
        _ = Footprint.buildNameSets()
        var report = RunReport()
        report.records = p.records
        report.served = p.served
        report.states = p.states
        _ = RunReport(report.bytes)
        // The fairness ledger of yields (PointController.owed), a dictionary of sets.
        _ = p.fairAfterYield(of: t.tid, others: [t.tid &+ 1, t.tid &+ 2])
        p.reachedPoint(t.tid &+ 1)
        // A schedule with choices, as every run but the first has (its dictionary's storage).
        p.restart(with: Schedule([Schedule.Choice(point: Int.max, thread: t.tid)]))
        p.restart(with: Schedule())
        p.recording = false
        // halt audits frames and tasks (sets of objects) in every run.
        kernel.audit(context: "before exploring")
        kernel.auditTasks(context: "before exploring")
        // Generic types the kernel uses in a run but not while it was prepared (found with
        // perf: each cost every run the runtime's demangling of its name, a few percent of a
        // run each), used here with the same code: a task's first new_pages region
        // (AddressSpace.regions), the console's damage taken while shared (ConsoleScreen).
        // Kept in a global so the optimizer cannot drop them.
        if let planted = p.breakpoints.keys.first {   // preemptionPoint at a planted int3 (t's eip is put back)
            let eip = t.frame.eip
            t.frame.eip = planted &+ 1
            ForkRunner.warmedUp.breakpoint = kernel.plantedBreakpoint(t)
            t.frame.eip = eip
        }
        for i in 0..<Int32(16) { ForkRunner.warmedUp.tids.insert(i) }   // PointController.pendingTrap
        for i in 0..<Int32(16) { ForkRunner.warmedUp.waiting[i] = UInt32(i) }   // PointController.waitingOn
        for i in 0..<UInt32(16) { ForkRunner.warmedUp.regions[i] = i }
        var damage = ConsoleDamage(rowCount: 2)
        damage.mark(row: 0, columns: 0...1)
        ForkRunner.warmedUp.damage = damage
        damage.clear()
        ForkRunner.warmedUp.damage = damage
    }

    static var warmedUp: (breakpoint: Breakpoint?, tids: Set<Int32>, waiting: [Int32: UInt32], regions: [UInt32: UInt32],
                          damage: ConsoleDamage) = (nil, [], [:], [:], ConsoleDamage(rowCount: 0))

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
    /// Restarts this process with every dynamic symbol bound at load (LD_BIND_NOW), unless
    /// it was started so. Why: every run is a fresh fork of the fork server, and a symbol the
    /// server had not called yet is bound lazily, at its first call, in every run again (the
    /// binding is a write to the run's own copy of the GOT, lost when it exits): perf put the
    /// dynamic linker's lookups at 3% of a run, and with the page faults on the libraries'
    /// symbol tables that go with them, at 10% of explore's CPU time. Binding everything at
    /// load costs about 2 ms, once. If the exec fails, explore goes on as it was started.
    public static func bindSymbolsNow() {
        guard getenv("LD_BIND_NOW") == nil else { return }
        setenv("LD_BIND_NOW", "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("LD_BIND_NOW")
    }

    /// A file for a run's output or report, rewritten for every run: in memory (a memfd), since
    /// emptying a file on disk before every run cost the fork server a tenth of its time
    /// (ext4's truncate); a temporary file where memfds are refused.
    public static func scratchFile() -> Int32 {
        let memfd = PhysicalMemory.memoryFile(named: "pebblebed-explore")
        if memfd >= 0 { return memfd }
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
        stopServer()   // its copy of the machine has the old points
        snapshot.restore(into: memory)
        for eip in eips where p.breakpoints[eip] == nil {
            guard let code = PreemptionPoints.instructionBytes(space, at: eip), let original = code.first,
                  original != PreemptionPoints.int3, PreemptionPoints.poke(space, eip, PreemptionPoints.int3) else { continue }
            p.breakpoints[eip] = Breakpoint(function: label, original: original, emulation: Emulation.decode(code, at: eip))
        }
        snapshot = MemorySnapshot(memory)
    }

    /// Runs `schedule` on a fresh copy of the machine (in a child of the fork server) and
    /// reads back what it saw.
    public func run(_ schedule: Schedule, detectRaces: Bool = false) -> RunResult {
        var result = RunResult()
        let server: Server
        switch startServer() {
        case .success(let s): server = s
        case .failure(let problem):
            result.hostProblem = problem.description
            return result
        }
        var request: [Int32] = [detectRaces ? 1 : 0, Int32(schedule.choices.count), Int32(schedule.extraPoints.count)]
        for c in schedule.choices { request += [Int32(c.free ? ~c.point : c.point), c.thread] }   // free: complemented
        for a in schedule.extraPoints { request.append(Int32(bitPattern: a)) }
        var reply = [Int64](repeating: 0, count: 2)
        guard ForkRunner.transfer(server.socket, request, write: true),
              ForkRunner.transfer(server.socket, &reply) else {
            stopServer()
            result.hostProblem = "the fork server (pid \(server.pid)) stopped answering: it was killed or died"
            return result
        }
        // reply: wait status (or -errno of a failed fork), nanoseconds of restore and fork.
        resetNanoseconds += UInt64(reply[1])
        runsDone += 1
        guard reply[0] >= 0 else {
            result.hostProblem = "fork failed: \(String(cString: strerror(Int32(-reply[0]))))"
            return result
        }
        let status = Int32(truncatingIfNeeded: reply[0])
        if status & 0x7f == 0 { result.exitCode = (status >> 8) & 0xff } else { result.signal = status & 0x7f }
        result.output = ForkRunner.readAll(outputFD)
        let report = RunReport(ForkRunner.readBytes(resultFD))
        result.records = report.records
        result.served = report.served
        result.states = report.states
        result.races = report.races.map { ($0.word, $0.first, $0.second) }
        result.atomics = report.atomics.map { (word: $0.word, eip: $0.eip) }
        result.watchedAccesses = report.watchedAccesses ?? 0
        result.watchCounts = report.watchCounts
        result.status = report.status
        result.kernelBug = report.bug
        return result
    }

    // MARK: The fork server
    //
    // Runs are forked from a server process, itself forked from the explorer once the machine
    // is prepared, not from the explorer. A fork write-protects every private page of the
    // process that forks, and the explorer writes its heap all the time (the search's
    // queues and caches), so forking from it cost a copy-on-write fault in the explorer for
    // each page it touched after every run (75 a run), and a page-table copy that grew with
    // the search. The server's memory is the prepared machine and no more, and it waits
    // without touching it. The explorer sends a request over a socket (the schedule), the
    // server restores physical memory, forks the run and sends back its wait status (the
    // run is the server's child: its CPU time reaches the explorer's when the explorer reaps
    // the server, `stopServer`). Anything that changes what a run starts from (new points,
    // limits, the library ranges) stops the server; the next run starts a new one.

    private struct Server {
        let pid: pid_t
        /// A Unix socket, not pipes: a send to a server that died fails with EPIPE
        /// (MSG_NOSIGNAL) instead of raising SIGPIPE, which would kill the explorer.
        let socket: Int32
    }
    private var server: Server?

    private func startServer() -> Result<Server, ServerProblem> {
        if let server { return .success(server) }
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0 else {
            return .failure(ServerProblem("socketpair: \(String(cString: strerror(errno)))"))
        }
        let pid = fork()
        if pid == 0 {
            close(ends[0])
            serve(ends[1])
        }
        close(ends[1])
        guard pid > 0 else {
            close(ends[0])
            return .failure(ServerProblem("fork failed: \(String(cString: strerror(errno)))"))
        }
        let s = Server(pid: pid, socket: ends[0])
        server = s
        return .success(s)
    }

    private struct ServerProblem: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// Stops the fork server and reaps it (its runs' CPU time counts as the explorer's only
    /// once it is reaped). Call before exiting; a later run starts a new server.
    public func stopServer() {
        guard let s = server else { return }
        server = nil
        close(s.socket)   // the server reads end of file and exits
        var status: Int32 = 0
        while waitpid(s.pid, &status, 0) < 0 && errno == EINTR {}
    }

    deinit { stopServer() }

    /// The server's loop: a request, a run, its reply, until the explorer closes the socket
    /// (or dies: its end closes then too). Never returns.
    private func serve(_ socket: Int32) -> Never {
        var header = [Int32](repeating: 0, count: 3)
        while ForkRunner.transfer(socket, &header) {
            var body = [Int32](repeating: 0, count: Int(header[1]) * 2 + Int(header[2]))
            guard ForkRunner.transfer(socket, &body) else { break }
            let choices = (0..<Int(header[1])).map { k in
                let p = Int(body[2 * k])
                return Schedule.Choice(point: p < 0 ? ~p : p, thread: body[2 * k + 1], free: p < 0)
            }
            let extra = body[(Int(header[1]) * 2)...].map { UInt32(bitPattern: $0) }
            let t0 = kernel.machine.nanoseconds
            snapshot.restore(into: memory)
            for fd in [outputFD, resultFD] {
                _ = ftruncate(fd, 0)
                _ = lseek(fd, 0, SEEK_SET)
            }
            let pid = fork()
            if pid == 0 {
                close(socket)
                child(Schedule(choices, extraPoints: extra), detectRaces: header[0] != 0)
            }
            let reset = Int64(kernel.machine.nanoseconds - t0)
            var reply: [Int64] = [pid < 0 ? -Int64(errno) : 0, reset]
            if pid > 0 {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                reply[0] = Int64(status)
            }
            guard ForkRunner.transfer(socket, reply, write: true) else { break }
        }
        _exit(0)
    }

    /// Writes `words`, or reads exactly as many as fit: false at end of file or on an error.
    static func transfer<T>(_ fd: Int32, _ words: [T], write: Bool) -> Bool {
        var copy = words
        return transfer(fd, &copy, writing: true)
    }

    static func transfer<T>(_ fd: Int32, _ words: inout [T]) -> Bool { transfer(fd, &words, writing: false) }

    private static func transfer<T>(_ fd: Int32, _ words: inout [T], writing: Bool) -> Bool {
        words.withUnsafeMutableBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = writing ? send(fd, buffer.baseAddress! + done, buffer.count - done, Int32(MSG_NOSIGNAL))
                                : recv(fd, buffer.baseAddress! + done, buffer.count - done, 0)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
    }

    /// The forked machine: run `schedule` from the snapshot and report. Never returns.
    private func child(_ schedule: Schedule, detectRaces: Bool) -> Never {
        let p = kernel.points!
        p.restart(with: schedule)
        if detectRaces {
            let library = self.library
            p.races = RaceDetector(isLibrary: { eip in library.contains { $0.contains(eip) } },
                                   taskOf: { [unowned kernel] tid in kernel.threads[tid]?.task.id ?? 0 })
            // The parent showed the program's pages (mapFirstTask): every access must fault.
            if let space = kernel.firstTask?.space { kernel.withdrawWritable(space) }
        }
        p.recording = true
        p.maxPoints = maxPoints
        // After the schedule's last choice (free ones are placed in the run only as it goes).
        p.fingerprintAfterLastChoice = schedule.preemptions < schedule.choices.count
        p.fingerprintFrom = p.fingerprintAfterLastChoice ? Int.max : (schedule.choices.last?.point ?? -1) + 1
        p.runStartNanoseconds = kernel.machine.nanoseconds
        p.runLimitNanoseconds = UInt64(runLimitSeconds * 1e9)
        let resultFD = self.resultFD
        func report(status: Int32? = nil, bug: (kind: String, message: String)? = nil) {
            var r = RunReport()
            r.records = p.records
            r.served = p.served
            r.states = p.states
            r.races = (p.races?.races ?? []).map { RunReport.Race(word: $0.0, first: $0.1, second: $0.2) }
            r.atomics = (p.races?.sharedAtomics ?? []).map { RunReport.Atomic(word: $0.word, eip: $0.eip) }
            r.watchedAccesses = p.races?.accesses
            r.watchCounts = p.races.map { [$0.faults, $0.emulated] } ?? []
            r.status = status
            r.bug = bug
            ForkRunner.writeAll(resultFD, r.bytes)
        }
        p.bugHook = { kind, message in
            report(bug: (kind.rawValue, message))
            _exit(3)
        }
        kernel.shutdownHooks.append { [unowned kernel] in
            // A panic or failed audit ends the process itself (70, 71) after the hooks.
            if kernel.failingExit != nil { return report() }
            let status = kernel.firstTaskStatus ?? kernel.firstTask.status
            report(status: status)
            // Last hook: the console is flushed, the audit passed. Nothing else of this
            // process is needed, and a full exit() (atexit, stdio) costs a share of the run.
            _exit(status & 0xff)
        }
        // The timer only watches the run's wall-clock limit (Kernel+Loop.swift, .timer).
        _ = kernel.machine.startTimer(periodNanoseconds: 100_000_000)
        kernel.start()
    }

    static func writeAll(_ fd: Int32, _ text: String) { writeAll(fd, Array(text.utf8)) }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var bytes = bytes[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    static func readAll(_ fd: Int32) -> String { String(decoding: readBytes(fd), as: UTF8.self) }

    static func readBytes(_ fd: Int32) -> [UInt8] {
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: size)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, size, 0) }
        return Array(bytes.prefix(max(n, 0)))
    }
}
