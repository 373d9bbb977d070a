/// The gdb remote serial protocol's framing: `$payload#xx` packets (xx the modulo-256 sum of
/// the payload bytes, in hex), `+`/`-` acknowledgements, the 0x03 interrupt byte, and the
/// escapes of binary data (`}` then the byte xor 0x20, for `$`, `#`, `}` and `*`).
/// Pure functions and a byte-stream parser: no I/O here (GDBConnection does the socket).
enum RSP {
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt8 {
        bytes.reduce(0, &+)
    }

    /// A packet ready to send. The payload is escaped: gdb undoes `}` escapes in every packet
    /// it reads, so escaping all payloads is always safe, and `*` would otherwise start a
    /// run-length repeat.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        let body = escape(payload)
        return [UInt8(ascii: "$")] + body + [UInt8(ascii: "#")] + Array(hex(checksum(body)).utf8)
    }

    static func escape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            if b == 0x23 || b == 0x24 || b == 0x7d || b == 0x2a {
                out.append(0x7d)
                out.append(b ^ 0x20)
            } else {
                out.append(b)
            }
        }
        return out
    }

    static func unescape(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var escaped = false
        for b in bytes {
            if escaped {
                out.append(b ^ 0x20)
                escaped = false
            } else if b == 0x7d {
                escaped = true
            } else {
                out.append(b)
            }
        }
        return out
    }

    /// Two lowercase hex digits per byte.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ byte: UInt8) -> String { hex([byte]) }

    /// Bytes from hex digits; nil if the text is not an even number of hex digits.
    static func bytes(fromHex text: some Sequence<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8? = nil
        for c in text {
            guard let v = hexValue(c) else { return nil }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return high == nil ? out : nil
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A hex number as gdb writes addresses, lengths and thread ids ("-1" is all threads).
    static func number(_ text: Substring) -> Int64? {
        if text == "-1" { return -1 }
        guard !text.isEmpty, text.count <= 16 else { return nil }
        var v: UInt64 = 0
        for c in text.utf8 {
            guard let d = hexValue(c) else { return nil }
            v = v << 4 | UInt64(d)
        }
        return Int64(bitPattern: v)
    }

    /// A 32-bit value as target-order (little-endian) hex, as registers travel.
    static func littleEndianHex(_ v: UInt32) -> String {
        hex([UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)])
    }
}

/// What arrives from gdb, one item at a time.
enum RSPEvent: Equatable {
    /// A packet whose checksum matched (acknowledged by the connection in ack mode).
    case packet([UInt8])
    /// A packet whose checksum did not match: gdb resends it after a `-`.
    case corrupt
    /// 0x03 outside a packet: the user pressed ^C.
    case interrupt
    /// `-`: gdb wants the last packet again.
    case resend
}

/// Splits the bytes gdb sends into events. Bytes outside packets other than `+`, `-` and 0x03
/// are line noise and skipped, as the protocol asks.
struct RSPParser {
    private var buffer: [UInt8] = []
    private var start = 0

    mutating func feed(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete event, or nil when more bytes are needed.
    mutating func next() -> RSPEvent? {
        while start < buffer.count {
            let b = buffer[start]
            switch b {
            case 0x03:
                start += 1
                return .interrupt
            case UInt8(ascii: "-"):
                start += 1
                return .resend
            case UInt8(ascii: "$"):
                guard let hash = buffer[(start + 1)...].firstIndex(of: UInt8(ascii: "#")),
                      hash + 2 < buffer.count else { compact(); return nil }
                let payload = Array(buffer[(start + 1)..<hash])
                let sum = RSP.bytes(fromHex: buffer[(hash + 1)...(hash + 2)])
                start = hash + 3
                compact()
                return sum == [RSP.checksum(payload)] ? .packet(payload) : .corrupt
            default:
                start += 1   // `+` acknowledgements and noise
            }
        }
        compact()
        return nil
    }

    private mutating func compact() {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
    }
}
