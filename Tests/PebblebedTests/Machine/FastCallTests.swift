import Testing

/// The system-call gate (issue 20, Machine/README.md "The fast path"): the guests that check
/// register state, swexn and the gate's edges run with their stubs redirected (the default)
/// and trapping (--no-fastcall), and must behave the same.
@Suite(.serialized) struct FastCallTests {
    static let modes: [[String]] = [[], ["--no-fastcall"]]

    /// The stub really is redirected by default, and only then: without this the other tests
    /// here would pass on a kernel that never patched anything.
    @Test func loaderRedirectsTheGettidStubUnlessToldNot() throws {
        let fast = try Guest.run("fastcall")
        #expect(fast.stdout.contains("fastcall: gettid redirected"), "\(fast)")
        #expect(fast.stdout.contains("fastcall: print redirected"), "\(fast)")
        let slow = try Guest.run("fastcall", options: ["--no-fastcall"])
        #expect(slow.stdout.contains("fastcall: gettid traps"), "\(slow)")
        #expect(slow.stdout.contains("fastcall: print traps"), "\(slow)")
    }

    /// A direct far jump into an entry with known registers, DF and CF; TF on the jump; a
    /// segment loaded; a jump into the gate's code that is not an entry.
    @Test(arguments: modes)
    func gateEdgesBehaveAsTraps(options: [String]) throws {
        let r = try Guest.run("fastcall", options: options)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS fastcall"), "\(r)")
        #expect(r.stderr.contains("killed: loaded segment selector 0x0023"), "\(r)")
        #expect(r.stderr.contains("killed: loaded segment selector 0x0033"), "\(r)")
        if options.isEmpty {
            // The gate's frame for the call made with %gs = 0x23: eip at the `int` gettid's
            // thunk stands for (0x00FF8000 + 0x48 * 4 * 16 + 5), error code 0x48 << 3 | 2.
            #expect(r.stderr.contains("eip=0x00ff9205 "), "\(r)")
            #expect(r.stderr.contains("cs=0x00000023 err=0x00000242 trapno=0x0000000d"), "\(r)")
        }
    }

    /// The single-step trap after a call through the gate lands where it lands after a trap:
    /// the kill report of the stepped child names the same eip both ways.
    @Test func singleStepThroughTheGateStopsWhereTheTrapPathStops() throws {
        func stepKill(_ options: [String]) throws -> String? {
            let r = try Guest.run("fastcall", options: options)
            return r.stderr.split(separator: "\n").first { $0.contains("killed: debug exception") }.map(String.init)
        }
        let fast = try stepKill([]), slow = try stepKill(["--no-fastcall"])
        #expect(fast != nil && fast == slow, "gate: \(fast ?? "none"), trap: \(slow ?? "none")")
    }

    @Test(arguments: ["regs", "avx_state", "swexn_basic", "swexn_newpages", "swexn_stack_growth",
                      "swexn_errors", "swexn_deregister", "autostack", "thr_fork", "task_fork"],
          modes)
    func guestsPassBothWays(program: String, options: [String]) throws {
        let r = try Guest.run(program, options: options)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS \(program)"), "\(r)")
    }

    /// Stubs no symbol delimits (issue 20, item 2): hand-written ones in the shapes of 15-410
    /// student libsyscalls (frame-pointer ones too: %ebp, %esp and the flags after each are
    /// checked), with no `.size`, and the same program stripped. Exactly the stubs
    /// the scan can prove safe are redirected (the guest lists the ones whose `int` became a
    /// `jmp`); the rest keep trapping; every call gives the same registers, flags, output and
    /// exit status as with --no-fastcall.
    @Test(arguments: ["stubshapes", "stubshapes_stripped"])
    func stubsFoundByTheirBytesAreRedirectedAndBehaveTheSame(program: String) throws {
        let fast = try Guest.run(program), slow = try Guest.run(program, options: ["--no-fastcall"])
        let redirected = "stubshapes: redirected: s_gettid s_yield s_print s_print_esp s_sleep_clob s_status s_vanish s_task_vanish"
            + " s_fp_gettid s_fp_sleep_clob s_fp_yield s_fp_yield_leave s_fp_yield_mov s_fp_print s_fp_gettid_leave s_fp_gettid_mov (16)"
        #expect(fast.stdout.contains(redirected + "\n"), "\(fast)")
        #expect(slow.stdout.contains("stubshapes: redirected: (0)\n"), "\(slow)")
        for r in [fast, slow] {
            #expect(r.status == 0 && r.stdout.contains("PASS stubshapes"), "\(r)")
        }
        func rest(_ r: GuestRun) -> [Substring] { r.stdout.split(separator: "\n").filter { !$0.hasPrefix("stubshapes: redirected:") } }
        #expect(rest(fast) == rest(slow), "\(fast)\n\(slow)")
    }

    /// Stripped copies of guests that link Pebblebed's libsyscall: their stubs are found by
    /// their bytes, and the checks of registers and the gate's edges pass both ways.
    @Test(arguments: ["fastcall_stripped", "regs_stripped"], modes)
    func strippedGuestsPassBothWays(program: String, options: [String]) throws {
        let r = try Guest.run(program, options: options)
        let name = program.replacingOccurrences(of: "_stripped", with: "")
        #expect(r.status == 0 && r.stdout.contains("PASS \(name)"), "\(r)")
        if program == "fastcall_stripped" {
            let verdict = options.isEmpty ? "redirected" : "traps"
            #expect(r.stdout.contains("fastcall: gettid \(verdict)") && r.stdout.contains("fastcall: print \(verdict)"), "\(r)")
        }
    }

    /// The gate's pages cannot be made unreadable on a host without protection keys (issue
    /// 20, item 2; Machine/README.md, "What a guest can see of the gate"): a read gives the
    /// gate's documented bytes, the same with or without --no-fastcall; a write there, or any
    /// access below them, is a page fault that kills the guest with the address named.
    @Test func gatePagesReadTheSameEitherWayAndWritesFault() throws {
        let fast = try Guest.run("gate_pages"), slow = try Guest.run("gate_pages", options: ["--no-fastcall"])
        for r in [fast, slow] {
            #expect(r.status == 0 && r.stdout.contains("PASS gate_pages"), "\(r)")
            #expect(r.stdout.contains("gate_pages: gettid's thunk at 0xff9200: ea 00 12 ff 00 33 00 c3 cc\n"), "\(r)")
            #expect(r.stdout.contains("gate_pages: fill at 0xff7ff0: cc cc cc cc\n"), "\(r)")
            // Bank 1 (the frame-pointer shapes): ljmp $0x33, $0x00FD1200; pop %ebp; ret; int3.
            #expect(r.stdout.contains("gate_pages: gettid's frame-pointer thunk at 0xfd9200: ea 00 12 fd 00 33 00 5d c3 cc\n"), "\(r)")
            #expect(r.stderr.contains("killed: page fault (write) at address 0x00ff9200"), "\(r)")
            #expect(r.stderr.contains("killed: page fault (write) at address 0x00ff0000"), "\(r)")
            #expect(r.stderr.contains("killed: page fault (read) at address 0x00feffff"), "\(r)")
        }
        #expect(fast.stdout == slow.stdout, "\(fast)\n\(slow)")
    }

    /// Timer signals land in the gate window too (before pb_in_kernel): they must be noted
    /// and taken at the exit, with the registers the gate saved. An instrumented run of `regs`
    /// at 10,000 Hz counted 79 and 108 of them there (avx_state: 13 and 19); without
    /// pb_gate_signal each would kill the guest as a switch to 64-bit mode.
    @Test(arguments: ["regs", "avx_state"])
    func statesSurviveInterruptsInTheGateWindow(program: String) throws {
        let r = try Guest.run(program, options: ["--hz", "10000"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS \(program)"), "\(r)")
    }

    /// Under gdb the program's text stays as built (Kernel.fastCallEnabled), so `stepi`
    /// through a libsyscall stub and hand-written ones (one with a frame pointer) shows the `int` and stops where the
    /// trap path stops, and the whole session is the same as with --no-fastcall (issue 20,
    /// item 3). The guest's own listing of redirected stubs is empty both ways.
    @Test(.enabled(if: Guest.hasProgram("stubshapes")))
    func gdbSteppingIsTheSameEitherWay() throws {
        let commands = [
            "break gettid", "continue", "x/2i $pc", "stepi", "x/i $pc", "stepi", "info registers eip",
            "break s_yield", "continue", "stepi", "stepi", "x/2i $pc", "stepi", "x/i $pc", "stepi", "x/i $pc",
            "delete",
            // A frame-pointer stub from its first byte (`break s_fp_yield` would skip the
            // prologue gdb recognises): the prologue, the `int`, then pop %esi; pop %ebp; ret.
            "break *s_fp_yield", "continue", "stepi", "stepi", "stepi", "stepi", "x/2i $pc", "stepi", "x/i $pc",
            "stepi", "x/i $pc", "stepi", "x/i $pc", "stepi", "info registers ebp",
            "delete", "continue",
        ]
        let fast = try GDBSessionTests.session("stubshapes", commands)
        let slow = try GDBSessionTests.session("stubshapes", commands, options: ["--no-fastcall"])
        for r in [fast, slow] {
            #expect(r.status == 0 && r.stdout.contains("PASS stubshapes"), "\(r)")
            GDBSessionTests.expectInOrder(r.stdout, [
                "<gettid>:\tint    $0x48", "<gettid+2>:\tret", "=> 0x", "<gettid+2>:\tret", "in main",
                "stubshapes: redirected: (0)",
                "<s_yield+5>:\tint    $0x45", "<s_yield+7>:\tpop    %esi", "<s_yield+8>:\tret",
                "<s_fp_yield+7>:\tint    $0x45", "<s_fp_yield+9>:\tpop    %esi", "<s_fp_yield+10>:\tpop    %ebp",
                "<s_fp_yield+11>:\tret",
            ])
        }
        // All but the line naming the port gdb connected to.
        let lines = { (r: GuestRun) in r.stdout.split(separator: "\n").filter { !$0.contains("waiting for gdb") } }
        #expect(lines(fast) == lines(slow), "\(fast)\n\(slow)")
    }

    /// Seeded runs never redirect (their preemptions count guest instructions), so a seed
    /// replays the same with and without --no-fastcall.
    @Test func seededRunsAreTheSameEitherWay() throws {
        let a = try Guest.run("fastcall", options: ["--seed", "5"])
        #expect(a.stdout.contains("fastcall: gettid traps"), "\(a)")
        let x = try Guest.run("race_mutex_counter", options: ["--seed", "9"])
        let y = try Guest.run("race_mutex_counter", options: ["--seed", "9", "--no-fastcall"])
        #expect(x.status == y.status && x.stdout == y.stdout, "\(x)\n\(y)")
    }
}
