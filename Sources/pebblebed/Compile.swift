import ArgumentParser
import Foundation

/// `pebblebed cc`: builds C files into a guest program with the flags, headers and libraries
/// of the guest userland in the data directory (DataDirectory.swift: a checkout's build/ or an
/// install's share/pebblebed), so `pebblebed cc prog.c -o prog && pebblebed run ./prog` works
/// from any directory, installed or not.
struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cc",
        abstract: "Compile C files into a Pebbles guest program (i386, static, linked at 0x01000000).",
        discussion: """
        Runs bin/pebbles-cc of the data directory (`pebblebed --version` names it: the build/ \
        of the checkout this binary was built in, made by `make guests`, or PREFIX/share/pebblebed \
        after `make install PREFIX=...`), which calls gcc with the guest headers (syscall.h, thread.h, stdio.h, ...) \
        and links crt0.o, libthread, libpebbles and libsyscall. Defaults are 15-410's user flags \
        (-O0 -g, frame pointers, 4-byte stack alignment); every gcc option passes through and \
        overrides them, e.g. `pebblebed cc -O2 main.c util.c -o prog`; `-c` compiles only. \
        Folders given with -I are searched before Pebblebed's headers. To test your own thread \
        library: --no-libthread and --no-libsyscall leave out Pebblebed's, and the libraries you \
        name (libthread.a, libsyscall.a, libautostack.a) take their place. \
        `pebblebed cc --help` is this help; `pebblebed cc -v --help` is gcc's.
        """)

    @Argument(parsing: .captureForPassthrough, help: "gcc options and C files.")
    var arguments: [String] = []

    func run() throws {
        guard !arguments.isEmpty else { throw ValidationError("give the C files to compile: pebblebed cc [gcc options] file.c... -o program") }
        // Every argument passes through to gcc, so ArgumentParser never sees --help: the
        // first word alone decides (issue 18, 5: it printed gcc's help).
        if arguments.count == 1 && ["--help", "-h", "-help"].contains(arguments[0]) {
            print(Compile.helpMessage(columns: nil))
            return
        }
        let wrapper = try Compile.wrapperPath()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrapper)
        p.arguments = arguments
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw ExitCode(p.terminationStatus) }
    }

    /// bin/pebbles-cc of the data directory; a load error (exit 2) saying what to do when it
    /// is missing.
    static func wrapperPath() throws -> String {
        guard let data = DataDirectory.find() else { throw CLIError.load("cc: no compiler wrapper: \(DataDirectory.howToFix)") }
        guard FileManager.default.isExecutableFile(atPath: data.compilerWrapper) else {
            throw CLIError.load("cc: \(data.compilerWrapper) not found (data directory from \(data.origin)); build the guests (`make guests`) or reinstall (`make install`)")
        }
        return data.compilerWrapper
    }
}
