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

    private func takeMonitor(_ ring: inout pb_key_ring) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(PB_MONITOR_CAPACITY))
        let n = pb_key_ring_take_monitor(&ring, &out, PB_MONITOR_CAPACITY)
        return Array(out.prefix(Int(n)))
    }

    @Test func controlBracketOpensTheMonitorAndItsKeysStayOutOfTheRing() {
        var ring = makeRing(escape: true)
        pb_key_ring_feed(&ring, [0x61, 0x1D], 2)
        #expect(ring.monitor_open == 1)
        pb_key_ring_feed(&ring, [0x71, 0x1D], 2)
        #expect(takeMonitor(&ring) == [0x71, 0x1D], "every key goes to the monitor while it is open")
        #expect(takeAll(&ring) == [0x61])
        ring.monitor_open = 0  // the kernel closed it
        pb_key_ring_feed(&ring, [0x62], 1)
        #expect(takeAll(&ring) == [0x62])
        #expect(takeMonitor(&ring).isEmpty)
    }

    @Test func controlCIsDivertedOnlyWhileArmed() {
        var ring = makeRing(escape: true)
        pb_key_ring_feed(&ring, [0x03], 1)
        #expect(takeAll(&ring) == [0x03])
        ring.interrupt_armed = 1
        pb_key_ring_feed(&ring, [0x61, 0x03, 0x03], 3)
        #expect(ring.interrupts == 2)
        #expect(takeAll(&ring) == [0x61])
    }

    @Test func shiftPageKeysScrollAndOtherSequencesPassWhole() {
        var ring = makeRing(escape: true)
        let up: [UInt8] = [0x1B, 0x5B, 0x35, 0x3B, 0x32, 0x7E]
        let down: [UInt8] = [0x1B, 0x5B, 0x36, 0x3B, 0x32, 0x7E]
        let arrow: [UInt8] = [0x1B, 0x5B, 0x41]
        pb_key_ring_feed(&ring, up + up + arrow, 15)
        #expect(ring.scroll == -2)
        #expect(takeAll(&ring) == arrow)
        // Split over two reads: the prefix is held until the rest decides.
        pb_key_ring_feed(&ring, Array(down.prefix(3)), 3)
        #expect(takeAll(&ring).isEmpty)
        pb_key_ring_feed(&ring, Array(down.dropFirst(3)), 3)
        #expect(ring.scroll == -1)
        // A held prefix at end of input is the guest's.
        pb_key_ring_feed(&ring, [0x1B, 0x5B], 2)
        pb_key_ring_mark_end(&ring)
        #expect(takeAll(&ring) == [0x1B, 0x5B])
    }

    @Test func withoutTheFilterEveryHostKeyIsData() {
        var ring = makeRing(escape: false)
        ring.interrupt_armed = 1
        pb_key_ring_feed(&ring, [0x1D, 0x71, 0x03, 0x1B, 0x5B, 0x35, 0x3B, 0x32, 0x7E], 9)
        #expect(ring.monitor_open == 0)
        #expect(ring.interrupts == 0)
        #expect(takeAll(&ring) == [0x1D, 0x71, 0x03, 0x1B, 0x5B, 0x35, 0x3B, 0x32, 0x7E])
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
