/// Where keystrokes come from: the host ring in the emulator, an array in tests.
public protocol KeySource {
    /// The next byte, or nil when none is buffered right now.
    mutating func nextKey() -> UInt8?
    /// True when no byte will ever come again (end of input and the buffer is empty).
    var isAtEnd: Bool { get }
}

/// Keystrokes from a fixed list, for tests and for replaying input.
public struct ArrayKeySource: KeySource {
    public private(set) var remaining: ArraySlice<UInt8>
    /// Whether the input ends after `remaining` (false: more may come later).
    public var endsAfterRemaining: Bool

    public init(_ bytes: [UInt8], endsAfterRemaining: Bool = false) {
        remaining = bytes[...]
        self.endsAfterRemaining = endsAfterRemaining
    }

    public mutating func nextKey() -> UInt8? { remaining.popFirst() }
    public var isAtEnd: Bool { endsAfterRemaining && remaining.isEmpty }

    /// More keystrokes arrive (what a keyboard interrupt does to the real ring).
    public mutating func type(_ bytes: [UInt8]) { remaining.append(contentsOf: bytes) }
}
