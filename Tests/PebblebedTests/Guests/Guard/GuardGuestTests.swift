import Foundation
import Testing

/// Guard rails from the guest side: bad arguments, a bounded fuzz run, exhaustion of tasks,
/// threads, memory and stack. Each must end with clean errors, the machine alive, and the
/// frame, thread and task audit clean (`--audit` checks after every task exit; halting checks
/// again; a failed audit exits 71).
@Suite(.serialized) struct GuardGuestTests {
    private func expectPass(_ r: GuestRun, _ name: String) {
        #expect(r.status == 0, "\(r)")
        #expect(!r.timedOut, "\(r)")
        #expect(r.stdout.contains("PASS \(name)"), "\(r)")
        #expect(!r.stderr.contains("kernel panic"), "\(r)")
        #expect(!r.stderr.contains("audit failed"), "\(r)")
    }

    @Test func everyCallRefusesBadArguments() throws {
        let r = try Guest.run("guard_args", options: ["--audit"], timeout: 60)
        expectPass(r, "guard_args")
        #expect(r.stdout.contains(" probes"), "\(r)")
    }

    /// The bounded fuzz run of `make test`: 100,000 calls over four tasks and ten threads.
    @Test func fuzzHundredThousandCalls() throws {
        let r = try Guest.run("fuzz", ["100000", "1"], options: ["--audit"], timeout: 240)
        expectPass(r, "fuzz")
        #expect(r.stdout.contains("fuzz: 100000 calls fuzzed, machine alive"), "\(r)")
    }

    @Test func fuzzOnATinyMachine() throws {
        let r = try Guest.run("fuzz", ["20000", "2", "6", "3"], options: ["--audit", "--memory", "2"], timeout: 240)
        expectPass(r, "fuzz")
    }

    @Test func forkBombEndsWithRefusal() throws {
        let r = try Guest.run("guard_forkbomb", options: ["--memory", "4"], timeout: 120)
        expectPass(r, "guard_forkbomb")
        #expect(r.stdout.contains("then fork refused with -3"), "\(r)")
        #expect(r.stdout.contains("child after the bomb exited with 3"), "\(r)")
    }

    /// Bare thread_fork children need no guest memory: the kernel's thread limit stops them.
    @Test func threadBombEndsWithRefusal() throws {
        let r = try Guest.run("guard_threadbomb", options: ["--audit", "--memory", "16"], timeout: 120)
        expectPass(r, "guard_threadbomb")
        #expect(r.stdout.contains("then thr_create failed"), "\(r)")
        #expect(r.stdout.contains("then thread_fork failed with -3"), "\(r)")
    }

    @Test func newPagesUntilRefusedThenEveryPageWorks() throws {
        let r = try Guest.run("guard_newpages", options: ["--audit", "--memory", "16"], timeout: 60)
        expectPass(r, "guard_newpages")
        #expect(r.stdout.contains("fork with memory exhausted -> -3"), "\(r)")
    }

    @Test func recursionIntoTheStackGuardKillsOnlyItsTask() throws {
        let r = try Guest.run("guard_recursion", options: ["--audit"], timeout: 60)
        expectPass(r, "guard_recursion")
        #expect(r.stdout.contains("first thread -> status -2"), "\(r)")
        #expect(r.stdout.contains("fixed-stack thread -> status -2"), "\(r)")
    }

    /// The shell keeps serving after every bomb: the same programs typed at it, then hello.
    @Test(.enabled(if: Guest.hasProgram("shell")))
    func shellServesAfterEveryBomb() throws {
        let script = "guard_forkbomb\nguard_threadbomb\nguard_newpages\nguard_recursion\nhello after\nexit\n"
        let r = try Guest.launch(["--ramdisk", Guest.ramdisk, "--memory", "4"], stdin: script, timeout: 180)
        #expect(!r.timedOut, "\(r)")
        for name in ["guard_forkbomb", "guard_threadbomb", "guard_newpages", "guard_recursion"] {
            #expect(r.stdout.contains("PASS \(name)"), "\(name): \(r)")
        }
        #expect(r.stdout.contains("argv[1] = after"), "\(r)")
        #expect(!r.stderr.contains("kernel panic") && !r.stderr.contains("audit failed"), "\(r)")
        #expect(r.status == 0, "\(r)")
    }
}
