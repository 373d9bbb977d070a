import Foundation
import Testing

/// One table of exit codes (README, "Exit codes"; Sources/pebblebed/Errors.swift): usage 64,
/// load 2, panic 70, audit 71, timeout 124, else the guest's status; every message names the
/// option or file and what to do (issue 18, 5).
@Suite(.enabled(if: Guest.hasProgram("hello")))
struct ExitCodeTests {
    @Test func aMisspelledCommandIsNamedWithTheCommandsAndASuggestion() throws {
        let r = try Guest.launch(["rnu", "hello"])
        #expect(r.status == 64, "\(r)")
        #expect(r.stderr.hasPrefix("pebblebed: unknown command 'rnu' (did you mean 'run'?); the commands are: boot, run, stress"), "\(r)")
        #expect(r.stderr.contains("test") && !r.stderr.contains("Usage: pebblebed boot"), "\(r)")
        let far = try Guest.launch(["frobnicate"])
        #expect(far.status == 64 && far.stderr.contains("unknown command 'frobnicate' (to run a guest program: pebblebed run frobnicate); the commands") && !far.stderr.contains("did you mean"), "\(far)")
    }

    @Test func negativeNumbersAreBadValuesNotMissingOnes() throws {
        for (option, value, says) in [("--seed", "-1", "--seed must be a whole number 0...18446744073709551615, not '-1'"),
                                      ("--memory", "-5", "--memory must be a whole number 1...4096 MiB, not '-5'"),
                                      ("--timeout", "-2", "--timeout must be a positive number of seconds"),
                                      ("--hz", "0", "--hz must be a whole number 1...10000, not '0'")] {
            let r = try Guest.launch(["run", "--ramdisk", Guest.ramdisk, option, value, "hello"])
            #expect(r.status == 64 && r.stderr.contains(says) && !r.stderr.contains("Missing value"), "\(option) \(value): \(r)")
        }
    }

    @Test func loadFailuresExitTwoAndNameTheFile() throws {
        let host = try Guest.launch(["run", "./nosuch-program"])
        #expect(host.status == 2 && host.stderr.contains("cannot load ./nosuch-program"), "\(host)")
        let disk = try Guest.run("nosuch-program")
        #expect(disk.status == 2 && disk.stderr.contains("nosuch-program: no such program in the RAM disk"), "\(disk)")
        let ramdisk = try Guest.launch(["run", "--ramdisk", "/nonexistent-ramdisk", "hello"])
        #expect(ramdisk.status == 2 && ramdisk.stderr.contains("--ramdisk /nonexistent-ramdisk: no such directory"), "\(ramdisk)")
    }

    @Test func ccHelpIsPebblebedsHelp() throws {
        for flag in ["--help", "-h"] {
            let r = try Guest.launch(["cc", flag])
            #expect(r.status == 0 && r.stdout.contains("Compile C files into a Pebbles guest program") && r.stdout.contains("--no-libthread"), "\(r)")
            #expect(!r.stdout.contains("Usage: gcc"), "\(r)")
        }
    }

    @Test func versionNamesTheDataDirectory() throws {
        let r = try Guest.launch(["--version"])
        #expect(r.status == 0 && r.stdout.hasPrefix("pebblebed 0.") && r.stdout.contains("\ndata directory: ") && r.stdout.contains("\nRAM disk: "), "\(r)")
    }

    /// Output paths are checked before the machine boots (or the first run starts): nothing
    /// runs, and the message names the option and the folder.
    @Test func outputPathsAreCheckedBeforeAnythingRuns() throws {
        let trace = try Guest.run("hello", options: ["--trace", "/nonexistent-folder/t.json"])
        #expect(trace.status == 64 && trace.stderr.contains("--trace: cannot write trace /nonexistent-folder/t.json"), "\(trace)")
        #expect(!trace.stdout.contains("Hello"), "the machine booted: \(trace)")
        let json = try Guest.launch(["stress", "--runs", "1", "--ramdisk", Guest.ramdisk, "--json", "/nonexistent-folder/r.json", "hello"])
        #expect(json.status == 64 && json.stderr.contains("--json /nonexistent-folder/r.json: the folder /nonexistent-folder does not exist"), "\(json)")
        #expect(!json.stdout.contains("1 runs"), "a run started: \(json)")
        let junit = try Guest.launch(["test", "--ramdisk", Guest.ramdisk, "--junit", "/nonexistent-folder/j.xml", "hello"])
        #expect(junit.status == 64 && junit.stderr.contains("--junit /nonexistent-folder/j.xml: the folder /nonexistent-folder does not exist"), "\(junit)")
        #expect(!junit.stdout.contains("TEST"), "a test ran: \(junit)")
        for option in ["--schedule-out", "--json", "--markdown"] {
            let explore = try Guest.launch(["explore", "--ramdisk", Guest.ramdisk, option, "/nonexistent-folder/e", "explore_counter"])
            #expect(explore.status == 64 && explore.stderr.contains("\(option) /nonexistent-folder/e: the folder /nonexistent-folder does not exist"), "\(explore)")
            #expect(!explore.stdout.contains("interleaving"), "explore ran: \(explore)")
        }
        // A directory is not a file name, and an existing file is left as it was until written.
        let dir = try CommandLineRun.temporaryDirectory("outpath")
        defer { try? FileManager.default.removeItem(at: dir) }
        let isDir = try Guest.launch(["test", "--ramdisk", Guest.ramdisk, "--junit", dir.path, "hello"])
        #expect(isDir.status == 64 && isDir.stderr.contains("--junit \(dir.path): is a directory; give a file name"), "\(isDir)")
    }

    @Test func unreadableAndUnwritableFilesNameTheirOption() throws {
        let log = try Guest.run("hello", options: ["--log", "/nonexistent-folder/k.log"])
        #expect(log.status == 64 && log.stderr.hasPrefix("pebblebed: --log: ") && log.stderr.contains("/nonexistent-folder/k.log"), "\(log)")
        #expect(!log.stdout.contains("Hello"), "the machine booted: \(log)")
        let schedule = try Guest.run("hello", options: ["--schedule", "/nonexistent-folder/s"])
        #expect(schedule.status == 64 && schedule.stderr.contains("--schedule /nonexistent-folder/s: cannot read it"), "\(schedule)")
        let batch = try Guest.run("hello", options: ["--gdb-batch", "/nonexistent-folder/cmds"])
        #expect(batch.status == 64 && batch.stderr.contains("--gdb-batch /nonexistent-folder/cmds: cannot read the gdb command file"), "\(batch)")
        let program = try Guest.run("./nosuch-program", options: ["--gdb-batch", "/nonexistent-folder/cmds"])
        #expect(program.status == 2 && program.stderr.contains("cannot load ./nosuch-program"), "\(program)")
    }

    @Test func timeoutsExit124AndGuestStatusesPassThrough() throws {
        let status = try Guest.run("exitcode", ["7"])
        #expect(status.status == 7, "\(status)")
        let timeout = try Guest.run("simics_report", ["forever"], options: ["--timeout", "0.5"], timeout: 30)
        #expect(timeout.status == 124, "\(timeout)")
    }
}
