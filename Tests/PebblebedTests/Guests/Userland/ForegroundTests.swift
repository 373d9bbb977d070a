import Testing

/// set_foreground (0x83), the call by which the shell names the child Ctrl-C kills: its
/// checks and answers from a guest (the Ctrl-C itself: ConsoleSessionTests).
@Suite(.enabled(if: Guest.hasProgram("foreground")))
struct ForegroundTests {
    @Test func onlyALiveChildCanBeNamedAndTheAnswerSaysNoInterrupt() throws {
        let r = try Guest.run("foreground", timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS foreground"), "\(r)")
    }
}
