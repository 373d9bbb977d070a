import Foundation
import Testing

/// Host resource limits end in a clear message naming the limit, and a guest that exhausts
/// what a limit leaves gets a guest error, never a host abort (issue 17, 5). Each test sets the
/// limit in /bin/sh and boots the real binary.
@Suite(.enabled(if: Guest.hasProgram("guard_forkbomb") && Guest.hasProgram("hello")))
struct HostLimitTests {
    @Test func anAddressSpaceLimitTooSmallForTheGuestRangeIsNamed() throws {
        let r = try ShellRun.launch(#"ulimit -v 400000 && exec "$BIN" run --ramdisk "$RAMDISK" hello"#)
        #expect(r.status == 2 && r.stderr.contains("address space limit (ulimit -v: 400000 KiB)"), "\(r)")
        #expect(!r.stderr.contains("something else"), "the limit, not a neighbour, is the cause: \(r)")
    }

    /// Under `ulimit -v` a fork bomb used to end in a Swift allocation abort (exit 134) when
    /// the page tables of one more child did not fit: fork now fails for the guest first.
    @Test func aForkBombUnderAnAddressSpaceLimitIsAGuestError() throws {
        // 4 GiB of guest range + 64 MiB of memory + about 200 MiB for everything else.
        let r = try ShellRun.launch(#"ulimit -v 4460000 && exec "$BIN" run --memory 64 --ramdisk "$RAMDISK" guard_forkbomb"#, timeout: 120)
        #expect(!r.timedOut && r.status == 0 && r.stdout.contains("PASS guard_forkbomb"), "\(r.stdout.suffix(400)) \(r.stderr.suffix(600))")
        #expect(r.stdout.contains("then fork refused with -3"), "\(r.stdout.suffix(400))")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("aborted"), "\(r.stderr.suffix(600))")
    }

    /// The memory file is a file: `ulimit -f` below --memory killed the emulator by SIGXFSZ
    /// with no word.
    @Test func aFileSizeLimitBelowTheMemorySizeIsNamed() throws {
        let r = try ShellRun.launch(#"ulimit -f 1000 && exec "$BIN" run --ramdisk "$RAMDISK" hello"#)
        #expect(r.status == 2 && r.stderr.contains("file size limit (ulimit -f: "), "\(r)")
    }

    /// A log that reaches `ulimit -f` says so once and the machine goes on.
    @Test func aLogReachingTheFileSizeLimitIsNamedAndTheGuestFinishes() throws {
        let r = try ShellRun.launch(#"ulimit -f 9000 && exec "$BIN" run --memory 4 --ramdisk "$RAMDISK" --log "$DIR/log" guard_stdio log 200000"#, timeout: 120)
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("the kernel log cannot be written: the file size limit (ulimit -f) was reached"), "\(r)")
    }

    /// A small stack limit segfaulted even --help before main ran.
    @Test func aSmallStackLimitIsNamedOrRaised() throws {
        let hard = try ShellRun.launch(#"ulimit -s 48 && exec "$BIN" --help"#)
        #expect(hard.status == 2 && hard.stderr.contains("stack size limit (ulimit -s) is 48 KiB"), "\(hard)")
        let soft = try ShellRun.launch(#"ulimit -S -s 48 && exec "$BIN" run --ramdisk "$RAMDISK" hello"#)
        #expect(soft.status == 0 && soft.stdout.contains("Hello from a Pebbles guest!"), "the soft limit is raised: \(soft)")
    }

    /// With few descriptors --log and --trace turned into "no such program".
    @Test func fewDescriptorsAreNamed() throws {
        let r = try ShellRun.launch(#"ulimit -n 8 && exec "$BIN" run --ramdisk "$RAMDISK" --log "$DIR/l" --trace "$DIR/t" hello"#)
        #expect(r.status == 2 && r.stderr.contains("open file limit (ulimit -n: 8"), "\(r)")
        #expect(!r.stderr.contains("no such program"), "\(r)")
    }

    /// stress crashed inside Foundation with few descriptors, and with an inherited descriptor
    /// past the limit (a jobserver's, say) counted every seed as "could not start".
    @Test func stressWithFewDescriptorsRefusesClearlyOrRuns() throws {
        let few = try ShellRun.launch(#"ulimit -n 12 && exec "$BIN" stress --runs 2 --ramdisk "$RAMDISK" exitcode 0"#)
        #expect(few.status == 2 && few.stderr.contains("open file limit (ulimit -n: 12"), "\(few)")
        // Descriptor 200 open, limit 32 (sh cannot name descriptors above 9: python does it).
        let inherited = try ShellRun.launch(#"""
            exec python3 -c 'import os, resource, sys
            os.dup2(os.open("/dev/null", os.O_WRONLY), 200, inheritable=True)
            resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))
            os.execv(sys.argv[1], sys.argv[1:])' "$BIN" stress --runs 3 --jobs 2 --timeout 120 --ramdisk "$RAMDISK" exitcode 0
            """#, timeout: 300)
        #expect(inherited.status == 0 && inherited.stdout.contains("3 runs, 3 passed, 0 failed"), "\(inherited)")
    }
}
