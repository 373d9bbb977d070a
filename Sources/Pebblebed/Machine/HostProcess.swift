import CShims
import Glibc

/// The emulator's own host process: what main sets up before anything else runs.
public enum HostProcess {
    /// Opens each closed one of descriptors 0, 1 and 2 on /dev/null (pb_ensure_standard_fds),
    /// so that no file opened later becomes the keyboard, the console or the kernel log. False
    /// when /dev/null could not be opened.
    public static func ensureStandardDescriptors() -> Bool { pb_ensure_standard_fds() == 0 }

    /// Ignores SIGXFSZ, so that a write past `ulimit -f` fails with EFBIG and is reported
    /// naming the limit instead of killing the emulator without a word.
    public static func ignoreFileSizeSignal() { _ = pb_host_ignore_file_size_signal() }

    /// Descriptors one machine needs: stdin, stdout, stderr, the memory file, --log, --trace,
    /// the default log copy, a RAM-disk file being read, and the runtime's own, with room.
    public static let descriptorsPerMachine = 16

    /// Makes sure `needed` descriptors may be open (raising the soft limit if the hard one
    /// allows). With fewer, a file open failing later turned into a wrong message (--log and
    /// --trace made "no such program") or a crash inside Foundation (issue 17, 5): this says
    /// which limit instead. Returns the message, nil when all is well.
    public static func ensureOpenFiles(_ needed: Int, for what: String) -> String? {
        var soft: UInt64 = 0, hard: UInt64 = 0
        guard pb_host_ensure_open_files(UInt64(needed), &soft, &hard) != 0 else { return nil }
        return "the open file limit (ulimit -n: \(soft), hard limit \(hard)) is below the \(needed) descriptors \(what) needs"
    }

    /// Closes inherited descriptors numbered past the open-file limit, which make every spawn
    /// of a machine fail (`pb_host_close_descriptors_above_limit`). For stress, which only
    /// spawns machines and passes them none of its inherited descriptors.
    public static func closeDescriptorsAboveLimit() { _ = pb_host_close_descriptors_above_limit() }

    /// The soft limit `ulimit -f` sets, in bytes; nil when unlimited.
    static var fileSizeLimit: UInt64? { limit(Int32(RLIMIT_FSIZE.rawValue)) }
    /// The soft limit `ulimit -v` sets, in bytes; nil when unlimited.
    static var addressSpaceLimit: UInt64? { limit(Int32(RLIMIT_AS.rawValue)) }
    /// The soft limit `ulimit -n` sets; nil when unlimited.
    static var openFileLimit: UInt64? { limit(Int32(RLIMIT_NOFILE.rawValue)) }

    private static func limit(_ resource: Int32) -> UInt64? {
        let v = pb_host_limit(resource)
        return v == UInt64.max ? nil : v
    }

    /// Address space a machine needs at least: the 4 GiB guest range, the physical memory
    /// window (set at boot), and room for the runtime and the kernel's own memory.
    nonisolated(unsafe) static var physicalMemoryBytes: UInt64 = 128 << 20
    static var addressSpaceNeeded: UInt64 { (4 << 30) + physicalMemoryBytes + (256 << 20) }

    /// "ulimit -v 400000 (KiB)" style wording for messages.
    static func kib(_ bytes: UInt64) -> String { "\(bytes / 1024) KiB" }
}

/// Host memory a guest's actions cost beyond its frames (page tables, task and thread records,
/// kernel stacks) come from the emulator's heap, where an allocation that fails aborts the
/// whole process (Swift has no recoverable allocation failure). Under an address space limit
/// (`ulimit -v`) a fork bomb ended that way (issue 17, 5). So the calls that let a guest grow
/// host memory ask first whether enough headroom is left below the limit, and a guest that
/// would go past it gets `.noMemory`, a guest error, like running out of frames.
enum HostMemory {
    /// Headroom kept below the limit: far more than one fork, new_pages or exec allocates.
    static let reserveBytes: UInt64 = 48 << 20

    /// The address space limit, read once (nil: unlimited, and nothing is ever checked).
    nonisolated(unsafe) private static var limit: UInt64?? = nil

    /// Throws `.noMemory` when the emulator's address space is within `reserveBytes` of
    /// `ulimit -v`. Costs nothing without a limit; with one, a read of /proc/self/statm.
    static func checkHeadroom() throws(PebblesError) {
        if limit == nil { limit = .some(HostProcess.addressSpaceLimit) }
        guard let l = limit!, let used = addressSpaceInUse() else { return }
        if used + reserveBytes > l { throw .noMemory }
    }

    /// VmSize, what RLIMIT_AS limits (the first field of /proc/self/statm, in pages).
    static func addressSpaceInUse() -> UInt64? {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 63) }
        guard n > 0 else { return nil }
        var pages: UInt64 = 0
        for b in buffer[0..<n] {
            guard b >= 0x30 && b <= 0x39 else { break }
            pages = pages * 10 + UInt64(b - 0x30)
        }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
