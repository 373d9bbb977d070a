import Foundation
import Glibc
import Testing

/// A host-path program that cannot be loaded exits 2 (README) without blocking; a RAM disk
/// never blocks on what sits in its directory; the kernel log is bounded (issue 17, 4 and 9).
@Suite(.enabled(if: Guest.hasProgram("guard_stdio") && Guest.hasProgram("hello")))
struct LoadAndLogTests {
    @Test(arguments: [
        ("missing", #"exec "$BIN" run --ramdisk "$RAMDISK" "$DIR/none""#, "No such file"),
        ("directory", #"exec "$BIN" run --ramdisk "$RAMDISK" "$DIR/""#, "a directory"),
        ("FIFO", #"mkfifo "$DIR/f" && exec "$BIN" run --ramdisk "$RAMDISK" "$DIR/f""#, "a FIFO"),
        ("/dev/zero", #"exec "$BIN" run --ramdisk "$RAMDISK" /dev/zero"#, "a device"),
        ("unreadable", #"cp "$RAMDISK/hello" "$DIR/h" && chmod 000 "$DIR/h" && exec "$BIN" run --ramdisk "$RAMDISK" "$DIR/h""#, "Permission denied"),
    ])
    func aHostProgramThatCannotBeLoadedExits2(_ kind: String, _ script: String, _ reason: String) throws {
        if kind == "unreadable" && geteuid() == 0 { return }   // root reads it anyway
        let r = try ShellRun.launch(script, timeout: 20)
        #expect(!r.timedOut && r.status == 2, "\(kind): \(r)")
        #expect(r.stderr.contains("cannot load") && r.stderr.contains(reason), "\(kind): \(r)")
    }

    /// A FIFO in the RAM disk directory is refused with the reason: exec of it used to block
    /// the whole machine waiting for a writer.
    @Test func aFIFOInTheRAMDiskIsNoProgramAndNeverBlocks() throws {
        let r = try ShellRun.launch(#"""
            mkdir "$DIR/disk" && cp "$RAMDISK/hello" "$RAMDISK/init" "$DIR/disk/" && mkfifo "$DIR/disk/pipe"
            exec "$BIN" run --ramdisk "$DIR/disk" pipe
            """#, timeout: 20)
        #expect(!r.timedOut && r.status == 2 && r.stderr.contains("not a regular file (a FIFO)"), "\(r)")
    }

    /// A program file past 64 MiB is refused with the reason, before any of it is read (an
    /// exec reads and parses in kernel context, where every task waits).
    @Test func aHugeRAMDiskFileIsRefusedWithTheReason() throws {
        let r = try ShellRun.launch(#"""
            mkdir "$DIR/disk" && cp "$RAMDISK/hello" "$RAMDISK/init" "$DIR/disk/" && truncate -s 65M "$DIR/disk/huge"
            exec "$BIN" run --ramdisk "$DIR/disk" huge
            """#, timeout: 20)
        #expect(!r.timedOut && r.status == 2, "\(r)")
        #expect(r.stderr.contains("cannot read it from the RAM disk") && r.stderr.contains("more than the 64 MiB"), "\(r)")
    }

    /// 1,000 lprintf lines against a 4 KiB limit: the log stops near 4 KiB, says why, and
    /// counts what it dropped; the program itself is not disturbed.
    @Test func theKernelLogIsBounded() throws {
        let r = try ShellRun.launch(#"""
            "$BIN" run --ramdisk "$RAMDISK" --log "$DIR/log" --log-limit 4 guard_stdio log 1000; s=$?
            wc -c <"$DIR/log"; tail -n 2 "$DIR/log"; exit $s
            """#)
        #expect(r.status == 0, "\(r)")
        let lines = r.stdout.split(separator: "\n")
        #expect((Int(lines.first?.trimmingCharacters(in: .whitespaces) ?? "") ?? .max) < 4096 + 300, "\(r)")
        #expect(r.stdout.contains("kernel log limit of 4096 bytes reached"), "\(r)")
        #expect(r.stdout.contains("kernel log lines dropped at the limit"), "\(r)")
    }
}
