import Foundation

/// The RAM disk: a directory of files (by default the guest programs the Makefile built), read
/// once at boot. `readfile` and `exec` see it; the name "." is the listing of the names.
public final class RAMDisk {
    public private(set) var files: [String: [UInt8]] = [:]
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
                  let data = fm.contents(atPath: path) else { continue }
            files[name] = [UInt8](data)
            names.append(name)
        }
        self.names = names
        listing = names.flatMap { Array($0.utf8) + [0] } + [0]
    }

    /// Adds a file that lives outside the RAM disk directory (e.g. `pebblebed run ./prog`).
    public func add(name: String, contents: [UInt8]) {
        files[name] = contents
    }

    /// The bytes of a file, "." included.
    public func contents(of name: String) -> [UInt8]? {
        name == "." ? listing : files[name]
    }
}
