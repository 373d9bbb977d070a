import ArgumentParser
import Foundation

/// `pebblebed cc`: builds C files into a guest program with the flags, headers and libraries
/// of this checkout's guest userland, so `pebblebed cc prog.c -o prog && pebblebed run ./prog`
/// works from any directory.
struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cc",
        abstract: "Compile C files into a Pebbles guest program (i386, static, linked at 0x01000000).",
        discussion: """
        Runs build/bin/pebbles-cc of the checkout this binary was built in (made by \
        `make guests`), which calls gcc with the guest headers (syscall.h, thread.h, stdio.h, ...) \
        and links crt0.o, libthread, libpebbles and libsyscall. Defaults are 15-410's user flags \
        (-O0 -g, frame pointers, 4-byte stack alignment); every gcc option passes through and \
        overrides them, e.g. `pebblebed cc -O2 main.c util.c -o prog`; `-c` compiles only. \
        Folders given with -I are searched before Pebblebed's headers. To test your own thread \
        library: --no-libthread and --no-libsyscall leave out Pebblebed's, and the libraries you \
        name (libthread.a, libsyscall.a, libautostack.a) take their place.
        """)

    @Argument(parsing: .captureForPassthrough, help: "gcc options and C files.")
    var arguments: [String] = []

    func run() throws {
        guard !arguments.isEmpty else { throw ValidationError("usage: pebblebed cc [gcc options] file.c... -o program") }
        guard let wrapper = Compile.wrapperPath() else {
            throw ValidationError("build/bin/pebbles-cc not found next to this pebblebed; run `make guests` in the checkout first")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrapper)
        p.arguments = arguments
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw ExitCode(p.terminationStatus) }
    }

    /// build/bin/pebbles-cc beside the RAM disk this binary would use.
    static func wrapperPath() -> String? {
        let ramdisk = URL(fileURLWithPath: MachineOptions.defaultRAMDisk())
        let candidate = ramdisk.deletingLastPathComponent().appendingPathComponent("bin/pebbles-cc").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }
}
