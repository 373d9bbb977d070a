/// Why a console call was refused.
///
/// Kept as the device's own type until `Syscalls/PebblesError.swift` lands: then each case maps
/// to a `PebblesError` value in `pebblesCode`'s place, and the calls can throw that directly.
public enum ConsoleError: Error, Equatable {
    /// set_term_color with a value outside 0x00...0xFF.
    case invalidColor(Int)
    /// set_cursor_pos outside the 25x80 screen.
    case invalidPosition(row: Int, column: Int)

    /// The negative value the system call returns for this error.
    public var pebblesCode: Int32 {
        switch self {
        case .invalidColor: return -1
        case .invalidPosition: return -2
        }
    }
}
