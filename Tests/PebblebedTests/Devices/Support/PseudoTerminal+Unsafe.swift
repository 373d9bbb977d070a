import CShims
import Glibc

/// A pseudo-terminal with a program on its slave side, for tests that drive the real binary the
/// way a person at a terminal would: type bytes, read what the program draws, check the
/// terminal's settings. The test owns the master side. CI has no terminal, so tests make this.
final class PseudoTerminal {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let master: Int32
    let slavePath: String
    private(set) var child: pid_t = 0
    /// Everything the program wrote so far.
    private(set) var received: [UInt8] = []

    init(rows: Int = 25, columns: Int = 80) throws {
        var name = [CChar](repeating: 0, count: 128)
        master = pb_terminal_open_pty(&name, name.count)
        guard master >= 0 else { throw Failure(description: "no pseudo-terminal: errno \(errno)") }
        slavePath = String(cString: name)
        _ = pb_terminal_set_window_size(master, Int32(rows), Int32(columns))
    }

    deinit {
        if child > 0 {
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
        close(master)
    }

    /// Starts `path` in a new session whose controlling terminal is the slave, with the slave as
    /// stdin, stdout and stderr.
    func spawn(_ path: String, arguments: [String], environment: [String: String] = [:]) throws {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        // POSIX_SPAWN_SETSID (glibc, not visible to Swift): the child leads a new session, so
        // opening the slave afterwards makes it the child's controlling terminal.
        posix_spawnattr_setflags(&attributes, 0x80)
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var merged = ProcessEnvironment.current
        merged.merge(environment) { $1 }
        let status = withCStrings([path] + arguments) { argv in
            withCStrings(merged.map { "\($0)=\($1)" }) { envp in
                // Safety: argv and envp are NULL-terminated arrays of strings that live until
                // posix_spawn returns, which copies them into the child.
                posix_spawn(&child, path, &actions, &attributes, argv, envp)
            }
        }
        guard status == 0 else { throw Failure(description: "posix_spawn \(path): \(status)") }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        _ = pb_terminal_write_all(master, bytes, bytes.count)
    }

    /// Reads output until `done` holds for everything received, the program closes the
    /// terminal, or `seconds` pass. Returns whether `done` held.
    @discardableResult
    func read(seconds: Double = 10, until done: ([UInt8]) -> Bool) -> Bool {
        let deadline = monotonicSeconds() + seconds
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !done(received) {
            let left = deadline - monotonicSeconds()
            guard left > 0 else { return false }
            var wait = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&wait, 1, Int32(left * 1000) + 1) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { raw in
                // Safety: the buffer outlives the call and read writes at most its size.
                Glibc.read(master, raw.baseAddress, raw.count)
            }
            if count <= 0 { return done(received) }  // EIO: every slave descriptor is closed
            received.append(contentsOf: buffer[0..<count])
        }
        return true
    }

    /// Sends a signal to the program this terminal started.
    func signal(_ number: Int32) throws {
        guard child > 0, kill(child, number) == 0 else { throw Failure(description: "kill: \(errno)") }
    }

    /// Waits for the program to exit; its exit code, or nil if it did not within `seconds`.
    func waitForExit(seconds: Double = 10) -> Int32? {
        let deadline = monotonicSeconds() + seconds
        var status: Int32 = 0
        while monotonicSeconds() < deadline {
            let pid = waitpid(child, &status, WNOHANG)
            if pid == child {
                child = 0
                // Collect what it wrote before exiting: reading stops at EIO once the output
                // buffered in the terminal is consumed and no slave descriptor is left.
                _ = read(seconds: 2) { _ in false }
                // WIFEXITED/WEXITSTATUS are macros Swift cannot see.
                return status & 0x7F == 0 ? (status >> 8) & 0xFF : -(status & 0x7F)
            }
            _ = read(seconds: 0.05) { _ in false }
        }
        return nil
    }

    /// The terminal's settings as the slave side sees them (Linux answers termios requests on
    /// the master for the slave).
    func attributes() throws -> termios {
        var settings = termios()
        guard tcgetattr(master, &settings) == 0 else { throw Failure(description: "tcgetattr: \(errno)") }
        return settings
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies + [nil])
}

private func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

enum ProcessEnvironment {
    static var current: [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }
}

/// Compares the fields of two termios values that raw mode changes.
func sameTerminalSettings(_ a: termios, _ b: termios) -> Bool {
    a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag && a.c_cflag == b.c_cflag && a.c_lflag == b.c_lflag
        && withUnsafeBytes(of: a.c_cc) { x in withUnsafeBytes(of: b.c_cc) { y in x.elementsEqual(y) } }
}
