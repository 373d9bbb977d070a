/// Why a console call was refused. The console's own type keeps the model independent of the
/// system-call layer; `pebblesError` is what the call returns.
public enum ConsoleError: Error, Equatable {
    /// set_term_color with a value outside 0x00...0xFF.
    case invalidColor(Int)
    /// set_cursor_pos outside the 25x80 screen.
    case invalidPosition(row: Int, column: Int)

    /// The error the system call reports: both are arguments out of range.
    public var pebblesError: PebblesError { .invalidArgument }
}
