import Foundation

/// The RAM disk: a directory of files (by default the guest programs the Makefile built).
/// Names are listed at boot; a file's bytes are read from the host on its first use (readfile
/// or exec) and kept from then on, so boot does not read megabytes of programs it never runs.
/// Only regular files of at most `HostFile.maxBytes` are served; anything else reads as absent.
/// `readfile` and `exec` see it; the name "." is the listing of the names.
public final class RAMDisk {
    private let directory: String
    private var files: [String: [UInt8]] = [:]
    private let present: Set<String>
    public let names: [String]
    /// "." : every name NUL-terminated, then one more NUL.
    let listing: [UInt8]

    public init(directory: String) throws(BootError) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw .config("RAM disk directory \(directory) does not exist (build the guests with `make guests`, or pass --ramdisk DIR)")
        }
        let entries = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        var names: [String] = []
        for name in entries.sorted() where !name.hasPrefix(".") {
            let path = directory + "/" + name
            guard fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                  fm.isReadableFile(atPath: path) else { continue }
            names.append(name)
        }
        self.directory = directory
        self.names = names
        present = Set(names)
        listing = names.flatMap { Array($0.utf8) + [0] } + [0]
    }

    /// The last file that is listed but could not be read, and why (too many open files, a
    /// FIFO...), so that "no such program" is not said of a program that is there.
    public private(set) var lastFailure: (name: String, why: HostFile.Failure)?

    /// Adds a file that lives outside the RAM disk directory (e.g. `pebblebed run ./prog`).
    public func add(name: String, contents: [UInt8]) {
        files[name] = contents
    }

    /// The bytes of a file, "." included; nil for a name not on the disk (or a file that
    /// vanished from the host directory since boot).
    public func contents(of name: String) -> [UInt8]? {
        if name == "." { return listing }
        if let bytes = files[name] { return bytes }
        // Bounded (HostFile): a FIFO, a device or a huge file put in the directory must not
        // stall the machine, since every task waits while the kernel reads.
        guard present.contains(name) else { return nil }
        switch HostFile.read(directory + "/" + name) {
        case .success(let bytes):
            files[name] = bytes
            return bytes
        case .failure(let why):
            lastFailure = (name, why)
            return nil
        }
    }
}
