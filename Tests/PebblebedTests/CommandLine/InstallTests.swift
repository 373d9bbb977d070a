import Foundation
import Testing

/// `make install PREFIX=...` and the data directory (issue 18, 4): an installed pebblebed finds
/// its RAM disk, headers, libraries and compiler wrapper from its own path, so a copied PREFIX
/// works with the checkout out of reach (another directory, an environment without
/// PEBBLEBED_RAMDISK or PEBBLEBED_HOME, nothing installed naming the checkout).
@Suite(.enabled(if: Guest.hasProgram("hello") && FileManager.default.fileExists(atPath: Guest.root.path + "/build/lib/crt0.o")))
struct InstallTests {
    static let program = """
        #include <stdio.h>
        int main(int argc, char **argv) { printf("installed cc: %s %d\\n", argv[1], argc); return 3; }
        """

    /// `make install-files PREFIX=prefix` with the binary under test.
    static func install(into prefix: URL) throws -> GuestRun {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["make", "-s", "-C", Guest.root.path, "install-files", "PREFIX=\(prefix.path)", "INSTALL_BIN=\(Guest.binary)"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return GuestRun(status: p.terminationStatus, stdout: text, stderr: "", timedOut: false)
    }

    static func copy(_ from: URL, to: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/cp")
        p.arguments = ["-a", from.path, to.path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    @Test(.timeLimit(.minutes(5)))
    func aCopiedPrefixRunsAndCompilesWithTheCheckoutOutOfReach() throws {
        let tmp = try CommandLineRun.temporaryDirectory("install")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let prefix = tmp.appendingPathComponent("prefix")
        let installed = try InstallTests.install(into: prefix)
        #expect(installed.status == 0, "\(installed)")
        // Moved elsewhere, the original removed: nothing can lean on the install path either.
        let moved = tmp.appendingPathComponent("elsewhere/copy")
        try FileManager.default.createDirectory(at: moved.deletingLastPathComponent(), withIntermediateDirectories: true)
        try InstallTests.copy(prefix, to: moved)
        try FileManager.default.removeItem(at: prefix)
        let work = tmp.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let bin = moved.appendingPathComponent("bin/pebblebed").path
        let env = CommandLineRun.bareEnvironment
        let share = moved.appendingPathComponent("share/pebblebed").path

        let version = try CommandLineRun.launch(bin, ["--version"], environment: env, directory: work)
        #expect(version.status == 0 && version.stdout.hasPrefix("pebblebed "), "\(version)")
        #expect(version.stdout.contains("data directory: \(share) (installed beside \(bin))"), "\(version)")
        #expect(version.stdout.contains("RAM disk: \(share)/ramdisk"), "\(version)")

        let hello = try CommandLineRun.launch(bin, ["run", "hello", "a"], environment: env, directory: work)
        #expect(hello.status == 0 && hello.stdout.contains("Hello from a Pebbles guest!") && hello.stdout.contains("argv[1] = a"), "\(hello)")

        try InstallTests.program.write(to: work.appendingPathComponent("mine.c"), atomically: true, encoding: .utf8)
        let cc = try CommandLineRun.launch(bin, ["cc", "mine.c", "-o", "mine"], environment: env, directory: work)
        #expect(cc.status == 0, "\(cc)")
        let mine = try CommandLineRun.launch(bin, ["run", "./mine", "x"], environment: env, directory: work)
        #expect(mine.status == 3 && mine.stdout.contains("installed cc: x 2"), "\(mine)")

        // The wrapper on PATH (PREFIX/bin/pebbles-cc, a link) finds its files through the link.
        let direct = try CommandLineRun.launch(moved.appendingPathComponent("bin/pebbles-cc").path, ["-c", "mine.c", "-o", "mine.o"],
                                               environment: env, directory: work)
        #expect(direct.status == 0, "\(direct)")

        // Nothing installed that a program reads names the checkout, and nothing links out.
        let checkout = Guest.root.path
        for text in ["bin/pebbles-cc", "include/syscall.h"] {
            let contents = try String(contentsOfFile: share + "/" + text, encoding: .utf8)
            #expect(!contents.contains(checkout), "\(text) names the checkout")
        }
        let include = try FileManager.default.attributesOfItem(atPath: share + "/include")
        #expect(include[.type] as? FileAttributeType == .typeDirectory, "include/ is copied, not a link")
    }

    @Test(.timeLimit(.minutes(3)))
    func aLoneCopiedBinarySaysHowToInstallAndHonoursPebblebedHome() throws {
        let tmp = try CommandLineRun.temporaryDirectory("lone")
        defer { try? FileManager.default.removeItem(at: tmp) }
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent("bin"), withIntermediateDirectories: true)
        let bin = tmp.appendingPathComponent("bin/pebblebed").path
        // Copied by a cp process, not by this one: a copy written here has its file open for
        // writing while other tests' threads fork (for their guests), and a child forked then
        // holds that descriptor until it execs: running the copy failed with ETXTBSY ("Text
        // file busy", seen once in CI).
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/bin/cp")
        cp.arguments = [Guest.binary, bin]
        try cp.run()
        cp.waitUntilExit()
        try #require(cp.terminationStatus == 0, "cp \(Guest.binary) \(bin) failed")
        let env = CommandLineRun.bareEnvironment

        let run = try CommandLineRun.launch(bin, ["run", "hello"], environment: env, directory: tmp)
        #expect(run.status == 2 && run.stderr.contains("no RAM disk: ") && run.stderr.contains("make install PREFIX=DIR"), "\(run)")
        try "int main(void) { return 0; }\n".write(to: tmp.appendingPathComponent("p.c"), atomically: true, encoding: .utf8)
        let cc = try CommandLineRun.launch(bin, ["cc", "p.c", "-o", "p"], environment: env, directory: tmp)
        #expect(cc.status == 2 && cc.stderr.contains("cc: no compiler wrapper") && cc.stderr.contains("PEBBLEBED_HOME"), "\(cc)")

        // $PEBBLEBED_HOME names a data directory (here the checkout's build tree).
        var home = env
        home["PEBBLEBED_HOME"] = Guest.root.path + "/build"
        let version = try CommandLineRun.launch(bin, ["--version"], environment: home, directory: tmp)
        #expect(version.stdout.contains("data directory: \(Guest.root.path)/build ($PEBBLEBED_HOME)"), "\(version)")
        let hello = try CommandLineRun.launch(bin, ["run", "hello"], environment: home, directory: tmp)
        #expect(hello.status == 0 && hello.stdout.contains("Hello from a Pebbles guest!"), "\(hello)")

        // $PEBBLEBED_RAMDISK naming nothing says so, as a load error.
        var bad = env
        bad["PEBBLEBED_RAMDISK"] = tmp.appendingPathComponent("nope").path
        let missing = try CommandLineRun.launch(bin, ["run", "hello"], environment: bad, directory: tmp)
        #expect(missing.status == 2 && missing.stderr.contains("$PEBBLEBED_RAMDISK \(tmp.path)/nope: no such directory"), "\(missing)")
    }
}
