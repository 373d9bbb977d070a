import Foundation
import Testing
@testable import Pebblebed

/// wait_nohang (0x85, Kernel+PebblebedCalls.swift) and pb_strerror (examples/lib/
/// pb_extensions.c): the guest program checks the call's answers itself; this checks the
/// guest's error texts against the kernel's own, so the shell's messages cannot drift.
@Suite(.enabled(if: Guest.hasProgram("wait_nohang")))
struct WaitNoHangTests {
    @Test func neverBlocksAndAnswersAsWaitWould() throws {
        let r = try Guest.run("wait_nohang", timeout: 60)
        #expect(r.status == 0 && r.stdout.contains("PASS wait_nohang"), "\(r)")
        for n: Int32 in 1...9 {
            let e = PebblesError(rawValue: -n)
            #expect(r.stdout.contains("error \(-n): \(e.description)\n"), "\(e.rawValue): \(r)")
        }
        // A number the kernel never returns has no meaning of its own.
        #expect(r.stdout.contains("error -10: error\n"), "\(r)")
        #expect(PebblesError(rawValue: -10).description == "error -10")
    }
}
