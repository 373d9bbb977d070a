import Foundation
import Testing

/// Issue 4, life cycle half: fork, exec, wait, vanish, task_vanish, thread_fork, gettid, with
/// their error returns, run as real guests under the kernel's resource audits.
@Suite(.serialized) struct TaskGuestTests {
    @Test func thousandSequentialForksAndFiftyConcurrentChildren() throws {
        let r = try Audited.run("task_fork", timeout: 240)
        Audited.expectPass(r, "task_fork")
    }

    @Test func waitErrorsAndDeliveredStatuses() throws {
        let r = try Audited.run("task_wait")
        Audited.expectPass(r, "task_wait")
        // The child that wrote through NULL was killed with the standard message (status -2).
        #expect(r.stdout.contains("(task_wait) killed: page fault (write) at address 0x00000000"), "\(r)")
    }

    /// Run as init (`--init`, the role the RAM disk's init has when the machine boots), the
    /// first task adopts orphans and uncollected zombies and collects them with wait.
    @Test func orphansAndUncollectedZombiesGoToInit() throws {
        let r = try Audited.run("task_orphans", options: ["--init"])
        Audited.expectPass(r, "task_orphans")
    }

    /// Issue 19.3: under `pebblebed run` the kernel is the init above the program: the
    /// program's wait() returns its child and then fails, never an orphaned grandchild; the
    /// orphans run to their end (they print after the program passed), the kernel drops their
    /// records (the audits at every exit and at halt balance) and the machine halts with the
    /// program's status.
    @Test func runProgramWaitsOnlyForItsOwnChildren() throws {
        let r = try Audited.run("orphan_wait")
        Audited.expectPass(r, "orphan_wait")
        #expect(r.stdout.contains("PASS orphan_wait\n"), "\(r)")
        for i in 1...3 { #expect(r.stdout.contains("orphan \(i) done\n"), "\(r)") }
        if let pass = r.stdout.range(of: "PASS orphan_wait"), let orphan = r.stdout.range(of: "orphan 1 done") {
            #expect(pass.lowerBound < orphan.lowerBound, "the orphans outlive the program: \(r)")
        }
    }

    /// The same under `stress` (seeded chaos, audited) and with --report judging the
    /// program's report lines.
    @Test func runProgramWaitsOnlyForItsOwnChildrenUnderStressAndReport() throws {
        let s = try Guest.launch(["stress", "--runs", "2", "--seed", "3", "--timeout", "120",
                                  "--ramdisk", Guest.ramdisk, "orphan_wait"], timeout: 300)
        #expect(s.status == 0, "\(s)")
        #expect(s.stdout.contains("2 runs, 2 passed, 0 failed"), "\(s)")
        let r = try Audited.run("orphan_wait", options: ["--report"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("verdict: PASS orphan_wait"), "\(r)")
    }

    /// With the first task gone the kernel collects its orphan, and the machine halts only once
    /// the orphan is gone too, with the first task's status.
    @Test func orphansOfAnExitedFirstTaskAreCollectedByTheKernel() throws {
        let r = try Audited.run("task_orphans", ["detach"])
        #expect(!r.timedOut && r.status == 5, "\(r)")
        #expect(r.stdout.contains("first task exits\norphan done\n"), "\(r)")
        #expect(!r.stderr.contains("audit failed"), "\(r)")
    }

    @Test func taskVanishEndsThreadsBlockedInTheKernel() throws {
        let r = try Audited.run("task_vanish")
        Audited.expectPass(r, "task_vanish")
    }

    /// Keyboard readers block only on a terminal that types nothing (a file's end halts the
    /// machine), so this run gets a pseudo-terminal: readline and a getchar queued behind it
    /// are ended by task_vanish along with the others, and the audits still balance.
    @Test func taskVanishEndsKeyboardReaders() throws {
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        try terminal.spawn(Guest.binary, arguments: ["run", "--audit", "--ramdisk", Guest.ramdisk, "task_vanish", "keyboard"],
                           environment: ["TERM": "xterm"])
        let status = terminal.waitForExit(seconds: 60)
        let output = String(decoding: terminal.received, as: UTF8.self)
        #expect(status == 0, "\(output)")
        #expect(output.contains("PASS task_vanish"), "\(output)")
        #expect(!output.contains("audit failed"), "\(output)")
    }

    /// Raw thread_fork + vanish of every thread; fork and exec refused with two threads; the
    /// task outlives its first thread and ends with the status that thread set.
    @Test func threadForkAndVanishOfEachThread() throws {
        let r = try Audited.run("task_threads")
        Audited.expectPass(r, "task_threads", status: 7)
    }

    @Test func execFailuresLeaveTheProgramIntact() throws {
        let r = try Audited.run("task_exec")
        Audited.expectPass(r, "task_exec")
        #expect(r.stdout.contains("exitcode: exiting with status 42"), "\(r)")
    }
}
