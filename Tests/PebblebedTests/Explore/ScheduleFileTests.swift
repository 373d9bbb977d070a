import Foundation
import Testing
@testable import Pebblebed

/// The `argv` line of a schedule file (and the replay command in its comment and in explore's
/// report) for arguments of any bytes: a newline, single-quoted, split the line-based file,
/// and the replay refused the file as malformed (issue 15).
@Suite struct ScheduleFileTests {
    /// Arguments a shell can pass, the awkward ones.
    static let awkward = ["two\nlines", "tab\there", "it's", "back\\slash", "", "héllo wörld", "日本語", "\u{301}starts combining",
                          "'\u{301}", "\u{1B}[31mred", "del\u{7F}", "nel\u{85}", "cr\r\nlf", "$'not ansi'", "a b", "$HOME", "\\n",
                          "end\\", "x\u{1}y\u{1F}", "\u{2028}separator"]

    @Test func argvOfAnyCharactersRoundTrips() throws {
        let argv = ["prog"] + Self.awkward
        let schedule = Schedule([.init(point: 3, thread: 2)])
        let text = schedule.text(program: ["--ramdisk", "/r d"] + argv, argv: argv, programHash: 0xabc)
        // One line each: header, comment, argv, program-hash, the choice, end.
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == 7, "\(text)")
        let file = try Schedule.parseFile(text)
        #expect(file.argv == argv)
        #expect(file.schedule == schedule && file.programHash == 0xabc)
        for w in Self.awkward {
            #expect(Schedule.shellWords(Substring(Schedule.shellQuote(w))) == [w], "\(Schedule.shellQuote(w))")
        }
    }

    /// Words without a control character are quoted as before (files written before read
    /// the same, and look the same).
    @Test func plainWordsAreQuotedAsBefore() throws {
        #expect(Schedule.shellQuote("explore_counter") == "explore_counter")
        #expect(Schedule.shellQuote("a b") == "'a b'")
        #expect(Schedule.shellQuote("it's") == "'it'\\''s'")
        #expect(Schedule.shellQuote("") == "''")
        #expect(Schedule.shellQuote("a\nb") == "$'a\\nb'")
        let old = Schedule.header2 + "\n# program: prog 'a b'\nargv prog 'a b' 'it'\\''s' '' x\\ y\npreempt 1 2\nend\n"
        #expect(try Schedule.parseFile(old).argv == ["prog", "a b", "it's", "", "x y"])
    }

    /// What bash makes of the quoted words is the words (the replay command is pasted into a
    /// shell), and what bash's `printf %q` writes (octal escapes, `$'...'` for control
    /// characters) reads back as bash reads it.
    @Test func bashReadsTheQuotingAndWritesWhatIsRead() throws {
        let bash = "/bin/bash"
        try #require(FileManager.default.isExecutableFile(atPath: bash), "the test needs bash")
        for w in Self.awkward {
            let echoed = try ProcessRun.run(bash, ["-c", "printf %s " + Schedule.shellQuote(w)], timeout: 30)
            #expect(echoed.status == 0 && Array(echoed.stdout.utf8) == Array(w.utf8), "\(Schedule.shellQuote(w)): \(echoed)")
            let quoted = try ProcessRun.run(bash, ["-c", "printf %q \"$1\"", "_", w], environment: ["LC_ALL": "C"], timeout: 30)
            #expect(Schedule.shellWords(Substring(quoted.stdout)) == [w], "bash wrote \(quoted.stdout)")
        }
        // Hand-written escapes bash knows.
        #expect(Schedule.shellWords("$'\\a\\e\\v\\x41\\101\\u00e9\\cA\\q'") == ["\u{7}\u{1B}\u{B}AAé\u{1}\\q"])
        #expect(Schedule.shellWords("$'open") == nil && Schedule.shellWords("$'\\xff'") == nil)
    }

    /// End to end: explore writes the schedule of a program given such an argument (exitcode
    /// exits with atoi of it, a bug in the default run), and the replay, and the replay
    /// command from the report pasted into bash, run it; another argument is refused.
    @Test func exploreAndReplayAProgramWithANewlineInItsArgument() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("argv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let schedule = dir.appendingPathComponent("s").path
        let argument = "5\n\ttab 'q' \\ é\u{1B}"
        let found = try Guest.launch(["explore", "--no-progress", "--ramdisk", Guest.ramdisk, "--schedule-out", schedule,
                                      "exitcode", argument], timeout: 120)
        #expect(found.status == 1 && found.stdout.contains("exit status 5"), "\(found)")
        let text = try String(contentsOfFile: schedule, encoding: .utf8)
        #expect(try Schedule.parseFile(text).argv == ["exitcode", argument], "\(text)")
        let replay = try Guest.run("exitcode", [argument], options: ["--schedule", schedule], timeout: 60)
        #expect(replay.status == 5 && replay.stdout.contains("exitcode: exiting with status 5"), "\(replay)")
        let other = try Guest.run("exitcode", ["5\n"], options: ["--schedule", schedule], timeout: 60)
        #expect(other.status == 3 && other.stderr.contains("was made for `exitcode $'5\\n\\ttab \\'q\\' \\\\ é\\x1b'`"), "\(other)")
        let line = try #require(found.stdout.split(separator: "\n").first { $0.hasPrefix("Replay:") }, "\(found)")
        let command = line.dropFirst("Replay:".count).trimmingCharacters(in: .whitespaces)
        let bin = URL(fileURLWithPath: Guest.binary).deletingLastPathComponent().path
        let pasted = try ProcessRun.run("/bin/bash", ["-c", command],
                                        environment: ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")],
                                        timeout: 60)
        #expect(pasted.status == 5 && pasted.stdout.contains("exitcode: exiting with status 5"), "\(command)\n\(pasted)")
    }
}
