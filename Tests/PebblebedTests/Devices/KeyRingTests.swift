import CShims
import Testing

/// The C ring that the SIGIO handler fills, exercised in process through its explicit-struct API.
@Suite struct KeyRingTests {
    private func makeRing(escape: Bool = false) -> pb_key_ring {
        var ring = pb_key_ring()
        pb_key_ring_init(&ring, escape ? 1 : 0)
        return ring
    }

    private func takeAll(_ ring: inout pb_key_ring) -> [UInt8] {
        var taken: [UInt8] = []
        var byte: UInt8 = 0
        while pb_key_ring_take(&ring, &byte) == 1 { taken.append(byte) }
        return taken
    }

    @Test func bytesComeOutInOrder() {
        var ring = makeRing()
        pb_key_ring_feed(&ring, [1, 2, 3], 3)
        #expect(pb_key_ring_count(&ring) == 3)
        #expect(takeAll(&ring) == [1, 2, 3])
        var byte: UInt8 = 0
        #expect(pb_key_ring_take(&ring, &byte) == 0)
    }

    @Test func indicesWrapAroundTheBuffer() {
        var ring = makeRing()
        let capacity = Int(PB_KEY_RING_CAPACITY)
        var expected: [UInt8] = []
        // Three and a half laps, taken in uneven chunks, crossing the end of the array each lap.
        for lap in 0..<7 {
            let chunk = (0..<(capacity / 2 + 7)).map { UInt8(truncatingIfNeeded: $0 &+ lap) }
            pb_key_ring_feed(&ring, chunk, chunk.count)
            expected = chunk
            #expect(takeAll(&ring) == expected)
        }
        #expect(ring.dropped == 0)
    }

    @Test func aFullRingDropsAndCountsTheExcess() {
        var ring = makeRing()
        let capacity = Int(PB_KEY_RING_CAPACITY)
        let input = (0..<(capacity + 5)).map { UInt8(truncatingIfNeeded: $0) }
        pb_key_ring_feed(&ring, input, input.count)
        #expect(pb_key_ring_space(&ring) == 0)
        #expect(ring.dropped == 5)
        #expect(takeAll(&ring) == Array(input.prefix(capacity)))
        #expect(pb_key_ring_put(&ring, 9) == 1)
        #expect(takeAll(&ring) == [9])
    }

    @Test func controlBracketThenQRequestsTheEscapeAndStoresNothing() {
        var ring = makeRing(escape: true)
        pb_key_ring_feed(&ring, [0x61, 0x1D], 2)
        #expect(ring.escape_pending == 1)
        #expect(ring.escape_requested == 0)
        pb_key_ring_feed(&ring, [0x71], 1)
        #expect(ring.escape_requested == 1)
        #expect(takeAll(&ring) == [0x61])
    }

    @Test func doubledControlBracketIsOneLiteralAndOtherBytesPassWithIt() {
        var ring = makeRing(escape: true)
        pb_key_ring_feed(&ring, [0x1D, 0x1D, 0x1D, 0x78, 0x1D], 5)
        #expect(takeAll(&ring) == [0x1D, 0x1D, 0x78])
        pb_key_ring_mark_end(&ring)
        #expect(takeAll(&ring) == [0x1D])
        #expect(ring.end_of_input == 1)
        #expect(ring.escape_requested == 0)
    }

    @Test func withoutTheFilterControlBracketQIsData() {
        var ring = makeRing(escape: false)
        pb_key_ring_feed(&ring, [0x1D, 0x71], 2)
        #expect(ring.escape_requested == 0)
        #expect(takeAll(&ring) == [0x1D, 0x71])
    }
}

@Suite struct TerminalRawModeTests {
    @Test func rawModeTurnsOffLineEditingAndSignalsButKeepsNewlineTranslation() {
        var settings = termios()
        settings.c_lflag = tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        settings.c_iflag = tcflag_t(ICRNL | IXON)
        settings.c_oflag = 0
        pb_terminal_make_raw(&settings)
        #expect(settings.c_lflag & tcflag_t(ICANON | ECHO | ISIG | IEXTEN) == 0)
        #expect(settings.c_iflag & tcflag_t(IXON) == 0)
        #expect(settings.c_iflag & tcflag_t(ICRNL) != 0)  // Enter arrives as '\n'
        #expect(settings.c_cc.6 == 1)  // VMIN
        #expect(settings.c_oflag & tcflag_t(OPOST | ONLCR) == tcflag_t(OPOST | ONLCR))
        #expect(settings.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
    }
}
