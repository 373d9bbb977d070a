/// Page size of the guest machine (Pebbles PAGE_SIZE).
public let pageSize = 4096
public let pageShift: UInt32 = 12

/// Index of a 4 KiB frame of physical memory (an offset into the memfd divided by the page size).
/// Frame 0 is the shared zero frame: never written, never freed, never reference-counted.
public struct FrameNumber: RawRepresentable, Hashable, Comparable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ v: Int) { rawValue = UInt32(v) }
    public static let zero = FrameNumber(rawValue: 0)
    public var index: Int { Int(rawValue) }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
