import Testing

/// Traps copy only the xsave components a guest has in use (CShims/pb_machine.c, copy_xstate):
/// a component beyond the legacy area must still survive system calls and thread switches.
@Suite(.serialized) struct TrapStateTests {
    @Test func avxUpperHalvesSurviveTrapsAndSwitches() throws {
        let r = try Guest.run("avx_state")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS avx_state"), "\(r)")
    }

    /// At 10,000 ticks a second, thousands of timer signals land while the kernel runs (they
    /// are noted and taken at the exit) and hundreds inside the exit window itself, after
    /// pb_in_kernel went to 0 with half the registers restored (an instrumented run of `regs`
    /// counted 222): each of those must resume the guest from its trap frame, not from the
    /// half-restored registers, or the guests' register and vector checks fail.
    @Test(arguments: ["regs", "avx_state"])
    func statesSurviveInterruptsInTheExitWindow(program: String) throws {
        let r = try Guest.run(program, options: ["--hz", "10000"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS \(program)"), "\(r)")
    }
}
