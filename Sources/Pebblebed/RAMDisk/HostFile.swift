import Glibc

/// Reads a program or RAM-disk file from the host, bounded: only a regular file, at most
/// `maxBytes`, never blocking. (FileManager would wait forever on a FIFO, read /dev/zero until
/// memory ran out, and call a directory unreadable; issue 17, 4 and 9.)
public enum HostFile {
    /// The largest file served: far above any real Pebbles program, and small enough that
    /// reading it (in kernel context, where every task waits) takes milliseconds.
    public static let maxBytes = 64 << 20

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case cannotOpen(Int32)
        case notRegular(String)
        case tooLarge(Int)
        case readFailed(Int32)

        public var description: String {
            switch self {
            case .cannotOpen(let e) where e == EMFILE || e == ENFILE:
                "\(String(cString: strerror(e))) (the open file limit, ulimit -n)"
            case .cannotOpen(let e): String(cString: strerror(e))
            case .notRegular(let kind): "not a regular file (\(kind))"
            case .tooLarge(let n): "\(n) bytes, more than the \(HostFile.maxBytes >> 20) MiB a program file may have"
            case .readFailed(let e): "read failed: \(String(cString: strerror(e)))"
            }
        }
    }

    public static func read(_ path: String) -> Result<[UInt8], Failure> {
        // O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.cannotOpen(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(.readFailed(errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(.notRegular("a directory"))
        case S_IFIFO: return .failure(.notRegular("a FIFO"))
        case S_IFCHR, S_IFBLK: return .failure(.notRegular("a device"))
        case S_IFSOCK: return .failure(.notRegular("a socket"))
        default: return .failure(.notRegular("unknown kind"))
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else { return .failure(.tooLarge(size)) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return .failure(.readFailed(errno)) }
            if n == 0 { break }   // the file shrank since fstat: what was there
            done += n
        }
        if done < size { bytes.removeLast(size - done) }
        return .success(bytes)
    }
}
