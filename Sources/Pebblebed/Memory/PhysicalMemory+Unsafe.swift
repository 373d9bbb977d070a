import CShims
import Glibc

/// Physical memory: a memfd of N frames, mapped once read/write into the kernel's window
/// ("physmap"). The kernel reads and writes guest memory only through this window, after
/// walking the page table, so copy-in/copy-out never faults.
public final class PhysicalMemory {
    public let fd: Int32
    public let frameCount: Int
    // Safety: `base` maps frameCount * pageSize bytes for the life of the process; every access
    // below checks its frame number against frameCount.
    private let base: UnsafeMutableRawPointer

    public init(bytes: Int) throws(BootError) {
        frameCount = bytes / pageSize
        guard frameCount >= 16 else { throw .config("--memory must be at least 64 KiB") }
        fd = pb_memfd_create("pebblebed-physical-memory")
        guard fd >= 0 else { throw .host("memfd_create", errno) }
        // On descriptor 0, 1 or 2 the guest's keyboard, console or the kernel log would read and
        // write physical memory (issue 17, 2). main opens closed ones on /dev/null first; a
        // library user who did not is told so instead of being served frames.
        guard fd > 2 else {
            close(fd)
            throw .config("standard input, output or error is closed: open it (e.g. on /dev/null) before booting")
        }
        guard ftruncate(fd, off_t(frameCount * pageSize)) == 0 else {
            let err = errno
            close(fd)
            // The memfd is a file: `ulimit -f` below the memory size refuses it (issue 17, 5).
            if err == EFBIG, let limit = HostProcess.fileSizeLimit {
                throw .config("physical memory of \((frameCount * pageSize) >> 20) MiB is larger than the file size limit (ulimit -f: \(HostProcess.kib(limit))), which also bounds the memory file: raise the limit or lower --memory")
            }
            throw .host("ftruncate of physical memory", err)
        }
        guard let p = mmap(nil, frameCount * pageSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
              p != MAP_FAILED else {
            let err = errno
            if err == ENOMEM, let limit = HostProcess.addressSpaceLimit {
                throw .config("the address space limit (ulimit -v: \(HostProcess.kib(limit))) leaves no room for \((frameCount * pageSize) >> 20) MiB of physical memory after the 4 GiB guest range: raise the limit to at least \(HostProcess.kib(HostProcess.addressSpaceNeeded)) or lower --memory")
            }
            throw .host("mmap of the physical memory window", err)
        }
        base = p
    }

    @inline(__always)
    public func pointer(_ f: FrameNumber, offset: Int = 0) -> UnsafeMutableRawPointer {
        kernelAssert(f.index < frameCount && offset >= 0 && offset <= pageSize, "frame \(f.index) offset \(offset) outside physical memory")
        return base + (f.index * pageSize + offset)
    }

    public func zero(_ f: FrameNumber) {
        kernelAssert(f != .zero, "the zero frame is read-only")
        pointer(f).initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
    }

    public func copy(from src: FrameNumber, to dst: FrameNumber) {
        pointer(dst).copyMemory(from: UnsafeRawPointer(pointer(src)), byteCount: pageSize)
    }

    /// Copies bytes into a frame.
    public func write(_ f: FrameNumber, offset: Int, _ bytes: UnsafeRawBufferPointer) {
        kernelAssert(offset + bytes.count <= pageSize, "write of \(bytes.count) bytes at offset \(offset) crosses a frame")
        guard bytes.count > 0 else { return }
        pointer(f, offset: offset).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
    }

    /// Copies bytes out of a frame.
    public func read(_ f: FrameNumber, offset: Int, into dst: UnsafeMutableRawBufferPointer) {
        kernelAssert(offset + dst.count <= pageSize, "read of \(dst.count) bytes at offset \(offset) crosses a frame")
        guard dst.count > 0 else { return }
        dst.baseAddress!.copyMemory(from: UnsafeRawPointer(pointer(f, offset: offset)), byteCount: dst.count)
    }

    /// Copies `count` bytes at `offset` of frame `f` into `out[at...]`.
    public func read(_ f: FrameNumber, offset: Int, count: Int, into out: inout [UInt8], at: Int) {
        kernelAssert(at >= 0 && at + count <= out.count, "read into \(at)..<\(at + count) of a \(out.count)-byte buffer")
        out.withUnsafeMutableBytes { read(f, offset: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[at..<at + count])) }
    }

    /// Copies `bytes[range]` to `offset` of frame `f`.
    public func write(_ f: FrameNumber, offset: Int, from bytes: [UInt8], range: Range<Int>) {
        bytes.withUnsafeBytes { write(f, offset: offset, UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The index of the first NUL byte of frame `f` at or after `offset`, if any.
    public func firstNul(in f: FrameNumber, from offset: Int) -> Int? {
        let p = UnsafeRawBufferPointer(start: pointer(f, offset: offset), count: pageSize - offset)
        return p.firstIndex(of: 0).map { $0 + offset }
    }
}

extension PhysicalMemory {
    /// A new in-memory file (a memfd, closed on exec) that is not guest memory: explore's
    /// scratch files for each run's output and report (ForkRunner.scratchFile). -1 and errno
    /// when the host refuses.
    static func memoryFile(named name: String) -> Int32 { pb_memfd_create(name) }
}
