/// Where a program's Simics magic instruction is, and what it becomes.
///
/// On Simics `xchg %ebx,%ebx` (87 DB) is a magic instruction; on a real CPU it does nothing,
/// so the kernel would never see a magic call. When the program has a `sim_call` symbol, the
/// loader overwrites each 87 DB inside that routine with `int $0x8E` (CD 8E), also two bytes,
/// so every magic call traps into the kernel with the registers exactly as sim_call set them.
/// Only bytes inside `sim_call` change: elsewhere 87 DB may be data or part of another
/// instruction, and a program without the symbol runs unchanged.
public enum MagicPatch {
    public static let symbolName = "sim_call"
    public static let magic: [UInt8] = [0x87, 0xDB]
    /// `int $0x8E`: Vector.simics.
    public static let replacement: [UInt8] = [0xCD, 0x8E]
    /// How far to look when the symbol has no size (hand-written assembly without `.size`):
    /// 410's sim_call is about 20 bytes (save %ebx, load three arguments, the magic, return).
    public static let unsizedWindow: UInt32 = 64

    /// The byte range to search: the symbol's extent, or `unsizedWindow` bytes when its size
    /// is 0; nil for a symbol outside user memory.
    public static func searchRange(address: UInt32, size: UInt32) -> Range<UInt64>? {
        guard address >= GuestLayout.userStart else { return nil }
        let length = size == 0 ? unsizedWindow : min(size, 1 << 20)
        let end = min(UInt64(address) + UInt64(length), GuestLayout.userEnd)
        return UInt64(address)..<end
    }

    /// Addresses of the magic instructions in `code`, which starts at `base`. Sites do not
    /// overlap. A routine of unknown size is searched up to its first magic instruction only,
    /// since the window may run into the next function.
    public static func sites(in code: [UInt8], base: UInt32, firstOnly: Bool) -> [UInt32] {
        var found: [UInt32] = []
        var i = 0
        while i + 1 < code.count {
            if code[i] == magic[0] && code[i + 1] == magic[1] {
                found.append(base &+ UInt32(i))
                if firstOnly { break }
                i += 2
            } else {
                i += 1
            }
        }
        return found
    }
}
