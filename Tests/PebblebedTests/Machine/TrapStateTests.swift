import Testing

/// Traps copy only the xsave components a guest has in use (CShims/pb_machine.c, copy_xstate):
/// a component beyond the legacy area must still survive system calls and thread switches.
@Suite(.serialized) struct TrapStateTests {
    @Test func avxUpperHalvesSurviveTrapsAndSwitches() throws {
        let r = try Guest.run("avx_state")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS avx_state"), "\(r)")
    }
}
