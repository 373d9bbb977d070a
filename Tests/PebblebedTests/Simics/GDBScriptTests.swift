@testable import Pebblebed
import Testing

/// The gdb command file `pebblebed run --gdb` writes.
struct GDBScriptTests {
    @Test func passesTheMachineSignalsAndLoadsTheGuestSymbols() {
        let text = GDBScript(programPath: "/r/hello", mainAddress: 0x0100_1000).text
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("handle SIGSEGV SIGBUS SIGFPE SIGILL SIGSYS SIGALRM SIGIO SIGUSR2 nostop noprint pass"))
        #expect(lines.contains("add-symbol-file /r/hello"))
        #expect(!text.contains("SIGTRAP nostop"), "SIGTRAP (int3, MAGIC_BREAK) must still stop")
        let run = lines.firstIndex(of: "run")!, hbreak = lines.firstIndex(of: "hbreak *0x01001000")!
        #expect(run < hbreak, "hardware breakpoints need a live process")
        #expect(lines[hbreak + 1] == "continue")
    }

    @Test func withoutMainItStopsAtTheEndOfBoot() {
        let text = GDBScript(programPath: "/r/a b", mainAddress: nil).text
        #expect(text.contains("add-symbol-file \"/r/a b\""))
        #expect(!text.contains("hbreak *0x"))
        #expect(text.contains("tbreak pb_seccomp_install\nrun\n"))
    }
}
