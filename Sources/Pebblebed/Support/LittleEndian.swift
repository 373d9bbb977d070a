/// The guest is little-endian i386: words in guest memory are packed and unpacked here, once.

/// The bytes of `value`, least significant first.
func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
}

/// The bytes of `words`, each least significant byte first.
func littleEndianBytes(words: [UInt32]) -> [UInt8] {
    words.flatMap { littleEndianBytes($0) }
}

/// The 32-bit words of `bytes` (whose count is a multiple of 4).
func littleEndianWords(_ bytes: [UInt8]) -> [UInt32] {
    (0..<bytes.count / 4).map { i in
        UInt32(bytes[4*i]) | UInt32(bytes[4*i+1]) << 8 | UInt32(bytes[4*i+2]) << 16 | UInt32(bytes[4*i+3]) << 24
    }
}
