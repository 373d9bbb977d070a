import Foundation
import Glibc
import Testing

/// The bundled shell (examples/shell/shell.c, issue 18, 7): double-quoted arguments, error
/// numbers explained, the RAM disk listed by group or by pattern, background jobs reported at
/// the next prompt. Scripted input through a file, and a person at a pseudo-terminal.
@Suite(.enabled(if: Guest.hasProgram("shell") && Guest.hasProgram("args") && Guest.hasProgram("exitcode")))
struct ShellTests {
    static func shell(_ input: String) throws -> GuestRun {
        try Guest.launch(["--ramdisk", Guest.ramdisk], stdin: input + "exit\n", timeout: 60)
    }

    @Test func doubleQuotesMakeOneArgument() throws {
        let r = try ShellTests.shell(#"""
            args "c d" e
            args a"b c"d "" "q\"r\\s" x&y
            echo "two  spaces"   and "&"
            args "unclosed

            """#)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("argc=3\nargv[0]=args\nargv[1]=c d\nargv[2]=e\n"), "\(r)")
        #expect(r.stdout.contains("argc=5\nargv[0]=args\nargv[1]=ab cd\nargv[2]=\nargv[3]=q\"r\\s\nargv[4]=x&y\n"), "\(r)")
        // A quoted & is an argument, not the background.
        #expect(r.stdout.contains("two  spaces and &\n"), "\(r)")
        #expect(r.stdout.contains("shell: missing closing quote (\")\n"), "\(r)")
    }

    @Test func errorNumbersAreExplained() throws {
        let r = try ShellTests.shell("nosuch\nreadme.txt\n")
        #expect(r.stdout.contains("cannot run nosuch: no such program (-4)\n"), "\(r)")
        #expect(r.stdout.contains("cannot run readme.txt: not executable (-7)\n"), "\(r)")
        #expect(!r.stdout.contains("(error "), "\(r)")
    }

    @Test func lsGroupsTheRAMDiskAndFiltersByPattern() throws {
        let r = try ShellTests.shell("ls\nls race_mutex\nls *_ok\nls zzz\n")
        #expect(r.status == 0, "\(r)")
        let sections = r.stdout.components(separatedBy: "pebbles$ ")
        try #require(sections.count >= 5, "\(r)")
        // ls: programs, then tests (tests.txt), benchmarks, files; each name in its group.
        let all = sections[1]
        let programs = try #require(all.range(of: "programs:\n")), tests = try #require(all.range(of: "\ntests:\n"))
        let files = try #require(all.range(of: "\nfiles:\n"))
        #expect(programs.lowerBound < tests.lowerBound && tests.lowerBound < files.lowerBound, "\(all)")
        let programPart = all[programs.upperBound..<tests.lowerBound], testPart = all[tests.upperBound..<files.lowerBound]
        #expect(programPart.contains("hello ") && programPart.contains("shell ") && !programPart.contains("args "), "\(all)")
        #expect(testPart.contains("args ") && testPart.contains("exitcode ") && !testPart.contains("hello "), "\(all)")
        #expect(all[files.upperBound...].contains("readme.txt") && all[files.upperBound...].contains("tests.txt"), "\(all)")
        // ls PATTERN: names containing it; * and ? as in sh.
        let some = sections[2]
        #expect(some.contains("tests:\nrace_mutex_counter") && !some.contains("programs:") && !some.contains("hello"), "\(some)")
        let ok = sections[3]
        #expect(ok.contains("explore_counter_ok") && !ok.contains("explore_counter ") && !ok.contains("\nexplore_counter\n"), "\(ok)")
        #expect(sections[4].contains("ls: no name matches zzz\n"), "\(sections[4])")
    }

    /// Reported at the prompt (sh's way), not only when the shell next waits for a foreground
    /// program: here no foreground program runs after the job at all.
    @Test(.timeLimit(.minutes(2)))
    func aBackgroundJobIsReportedAtTheNextPrompt() throws {
        let terminal = try PseudoTerminal(rows: 25, columns: 80)
        try terminal.spawn(Guest.binary, arguments: ["--ramdisk", Guest.ramdisk], environment: ["TERM": "xterm"])
        func rows() -> [String] {
            var emulator = TerminalEmulator(rows: 25, columns: 80)
            emulator.feed(terminal.received)
            return (0..<emulator.rows).map { emulator.text(row: $0) }
        }
        func shown(_ text: String, seconds: Double = 10) -> Bool {
            terminal.read(seconds: seconds) { _ in rows().contains { $0.contains(text) } }
        }
        try #require(shown("pebbles$"), "no prompt: \(rows())")
        terminal.send("exitcode 5 &\r")
        try #require(shown("exitcode: exiting with status 5"), "\(rows())")
        // The job printed its line; it ends just after. Each empty line is a new prompt, and
        // the first prompt after the job ended reports it.
        var reported = false
        for _ in 0..<30 where !reported {
            terminal.send("\r")
            reported = shown("done exitcode status 5", seconds: 1)
        }
        // The shell prints the report, then the prompt: wait for the prompt too (a snapshot
        // taken between the two writes saw the report with an empty line after it).
        _ = terminal.read(seconds: 10) { _ in
            let s = rows()
            guard let i = s.firstIndex(where: { $0.contains("done exitcode status 5") }), i + 1 < s.count else { return false }
            return s[i + 1].hasPrefix("pebbles$")
        }
        let screen = rows()
        let line = try #require(screen.firstIndex { $0.contains("done exitcode status 5") }, "\(screen)")
        try #require(line + 1 < screen.count, "the report is on the last row: \(screen)")
        #expect(screen[line].hasPrefix("[") && screen[line].contains("] done exitcode status 5"), "\(screen)")
        #expect(screen[line + 1].hasPrefix("pebbles$"), "reported before a prompt: \(screen)")
        #expect(screen.filter { $0.contains("done exitcode") }.count == 1, "reported once: \(screen)")
        terminal.send("exit\r")
        #expect(terminal.waitForExit() == 0)
    }
}
