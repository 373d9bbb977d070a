import Testing
@testable import Pebblebed

/// swexn's ureg: its layout, what a handler is given, and what swexn accepts back.
extension InProcessKernel {
    @Suite struct UregTests {
        @Test func wordsRoundTripInTheABIOrder() {
            let words = (0..<UInt32(Ureg.wordCount)).map { $0 &* 0x0101_0101 }
            let u = Ureg(words: words)
            #expect(u.words == words)
            #expect(u.cause == words[0] && u.cr2 == words[1] && u.gs == words[5] && u.edi == words[6])
            #expect(u.eax == words[13] && u.errorCode == words[14] && u.eip == words[15] && u.ss == words[19])
        }

        @Test func aFaultWithAHandlerGivesItTheUregAndClearsTheRegistration() throws {
            let k = try FakeKernel()
            let t = k.kernel.threads[1]!
            t.frame.eax = 11; t.frame.ebx = 22; t.frame.eip = 0x0100_0040; t.frame.esp = 0x0200_0f00
            let stackTop = FakeKernel.dataBase + 0x3000
            t.swexn = SwexnRegistration(stack: stackTop, handler: 0x0100_0100, argument: 0x55)
            k.kernel.deliverFault(t, cause: 0x0E, address: 0x0123_4567, detail: nil)
            #expect(t.swexn == nil, "the handler is deregistered before it runs")
            #expect(t.frame.eip == 0x0100_0100)
            let esp = t.frame.esp
            let frame = try t.task.space.readWords(esp, count: 3 + Ureg.wordCount)
            #expect(frame[1] == 0x55 && frame[2] == esp + 12, "cdecl: return address, arg, ureg pointer")
            let u = Ureg(words: Array(frame[3...]))
            #expect(u.cause == 0x0E && u.cr2 == 0x0123_4567 && u.eax == 11 && u.ebx == 22)
            #expect(u.eip == 0x0100_0040 && u.esp == 0x0200_0f00 && u.cs == GuestLayout.userCodeSelector)
        }

        @Test func swexnAdoptsAValidUregAndRefusesPrivilegedOnes() throws {
            let k = try FakeKernel()
            let t = k.kernel.threads[1]!
            var u = Ureg(t.frame, cause: 0, cr2: 0)
            u.eax = 0xabcd; u.eip = 0x0100_2000; u.esp = 0x0200_0800; u.eflags = 0x202
            let at = FakeKernel.dataBase + 0x100
            try t.task.space.copyOut(littleEndianBytes(words: u.words), to: at)
            #expect(try k.kernel.swexn(t, esp3: 0, eip: 0, arg: 0, newureg: at))
            #expect(t.frame.eax == 0xabcd && t.frame.eip == 0x0100_2000 && t.frame.esp == 0x0200_0800)
            for bad in [{ (u: inout Ureg) in u.cs = 0x33 }, { u in u.eflags |= 0x3000 }, { u in u.eflags = 0 },
                        { u in u.ds = 0 }, { u in u.fs = 0x63 }] {
                var v = u
                bad(&v)
                try t.task.space.copyOut(littleEndianBytes(words: v.words), to: at)
                #expect(throws: PebblesError.invalidArgument) {
                    try k.kernel.swexn(t, esp3: 0, eip: 0, arg: 0, newureg: at)
                }
            }
        }
    }
}
