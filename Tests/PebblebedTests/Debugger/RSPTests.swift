import Testing
@testable import Pebblebed

/// The remote protocol's framing and parsing (Debugger/RSP.swift), and the register layout gdb
/// is told about (GuestRegisters.swift).
struct RSPTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func framesWithTheChecksumAndEscapesSpecialBytes() {
        #expect(RSP.frame(bytes("OK")) == bytes("$OK#9a"))
        #expect(RSP.frame([]) == bytes("$#00"))
        // '$', '#', '}' and '*' travel as '}' and the byte xor 0x20; the sum covers the escapes.
        let framed = RSP.frame(bytes("a$b#c}d*"))
        #expect(framed == bytes("$a}\u{04}b}\u{03}c}]d}\u{0a}#") + Array(RSP.hex(RSP.checksum(bytes("a}\u{04}b}\u{03}c}]d}\u{0a}"))).utf8))
        #expect(RSP.unescape(RSP.escape(bytes("a$b#c}d*"))) == bytes("a$b#c}d*"))
    }

    @Test func parsesPacketsAcksInterruptsAndCorruption() {
        var p = RSPParser()
        p.feed(bytes("+$qSupported:x#"))
        #expect(p.next() == nil, "an incomplete packet waits for its checksum")
        let sum = RSP.hex(RSP.checksum(bytes("qSupported:x")))
        p.feed(bytes(sum) + [0x03] + bytes("-$g#00noise$m0,1#fa"))
        #expect(p.next() == .packet(bytes("qSupported:x")))
        #expect(p.next() == .interrupt)
        #expect(p.next() == .resend)
        #expect(p.next() == .corrupt, "g sums to 0x67, not 0x00")
        #expect(p.next() == .packet(bytes("m0,1")))
        #expect(p.next() == nil)
    }

    @Test func takesAnInterruptOutOfTheStreamKeepingPacketsInOrder() {
        var p = RSPParser()
        p.feed(bytes("$m0,1#fa$g#00") + [0x03] + bytes("$X0,1:}]#") + Array(RSP.hex(RSP.checksum(bytes("X0,1:}]"))).utf8))
        let first = p.takeInterrupt()
        let second = p.takeInterrupt()
        #expect(first)
        #expect(!second, "only one ^C came")
        #expect(p.next() == .packet(bytes("m0,1")))
        #expect(p.next() == .corrupt, "a corrupt packet stays to be refused")
        #expect(p.next() == .packet(bytes("X0,1:}]")), "escaped payloads are kept as they came")
    }

    @Test func readsHexNumbersAndBytes() {
        #expect(RSP.number("1000047") == 0x100_0047)
        #expect(RSP.number("-1") == -1)
        #expect(RSP.number("") == nil)
        #expect(RSP.number("12g") == nil)
        #expect(RSP.bytes(fromHex: bytes("00ff7F")) == [0, 255, 127])
        #expect(RSP.bytes(fromHex: bytes("abc")) == nil)
        #expect(RSP.littleEndianHex(0x0100_1c19) == "191c0001")
    }

    @Test func targetDescriptionIsI386WithGdbsRegisterNumbers() {
        let xml = TargetDescription.xml
        #expect(xml.contains("<architecture>i386</architecture>"))
        #expect(xml.contains("<feature name=\"org.gnu.gdb.i386.core\">"))
        #expect(xml.contains("<feature name=\"org.gnu.gdb.i386.sse\">"))
        #expect(xml.contains("<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\" regnum=\"8\"/>"))
        #expect(xml.contains("<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\" regnum=\"16\"/>"))
        #expect(xml.contains("<reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\" regnum=\"39\"/>"))
        #expect(xml.contains("<reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" regnum=\"40\" group=\"vector\"/>"))
        let total = GuestRegisters.all.map(\.size).reduce(0, +)
        #expect(total == 308, "16 core words, 8 x87 registers of 10 bytes, 8 control words, 8 xmm, mxcsr")
    }

    @Test func x87TagWordsConvertBothWays() {
        var fx = [UInt8](repeating: 0, count: 512)
        // TOP = 7 (FSW bits 11..13); ST(0) = physical 7 holds 1.0 (exponent 0x3fff, integer bit).
        fx[3] = 7 << 3
        fx[32 + 7] = 0x80
        fx[32 + 8] = 0xff; fx[32 + 9] = 0x3f
        let full = GuestRegisters.fullTag(abridged: 0x80, image: fx)
        #expect(full == 0x3fff, "physical 7 valid (00), the rest empty (11)")
        #expect(GuestRegisters.abridgedTag(fullTag: full) == 0x80)
        #expect(GuestRegisters.fullTag(abridged: 0, image: fx) == 0xffff)
    }
}
