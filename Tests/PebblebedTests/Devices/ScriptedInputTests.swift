import Foundation
import Testing

/// Non-terminal stdin is keystrokes too: the guest shell run from a pipe or a file. These boot
/// the real binary (one machine per process); they need the guests the Makefile builds.
@Suite(.enabled(if: Guest.hasProgram("shell") && Guest.hasProgram("hello")))
struct ScriptedInputTests {
    private let boot = ["--ramdisk", Guest.ramdisk]

    @Test func theShellRunsCommandsFromAPipeAndEchoesThem() throws {
        let run = try PipedRun.launch(boot, input: [.init("hello\nexit\n")])
        #expect(!run.timedOut)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("pebbles$ hello\nHello from a Pebbles guest!\n"), "\(run)")
        #expect(run.stdout.contains("pebbles$ exit\n"), "\(run)")
    }

    @Test func inputArrivingWhileTheShellWaitsWakesIt() throws {
        let run = try PipedRun.launch(boot, input: [
            .init(after: 0.5, "hel"), .init(after: 0.3, "lo\n"), .init(after: 0.3, "exit\n"),
        ])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("pebbles$ hello\nHello from a Pebbles guest!\n"), "\(run)")
    }

    @Test func endOfInputWithTheShellWaitingHaltsTheMachine() throws {
        let run = try PipedRun.launch(boot, input: [.init("ls\n")])
        #expect(!run.timedOut, "\(run)")
        #expect(run.status == 72, "the shell never finished: \(run)")
        #expect(run.stdout.contains("readme.txt"))
        #expect(run.stderr.contains("end of input"), "\(run)")
    }

    @Test func aPartialLastLineIsStillRead() throws {
        let run = try PipedRun.launch(boot, input: [.init("hello")])
        #expect(!run.timedOut, "\(run)")
        #expect(run.stdout.contains("Hello from a Pebbles guest!"), "\(run)")
    }

    @Test func aRegularFileIsReadWithoutWaitingForSIGIO() throws {
        let run = try Guest.launch(boot, stdin: "hello\nexit\n", timeout: 30)
        #expect(!run.timedOut, "\(run)")
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("pebbles$ hello\nHello from a Pebbles guest!\n"), "\(run)")
    }

    @Test func backspacesInScriptedInputEditTheLine() throws {
        let run = try PipedRun.launch(boot, input: [.init("helx\u{7F}lo\nexit\n")])
        #expect(run.stdout.contains("pebbles$ helx\u{8} \u{8}lo\nHello from a Pebbles guest!\n"), "\(run)")
    }
}
