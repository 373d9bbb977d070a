import Glibc

/// Why the machine could not boot or load its first program; shown to the user as it is.
public enum BootError: Error, CustomStringConvertible {
    case config(String)
    case host(String, Int32)
    case program(String)

    public var description: String {
        switch self {
        case .config(let s): s
        case .host(let what, let err): "\(what) failed: \(String(cString: strerror(err)))"
        case .program(let s): s
        }
    }
}
