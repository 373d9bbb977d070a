/// A Pebbles error: the negative integer a system call returns. Kernel code throws these; only
/// `Kernel.systemCall` (Syscalls/SystemCall.swift) turns them into return values.
public struct PebblesError: Error, RawRepresentable, Equatable, CustomStringConvertible, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// A pointer argument names memory the caller may not use that way (EFAULT-like).
    public static let badAddress = PebblesError(rawValue: -1)
    /// An argument is out of range (EINVAL-like).
    public static let invalidArgument = PebblesError(rawValue: -2)
    /// Memory (frames, kernel stacks, bookkeeping) cannot be reserved (ENOMEM-like).
    public static let noMemory = PebblesError(rawValue: -3)
    /// No such thread, task or file (ESRCH/ENOENT-like).
    public static let notFound = PebblesError(rawValue: -4)
    /// The request cannot be served in the caller's current state, e.g. fork in a
    /// multi-threaded task, yield to a blocked thread (EAGAIN/EBUSY-like).
    public static let busy = PebblesError(rawValue: -5)
    /// Nothing could ever satisfy the call, e.g. wait with no children (ECHILD-like).
    public static let noChild = PebblesError(rawValue: -6)
    /// The file is not a runnable guest program (ENOEXEC-like).
    public static let notExecutable = PebblesError(rawValue: -7)
    /// Too many or too long exec arguments (E2BIG-like).
    public static let argumentsTooLong = PebblesError(rawValue: -8)
    /// Unknown system call vector (ENOSYS-like).
    public static let noSuchCall = PebblesError(rawValue: -9)

    public var description: String {
        switch self {
        case .badAddress: "bad address"
        case .invalidArgument: "invalid argument"
        case .noMemory: "out of memory"
        case .notFound: "not found"
        case .busy: "busy"
        case .noChild: "no child"
        case .notExecutable: "not executable"
        case .argumentsTooLong: "arguments too long"
        case .noSuchCall: "no such system call"
        default: "error \(rawValue)"
        }
    }
}
