import CShims
import Glibc

/// Wiring of the console and keyboard into the kernel: hooks, system calls, terminal restore.
extension Kernel {
    /// Installs the devices. Call during boot after `pb_machine_init` (the SIGIO handler must
    /// exist before stdin raises SIGIO).
    func installDevices() throws(BootError) {
        let devices = TerminalDevices(console: Console.forStandardOutput(plain: options.plainConsole))
        let err = pb_terminal_install_exit_handlers()
        guard err == 0 else { throw .host("installing terminal exit handlers", err) }
        shutdownHooks.append {
            devices.console.flush()
            devices.console.stop()
            HostKeys.restoreTerminal()
            KernelLog.releaseHeld()
        }
        // Log lines written into the drawn screen would garble it and vanish with the alternate
        // screen: they wait until the terminal is restored (or go to --log FILE).
        if devices.console.drawsOnTerminal && pb_terminal_is_tty(KernelLog.fd) != 0 {
            KernelLog.held = []
        }
        if devices.console.drawsOnTerminal { warnIfTerminalIsSmall() }
        do { _ = try HostKeys.open() } catch {
            throw .host("opening standard input as the keyboard", error.errno)
        }
        devices.console.start()
        consoleWrite = { bytes in
            devices.console.print(bytes)
            devices.console.flush()
        }
        ioHook = { [unowned self] in keyboardInterrupt(devices) }
        self.devices = devices
    }

    /// The console needs 80x25 cells; a smaller terminal wraps and scrolls the drawing. Said on
    /// the log (held until exit when it shares the terminal), not on the guest's console.
    private func warnIfTerminalIsSmall() {
        var rows: Int32 = 0, columns: Int32 = 0
        guard pb_terminal_window_size(STDOUT_FILENO, &rows, &columns) == 0, rows > 0, columns > 0 else { return }
        if rows < Int32(ConsoleScreen.rowCount) || columns < Int32(ConsoleScreen.columnCount) {
            KernelLog.line("pebblebed: the terminal is \(columns)x\(rows); the console needs 80x25 and was drawn garbled")
        }
    }

    /// The keyboard interrupt: SIGIO only announced input; the kernel reads it into the ring
    /// here, so the ring is filled and emptied by kernel code alone.
    private func keyboardInterrupt(_ devices: TerminalDevices) {
        pb_keyboard_drain()
        if HostKeys.escapeRequested {
            // After the terminal is restored, so the line lands on the user's screen.
            shutdownHooks.append { KernelLog.line("pebblebed: quit from the keyboard (Ctrl-] q)") }
            halt(status: firstTaskStatus ?? firstTask.status)
        }
        devices.wakeHead(scheduler)
    }
}
