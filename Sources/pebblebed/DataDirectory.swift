import Foundation

/// Where `pebblebed` finds what it needs besides itself: the default RAM disk, the guest
/// headers, libraries and crt0, and the compiler wrapper of `pebblebed cc`. One layout, in two
/// places (issue 18, 4):
///
///     DATA/ramdisk/          the guest programs (`pebblebed run NAME`, the shell's `ls`)
///     DATA/include/          the guest headers (syscall.h, thread.h, stdio.h, ...)
///     DATA/lib/              crt0.o, libthread.a, libpebbles.a, libsyscall.a
///     DATA/bin/pebbles-cc    the compiler wrapper (finds include/ and lib/ beside itself)
///
/// DATA is, in this order: `$PEBBLEBED_HOME`; `../share/pebblebed` from the binary
/// (`make install PREFIX=P` puts the binary in P/bin and the rest in P/share/pebblebed); the
/// `build/` folder of the checkout the binary sits in (`make guests` fills it). Everything is
/// found from the binary's own path, never from the current directory, so a copied PREFIX
/// works wherever it lands. `$PEBBLEBED_RAMDISK` (and `--ramdisk`) still choose the RAM disk
/// alone.
struct DataDirectory {
    let path: String
    /// How it was found, for `--version` and error messages.
    let origin: String

    static let environmentVariable = "PEBBLEBED_HOME"

    /// The binary, with symbolic links resolved (a link on PATH to PREFIX/bin/pebblebed finds
    /// PREFIX/share/pebblebed).
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func find(environment: [String: String] = ProcessInfo.processInfo.environment,
                     executable: String = DataDirectory.executable) -> DataDirectory? {
        if let home = environment[environmentVariable], !home.isEmpty {
            return DataDirectory(path: home, origin: "$\(environmentVariable)")
        }
        let bin = URL(fileURLWithPath: executable).deletingLastPathComponent()
        let installed = bin.deletingLastPathComponent().appendingPathComponent("share/pebblebed").path
        if isDirectory(installed) {
            return DataDirectory(path: installed, origin: "installed beside \(executable)")
        }
        // A build in a checkout (.build/debug/pebblebed, .build/release/pebblebed): the build/
        // folder of the nearest folder above the binary that has one with a RAM disk in it.
        var dir = bin
        while dir.path != "/" {
            let build = dir.appendingPathComponent("build")
            if isDirectory(build.appendingPathComponent("ramdisk").path) {
                return DataDirectory(path: build.path, origin: "the build tree of the checkout \(dir.path)")
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    var ramdisk: String { path + "/ramdisk" }
    var compilerWrapper: String { path + "/bin/pebbles-cc" }

    /// What to do when no data directory is found, for error messages.
    static var howToFix: String {
        "\(executable) has no ../share/pebblebed beside it and is not inside a built checkout: " +
        "install it with `make install PREFIX=DIR` (then run DIR/bin/pebblebed), or set $\(environmentVariable) " +
        "to a data directory (one with ramdisk/, include/, lib/, bin/pebbles-cc)"
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}

/// `pebblebed --version`.
enum PebblebedVersion {
    /// Raised by hand with each merged issue (there is no release process to derive it from).
    static let number = "0.18.0"

    static var text: String {
        var lines = ["pebblebed \(number)"]
        if let data = DataDirectory.find() {
            lines.append("data directory: \(data.path) (\(data.origin))")
        } else {
            lines.append("data directory: none found (\(DataDirectory.howToFix))")
        }
        let env = ProcessInfo.processInfo.environment["PEBBLEBED_RAMDISK"]
        lines.append("RAM disk: \(MachineOptions.defaultRAMDisk())\(env != nil ? " ($PEBBLEBED_RAMDISK)" : "")")
        return lines.joined(separator: "\n")
    }
}
