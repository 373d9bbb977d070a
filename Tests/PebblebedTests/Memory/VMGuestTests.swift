import Testing

/// The virtual-memory guest programs (examples/tests/vm_*.c, swexn_*.c), each with a known
/// answer, run on the real machine with --audit: the frame audit after every task exit and
/// at halt would stop the machine with status 71 on any accounting difference.
@Suite(.serialized) struct VMGuestTests {
    /// Runs `program` with the audit on; it must print its PASS line and exit 0.
    @discardableResult
    func expectPass(_ program: String, memoryMiB: Int? = nil, timeout: Double = 60,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> GuestRun {
        var options = ["--audit"]
        if let m = memoryMiB { options += ["--memory", String(m)] }
        let r = try Guest.run(program, options: options, timeout: timeout)
        #expect(r.status == 0 && !r.timedOut, "\(r)", sourceLocation: sourceLocation)
        #expect(r.stdout.contains("PASS \(program)\n"), "\(r)", sourceLocation: sourceLocation)
        #expect(!r.stdout.contains("FAIL"), "\(r)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("frame audit failed"), "\(r)", sourceLocation: sourceLocation)
        return r
    }

    func killedLines(_ r: GuestRun) -> Int {
        r.stdout.split(separator: "\n").filter { $0.contains(") killed: ") }.count
    }

    @Test func newPagesAndRemovePagesErrorCases() throws { try expectPass("vm_new_pages_errors") }

    @Test func exhaustionThenFreeAndAllocateAgain() throws {
        try expectPass("vm_exhaust", memoryMiB: 2)
    }

    @Test func copyOnWriteIsolatesParentAndChild() throws { try expectPass("vm_cow") }

    @Test func writesToTextKill() throws {
        let r = try expectPass("vm_text_write")
        #expect(killedLines(r) == 2, "\(r)")
        #expect(r.stdout.contains("page fault (write)"), "\(r)")
    }

    @Test func zeroFillPagesReadZero() throws { try expectPass("vm_zfod") }

    @Test func forkRefusedWhenItCannotReserveButLaterFaultsSucceed() throws {
        try expectPass("vm_fork_reserve", memoryMiB: 2)
    }

    @Test func softTLBStaysWithinTheHostMappingLimit() throws {
        try expectPass("vm_many_mappings", memoryMiB: 260, timeout: 120)
    }

    @Test func swexnHandlerMapsTheMissingPageAndResumes() throws { try expectPass("swexn_newpages") }

    @Test func swexnGrowsTheStack() throws { try expectPass("swexn_stack_growth") }

    @Test func swexnRejectsInvalidCallsWithNoChange() throws { try expectPass("swexn_errors") }

    @Test func swexnDeregistrationAndFaultsInHandlers() throws {
        let r = try expectPass("swexn_deregister")
        #expect(killedLines(r) == 5, "NULL esp3, NULL eip, fault in handler, two unusable stacks: \(r)")
    }
}
