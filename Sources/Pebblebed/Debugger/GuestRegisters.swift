/// The guest's registers as gdb numbers them for i386 (the numbering of the target description
/// below, which is gdb's own i386 order): eax ecx edx ebx esp ebp esi edi eip eflags, the six
/// segment selectors, st0..st7 (80-bit), the x87 control registers, xmm0..xmm7 and mxcsr.
/// Values travel in target (little-endian) byte order.
enum GuestRegisters {
    struct Register {
        let name: String
        let size: Int
        let type: String
        let group: String?
    }

    static let general = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]
    static let segments = ["cs", "ss", "ds", "es", "fs", "gs"]
    static let x87Control = ["fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"]

    static let all: [Register] = {
        var r: [Register] = []
        for (i, n) in general.enumerated() {
            r.append(Register(name: n, size: 4, type: i == 4 || i == 5 ? "data_ptr" : "int32", group: nil))
        }
        r.append(Register(name: "eip", size: 4, type: "code_ptr", group: nil))
        r.append(Register(name: "eflags", size: 4, type: "i386_eflags", group: nil))
        for n in segments { r.append(Register(name: n, size: 4, type: "int32", group: nil)) }
        for i in 0..<8 { r.append(Register(name: "st\(i)", size: 10, type: "i387_ext", group: nil)) }
        for n in x87Control { r.append(Register(name: n, size: 4, type: "int", group: "float")) }
        for i in 0..<8 { r.append(Register(name: "xmm\(i)", size: 16, type: "vec128", group: nil)) }
        r.append(Register(name: "mxcsr", size: 4, type: "i386_mxcsr", group: "vector"))
        return r
    }()

    static let eipNumber = 8
    static let firstX87 = 16
    static let firstX87Control = 24
    static let firstXMM = 32
    static let mxcsrNumber = 40

    /// Register `n` of `frame`, or nil for a number gdb does not know from us.
    static func read(_ n: Int, of frame: TrapFrame) -> [UInt8]? {
        switch n {
        case 0..<16: return le(word(n, of: frame))
        case 16..<41:
            let fx = frame.fxsaveImage
            return fpRegister(n, in: fx)
        default: return nil
        }
    }

    /// All registers, as the `g` packet sends them.
    static func readAll(_ frame: TrapFrame) -> [UInt8] {
        var out: [UInt8] = []
        for n in 0..<16 { out += le(word(n, of: frame)) }
        let fx = frame.fxsaveImage
        for n in 16..<41 { out += fpRegister(n, in: fx)! }
        return out
    }

    /// Writes register `n`; false if the number is unknown or the bytes are the wrong size.
    /// Segment selectors cannot change (the exit always loads the guest's), a write is ignored.
    static func write(_ n: Int, _ bytes: [UInt8], to frame: TrapFrame) -> Bool {
        guard n >= 0, n < all.count, bytes.count == all[n].size else { return false }
        if n < 16 {
            let v = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
            setWord(n, v, of: frame)
            return true
        }
        var fx = frame.fxsaveImage
        guard let (offset, size) = fpLocation(n) else { return false }
        if n == firstX87Control + 2 {
            fx[offset] = abridgedTag(fullTag: UInt16(bytes[0]) | UInt16(bytes[1]) << 8)
        } else {
            for i in 0..<min(size, bytes.count) { fx[offset + i] = bytes[i] }
        }
        frame.setFxsaveImage(fx)
        return true
    }

    /// Writes every register from a `g`-layout buffer (a shorter one covers a prefix).
    static func writeAll(_ bytes: [UInt8], to frame: TrapFrame) -> Bool {
        var at = 0
        for (n, r) in all.enumerated() {
            guard at + r.size <= bytes.count else { return at > 0 }
            guard write(n, Array(bytes[at..<at + r.size]), to: frame) else { return false }
            at += r.size
        }
        return true
    }

    private static func word(_ n: Int, of f: TrapFrame) -> UInt32 {
        switch n {
        case 0: f.eax
        case 1: f.ecx
        case 2: f.edx
        case 3: f.ebx
        case 4: f.esp
        case 5: f.ebp
        case 6: f.esi
        case 7: f.edi
        case 8: f.eip
        case 9: f.eflags
        default: f.segmentSelectors[n - 10]
        }
    }

    private static func setWord(_ n: Int, _ v: UInt32, of f: TrapFrame) {
        switch n {
        case 0: f.eax = v
        case 1: f.ecx = v
        case 2: f.edx = v
        case 3: f.ebx = v
        case 4: f.esp = v
        case 5: f.ebp = v
        case 6: f.esi = v
        case 7: f.edi = v
        case 8: f.eip = v
        case 9: f.eflags = v
        default: break
        }
    }

    private static func le(_ v: UInt32) -> [UInt8] {
        [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
    }

    /// Where register `n` lives in the fxsave image: offset and byte count.
    /// (fxsave: FCW 0, FSW 2, abridged FTW 4, FOP 6, FIP 8, FCS 12, FDP 16, FDS 20, MXCSR 24,
    /// ST0..7 at 32 every 16 bytes, XMM0..7 at 160 every 16 bytes.)
    private static func fpLocation(_ n: Int) -> (Int, Int)? {
        switch n {
        case 16..<24: (32 + (n - 16) * 16, 10)
        case 24: (0, 2)
        case 25: (2, 2)
        case 26: (4, 1)
        case 27: (12, 2)
        case 28: (8, 4)
        case 29: (20, 2)
        case 30: (16, 4)
        case 31: (6, 2)
        case 32..<40: (160 + (n - 32) * 16, 16)
        case 40: (24, 4)
        default: nil
        }
    }

    private static func fpRegister(_ n: Int, in fx: [UInt8]) -> [UInt8]? {
        guard let (offset, size) = fpLocation(n) else { return nil }
        if n == firstX87Control + 2 {
            return le(UInt32(fullTag(abridged: fx[4], image: fx)))
        }
        let bytes = Array(fx[offset..<offset + size])
        return all[n].size == size ? bytes : bytes + [UInt8](repeating: 0, count: all[n].size - size)
    }

    /// The x87 tag word gdb shows (2 bits per physical register: 0 valid, 1 zero, 2 special,
    /// 3 empty) from fxsave's abridged one (1 bit per register: in use or empty).
    static func fullTag(abridged: UInt8, image fx: [UInt8]) -> UInt16 {
        let top = Int((UInt16(fx[2]) | UInt16(fx[3]) << 8) >> 11 & 7)
        var tag: UInt16 = 0
        for physical in 0..<8 {
            var t: UInt16 = 3
            if abridged >> physical & 1 == 1 {
                // ST(i) is physical register (top + i) mod 8.
                let st = (physical - top + 8) % 8
                let base = 32 + st * 16
                let exponent = (UInt16(fx[base + 8]) | UInt16(fx[base + 9]) << 8) & 0x7fff
                let integerBit = fx[base + 7] & 0x80 != 0
                let mantissaZero = fx[base..<base + 8].allSatisfy { $0 == 0 }
                if exponent == 0x7fff { t = 2 } else if exponent == 0 { t = mantissaZero ? 1 : 2 } else { t = integerBit ? 0 : 2 }
            }
            tag |= t << (2 * UInt16(physical))
        }
        return tag
    }

    static func abridgedTag(fullTag: UInt16) -> UInt8 {
        var a: UInt8 = 0
        for i in 0..<8 where (fullTag >> (2 * UInt16(i))) & 3 != 3 { a |= 1 << UInt8(i) }
        return a
    }
}

/// The target description gdb reads with qXfer:features:read:target.xml: architecture i386,
/// the core and SSE features by the names gdb's i386 support looks for, every register
/// numbered as GuestRegisters numbers them.
enum TargetDescription {
    static let xml: String = {
        var lines = [
            "<?xml version=\"1.0\"?>",
            "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">",
            "<target version=\"1.0\">",
            "<architecture>i386</architecture>",
            "<feature name=\"org.gnu.gdb.i386.core\">",
            "<flags id=\"i386_eflags\" size=\"4\">",
        ]
        let eflags: [(String, Int)] = [("CF", 0), ("PF", 2), ("AF", 4), ("ZF", 6), ("SF", 7),
                                       ("TF", 8), ("IF", 9), ("DF", 10), ("OF", 11), ("NT", 14),
                                       ("RF", 16), ("VM", 17), ("AC", 18), ("VIF", 19), ("VIP", 20), ("ID", 21)]
        for (name, bit) in eflags {
            lines.append("<field name=\"\(name)\" start=\"\(bit)\" end=\"\(bit)\"/>")
        }
        lines.append("</flags>")
        for (n, r) in GuestRegisters.all.enumerated() {
            if n == GuestRegisters.firstXMM {
                lines += [
                    "</feature>",
                    "<feature name=\"org.gnu.gdb.i386.sse\">",
                    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>",
                    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>",
                    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>",
                    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>",
                    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>",
                    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>",
                    "<union id=\"vec128\">",
                    "<field name=\"v4_float\" type=\"v4f\"/>",
                    "<field name=\"v2_double\" type=\"v2d\"/>",
                    "<field name=\"v16_int8\" type=\"v16i8\"/>",
                    "<field name=\"v8_int16\" type=\"v8i16\"/>",
                    "<field name=\"v4_int32\" type=\"v4i32\"/>",
                    "<field name=\"v2_int64\" type=\"v2i64\"/>",
                    "<field name=\"uint128\" type=\"uint128\"/>",
                    "</union>",
                    "<flags id=\"i386_mxcsr\" size=\"4\">",
                ]
                let mxcsr = ["IE", "DE", "ZE", "OE", "UE", "PE", "DAZ", "IM", "DM", "ZM", "OM", "UM", "PM", "FZ"]
                for (bit, name) in mxcsr.enumerated() {
                    lines.append("<field name=\"\(name)\" start=\"\(bit)\" end=\"\(bit)\"/>")
                }
                lines.append("</flags>")
            }
            var reg = "<reg name=\"\(r.name)\" bitsize=\"\(r.size * 8)\" type=\"\(r.type)\" regnum=\"\(n)\""
            if let g = r.group { reg += " group=\"\(g)\"" }
            lines.append(reg + "/>")
        }
        lines += ["</feature>", "</target>"]
        return lines.joined(separator: "\n") + "\n"
    }()
}
