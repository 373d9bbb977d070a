/// A copy of the frames in use, to put physical memory back as it was (the explorer's reset,
/// Explore/Explorer.swift). Physical memory is a MAP_SHARED memfd, so a forked machine writes
/// the very frames its parent holds: the parent puts the snapshot back before each fork.
/// Free frames are not kept: the kernel zero-fills or overwrites a frame when it allocates it.
public struct MemorySnapshot {
    let frames: [FrameNumber]
    let bytes: [UInt8]

    /// Copies every frame the pool has allocated.
    public init(_ memory: Memory) {
        var frames: [FrameNumber] = []
        for i in 0..<memory.physical.frameCount where !memory.pool.isFree(FrameNumber(i)) {
            frames.append(FrameNumber(i))
        }
        var bytes = [UInt8](repeating: 0, count: frames.count * pageSize)
        bytes.withUnsafeMutableBytes { out in
            for (k, f) in frames.enumerated() {
                (out.baseAddress! + k * pageSize).copyMemory(from: memory.physical.pointer(f), byteCount: pageSize)
            }
        }
        self.frames = frames
        self.bytes = bytes
    }

    public var frameCount: Int { frames.count }

    /// Writes the saved frames back.
    public func restore(into memory: Memory) {
        bytes.withUnsafeBytes { saved in
            for (k, f) in frames.enumerated() {
                memory.physical.pointer(f).copyMemory(from: saved.baseAddress! + k * pageSize, byteCount: pageSize)
            }
        }
    }
}
