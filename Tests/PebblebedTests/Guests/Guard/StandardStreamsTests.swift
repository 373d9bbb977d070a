import CShims
import Foundation
import Testing

/// Any stdin works (issue 19, 1), and closed standard descriptors are /dev/null, never the
/// emulator's own files (issue 17, 2). Each test boots the real binary from /bin/sh.
@Suite(.enabled(if: Guest.hasProgram("guard_stdio") && Guest.hasProgram("hello")))
struct StandardStreamsTests {
    /// A FIFO opened read-write is one of its own writers: Linux signals it after every read,
    /// so reading to find nothing fed SIGIO forever and hello never ran.
    @Test func aFIFOOpenedReadWriteAsStdinLetsTheGuestRun() throws {
        let r = try ShellRun.launch(#"""
            mkfifo "$DIR/fifo" && exec 3<>"$DIR/fifo" && exec "$BIN" run --ramdisk "$RAMDISK" hello <&3
            """#, timeout: 30)
        #expect(!r.timedOut && r.status == 0, "\(r)")
        #expect(r.stdout.contains("Hello from a Pebbles guest!"), "\(r)")
    }

    /// The same FIFO, with the line written after the reader is waiting: SIGIO wakes it.
    @Test func aReadWriteFIFOStillDeliversInputWrittenLater() throws {
        let r = try ShellRun.launch(#"""
            mkfifo "$DIR/fifo" && exec 3<>"$DIR/fifo"
            (sleep 0.5; printf 'late line\n' >&3) &
            exec "$BIN" run --ramdisk "$RAMDISK" guard_stdio read <&3
            """#, timeout: 30)
        #expect(!r.timedOut && r.status == 4, "\(r)")
        #expect(r.stdout.contains("read 10 bytes: late line"), "\(r)")
    }

    /// Every kind of stdin: the guest runs, and a reader gets the input or its end.
    @Test(arguments: [
        ("pipe", #"printf 'abc\n' | "$BIN" run --ramdisk "$RAMDISK" guard_stdio read"#, 4),
        ("file", #"printf 'abc\n' >"$DIR/in"; "$BIN" run --ramdisk "$RAMDISK" guard_stdio read <"$DIR/in""#, 4),
        ("socket", #"python3 -c 'import socket,subprocess,sys; a,b=socket.socketpair(); a.sendall(b"abc\n"); a.shutdown(socket.SHUT_WR); sys.exit(subprocess.call(sys.argv[1:], stdin=b))' "$BIN" run --ramdisk "$RAMDISK" guard_stdio read"#, 4),
        ("fifo with a writer", #"mkfifo "$DIR/f"; (printf 'abc\n' >"$DIR/f") & "$BIN" run --ramdisk "$RAMDISK" guard_stdio read <"$DIR/f""#, 4),
        ("/dev/null", #""$BIN" run --ramdisk "$RAMDISK" guard_stdio read </dev/null"#, 72),
        ("closed", #""$BIN" run --ramdisk "$RAMDISK" guard_stdio read <&-"#, 72),
    ])
    func everyKindOfStdinWorks(_ kind: String, _ script: String, _ status: Int32) throws {
        let r = try ShellRun.launch(script, timeout: 30)
        #expect(!r.timedOut && r.status == status, "\(kind): \(r)")
        if status == 4 { #expect(r.stdout.contains("read 4 bytes: abc"), "\(kind): \(r)") }
        if status == 72 { #expect(r.stderr.contains("end of input with a reader waiting"), "\(kind): \(r)") }
    }

    /// With stdin closed the memfd of physical memory used to become descriptor 0, and getchar
    /// read other tasks' frames: now input has simply ended.
    @Test func aClosedStdinIsEndOfInputNotMemory() throws {
        let r = try ShellRun.launch(#"exec "$BIN" run --ramdisk "$RAMDISK" guard_stdio read <&-"#)
        #expect(r.status == 72 && !r.stdout.contains("read "), "\(r)")
    }

    /// With stdout (or stderr) closed, printed (or logged) bytes used to land in frames, the
    /// shared zero frame among them: fresh zero pages must stay zero.
    @Test(arguments: [">&-", "2>&-", ">&- 2>&-"])
    func aClosedStdoutOrStderrNeverWritesMemory(_ redirection: String) throws {
        let r = try ShellRun.launch(#"exec "$BIN" run --ramdisk "$RAMDISK" guard_stdio write "# + redirection)
        #expect(!r.timedOut && r.status == 0, "exit 3: printed bytes reached zero pages; \(r)")
    }

    /// A closed stdout or stderr is open on /dev/null by the time the machine runs.
    @Test func closedDescriptorsAreReopenedOnDevNull() throws {
        let r = try ShellRun.launch(#"""
            "$BIN" run --ramdisk "$RAMDISK" guard_spin >&- 2>&- <&- & pid=$!
            sleep 0.5
            for fd in 0 1 2; do printf '%s %s\n' $fd "$(readlink /proc/$pid/fd/$fd)"; done
            kill -TERM $pid; wait $pid
            """#)
        #expect(r.stdout == "0 /dev/null\n1 /dev/null\n2 /dev/null\n", "\(r)")
    }
}

extension StandardStreamsTests {
    /// Another process sending SIGIO (or SIGALRM) in a tight loop: with stdin a file or
    /// /dev/null (which never raise SIGIO) the emulator ignores SIGIO; with a pipe it takes
    /// each one, and the interrupt handlers run with the interrupt signals blocked, so the
    /// flood cannot stack signal frames until the alternate stack overflows (it died of
    /// SIGSEGV in 5 of 5 runs with a file stdin, and in 2 of 3 with a pipe).
    @Test(.enabled(if: Guest.hasProgram("guard_spin")), arguments: [
        ("file", SIGIO), ("pipe", SIGIO), ("pipe", SIGALRM),
    ])
    func aSignalFloodCannotKillTheMachine(stdin: String, signal: Int32) throws {
        for _ in 0..<2 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Guest.binary)
            p.arguments = ["run", "--ramdisk", Guest.ramdisk, "guard_spin"]   // never ends by itself
            let pipe = Pipe()   // kept open (no writer closes it) for the whole run
            p.standardInput = stdin == "pipe" ? pipe : FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(300_000)   // booted: the keyboard is open, the guest spins
            let end = Date().addingTimeInterval(2)
            while p.isRunning && Date() < end { kill(p.processIdentifier, signal) }
            #expect(p.isRunning, "the machine died under the flood")
            kill(p.processIdentifier, SIGTERM)   // which ends it by that signal, terminal restored
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGTERM,
                    "\(p.terminationReason == .uncaughtSignal ? "killed by signal" : "exit") \(p.terminationStatus)")
        }
    }
}

/// The screaming-line guard's policy, in process with a made-up clock.
@Suite struct InterruptGuardTests {
    @Test func aLineThatServesNothingLimitTimesInAWindowIsMasked() {
        var guardState = pb_irq_guard()
        pb_irq_guard_init(&guardState, 1000, 100_000_000)
        for i in 0..<999 { #expect(pb_irq_guard_note(&guardState, 0, UInt64(i) * 1000) == 0) }
        #expect(pb_irq_guard_note(&guardState, 0, 999_000) == 1, "the 1000th unserved in 1 ms masks")
        #expect(guardState.masked == 1)
        #expect(pb_irq_guard_note(&guardState, 0, 1_000_000) == 0, "masked once, reported once")
    }

    @Test func aSlowTrickleOfUnservedInterruptsNeverMasks() {
        var guardState = pb_irq_guard()
        pb_irq_guard_init(&guardState, 1000, 100_000_000)
        // 500 a second for a minute: a tty's output-space wakeups, say.
        for i in 0..<30_000 { #expect(pb_irq_guard_note(&guardState, 0, UInt64(i) * 2_000_000) == 0) }
        #expect(guardState.masked == 0 && guardState.total_unserved == 30_000)
    }

    @Test func servedInterruptsDoNotCountButDoNotExcuseAScream() {
        var guardState = pb_irq_guard()
        pb_irq_guard_init(&guardState, 10, 100_000_000)
        var masked = 0
        for i in 0..<18 { masked += Int(pb_irq_guard_note(&guardState, Int32(i % 2), UInt64(i))) }
        #expect(masked == 0 && guardState.unserved == 9)
        #expect(pb_irq_guard_note(&guardState, 0, 20) == 1)
    }
}
