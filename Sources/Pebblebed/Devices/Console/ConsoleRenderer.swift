import Glibc

/// Draws the console on the host. The console calls `printed` with every byte a guest prints
/// (and every echo), and `flush` at most once per print system call or echo batch, so a
/// renderer can choose between replaying bytes and redrawing the model.
public protocol ConsoleRenderer: AnyObject {
    /// Takes over the host output (e.g. switches to the alternate screen) and draws the screen.
    func start(_ screen: inout ConsoleScreen)
    /// Bytes as the guest printed them, before the model interpreted them.
    func printed(_ bytes: [UInt8])
    /// Brings the host output up to date with the screen, consuming its damage.
    func flush(_ screen: inout ConsoleScreen)
    /// Gives the host output back (leaves the alternate screen, shows the cursor).
    func stop(_ screen: ConsoleScreen)
}

/// Where a renderer's bytes go: standard output in the emulator, a recorder in tests.
public protocol ConsoleOutput: AnyObject {
    func write(_ bytes: [UInt8])
    /// Bytes that must reach the output however the emulator ends (panic, signal, escape):
    /// handed to the C restore path, which writes them once.
    func setExitSequence(_ bytes: [UInt8])
}

/// The emulator's standard output, written with `HostTerminal.writeAll` so a short write or an
/// EAGAIN (stdout may share the non-blocking open file of a tty stdin) loses nothing.
public final class StandardOutput: ConsoleOutput {
    public init() {}

    public var isTerminal: Bool { HostTerminal.isTerminal(STDOUT_FILENO) }

    public func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        // A failing stdout (closed pipe) cannot be reported anywhere useful: drop the output.
        HostTerminal.writeAll(STDOUT_FILENO, bytes)
    }

    public func setExitSequence(_ bytes: [UInt8]) {
        HostTerminal.setExitSequence(bytes)
    }
}

/// For stdout that is a pipe or a file: the printed bytes go out unchanged, so scripts and tests
/// read the program's output directly. Cursor and color calls change only the model.
public final class PassthroughRenderer: ConsoleRenderer {
    private let output: ConsoleOutput
    private var pending: [UInt8] = []

    public init(output: ConsoleOutput) {
        self.output = output
    }

    public func start(_ screen: inout ConsoleScreen) {}

    public func printed(_ bytes: [UInt8]) {
        pending.append(contentsOf: bytes)
    }

    public func flush(_ screen: inout ConsoleScreen) {
        _ = screen.takeDamage()
        guard !pending.isEmpty else { return }
        output.write(pending)
        pending.removeAll(keepingCapacity: true)
    }

    public func stop(_ screen: ConsoleScreen) {}
}
