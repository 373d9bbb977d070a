/// What one 4096-byte guest page of a freshly loaded program holds.
///
/// The page starts as zeros; each `Copy` then puts bytes of the ELF file at a page offset.
/// Bytes no copy covers stay zero (bss, and the gaps around segments that start or end
/// mid-page). A page with no copies at all is pure zero fill, which the kernel can map lazily
/// (ZFOD) instead of allocating a frame at exec.
public struct PagePlan: Equatable, Sendable {
    public static let size = 4096

    /// Page-aligned guest virtual address.
    public let page: UInt32
    /// The union over every segment that touches the page: x86 pages have one protection, so
    /// a page shared by text and data must be both executable and writable.
    public let protection: Protection
    /// Disjoint, sorted by `pageOffset`.
    public let copies: [Copy]

    /// Bytes `fileOffset..<fileOffset+length` of the file go to `pageOffset..<pageOffset+length`.
    public struct Copy: Equatable, Sendable {
        public let pageOffset: Int
        public let fileOffset: Int
        public let length: Int

        public init(pageOffset: Int, fileOffset: Int, length: Int) {
            self.pageOffset = pageOffset
            self.fileOffset = fileOffset
            self.length = length
        }

        var pageEnd: Int { pageOffset + length }
    }

    /// User access rights of a page, from a segment's p_flags.
    public struct Protection: OptionSet, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let read = Protection(rawValue: 1 << 0)
        public static let write = Protection(rawValue: 1 << 1)
        public static let execute = Protection(rawValue: 1 << 2)

        /// PF_X = 1, PF_W = 2, PF_R = 4: the ELF bit order is the reverse of ours.
        init(elfFlags: UInt32) {
            var protection: Protection = []
            if elfFlags & 4 != 0 { protection.insert(.read) }
            if elfFlags & 2 != 0 { protection.insert(.write) }
            if elfFlags & 1 != 0 { protection.insert(.execute) }
            self = protection
        }

        /// "RWX" with dashes, as in `readelf -l` and `/proc/self/maps`.
        public var description: String {
            (contains(.read) ? "R" : "-") + (contains(.write) ? "W" : "-") + (contains(.execute) ? "X" : "-")
        }
    }

    public init(page: UInt32, protection: Protection, copies: [Copy]) {
        self.page = page
        self.protection = protection
        self.copies = copies
    }

    /// True when the page takes nothing from the file: a ZFOD candidate.
    public var isZeroFillOnly: Bool { copies.isEmpty }
}
