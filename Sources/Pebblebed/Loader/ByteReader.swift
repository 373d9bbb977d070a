/// Little-endian reads from an untrusted file image, with every access bounds-checked.
///
/// The loader never trusts an offset read from the file: it first asks for a `Record` of the
/// size of the structure it wants (an ELF header, a program header, a symbol), which fails with
/// `nil` when any byte of it lies outside the file, and then reads fields at fixed offsets inside
/// that record. A field offset past the record is a bug in the loader, not in the file, so it
/// traps.
struct ByteReader {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var count: Int { bytes.count }

    /// Whether `[offset, offset + length)` lies inside the file. Offsets come from 32-bit fields
    /// and lengths from products of them, so the sum is computed without risk of overflow in
    /// `Int` (64-bit) but is still guarded for negative inputs.
    func contains(offset: Int, length: Int) -> Bool {
        guard offset >= 0, length >= 0 else { return false }
        let (end, overflow) = offset.addingReportingOverflow(length)
        return !overflow && end <= bytes.count
    }

    /// The `length` bytes at `offset`, or nil when they do not all lie inside the file.
    func record(at offset: Int, length: Int) -> Record? {
        guard contains(offset: offset, length: length) else { return nil }
        return Record(bytes: bytes, base: offset, length: length)
    }

    /// The NUL-terminated string starting at `offset`, looked for only inside
    /// `[offset, limit)`; nil when the range is outside the file, has no NUL, or is not UTF-8.
    func cString(at offset: Int, limit: Int) -> String? {
        guard offset >= 0, offset < limit, limit <= bytes.count else { return nil }
        guard let nul = bytes[offset..<limit].firstIndex(of: 0) else { return nil }
        return String(validating: bytes[offset..<nul], as: UTF8.self)
    }

    /// A bounds-checked window on the file holding one fixed-size structure.
    struct Record {
        fileprivate let bytes: [UInt8]
        let base: Int
        let length: Int

        func u8(_ field: Int) -> UInt8 {
            kernelAssert(field >= 0 && field < length, "ByteReader: field \(field) outside a \(length)-byte record")
            return bytes[base + field]
        }

        func u16(_ field: Int) -> UInt16 {
            UInt16(u8(field)) | UInt16(u8(field + 1)) << 8
        }

        func u32(_ field: Int) -> UInt32 {
            UInt32(u16(field)) | UInt32(u16(field + 2)) << 16
        }
    }
}
