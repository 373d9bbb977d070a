import Glibc

/// Wiring of the console and keyboard into the kernel: hooks, system calls, terminal restore.
extension Kernel {
    /// Installs the devices. Call during boot after the machine is made (its SIGIO handler must
    /// exist before stdin raises SIGIO).
    func installDevices() throws(BootError) {
        let devices = TerminalDevices(console: Console.forStandardOutput(plain: options.plainConsole))
        let err = HostTerminal.installExitHandlers()
        guard err == 0 else { throw .host("installing terminal exit handlers", err) }
        shutdownHooks.append {
            devices.console.flush()
            devices.console.stop()
            HostKeys.restoreTerminal()
            KernelLog.releaseHeld()
            KernelLog.noteDropped()
        }
        // Log lines written into the drawn screen would garble it and vanish with the alternate
        // screen: they wait until the terminal is restored (or go to --log FILE).
        if devices.console.drawsOnTerminal && HostTerminal.isTerminal(KernelLog.fd) {
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
        guard let (rows, columns) = HostTerminal.windowSize(STDOUT_FILENO) else { return }
        if rows < ConsoleScreen.rowCount || columns < ConsoleScreen.columnCount {
            KernelLog.line("pebblebed: the terminal is \(columns)x\(rows); the console needs 80x25 and was drawn garbled")
        }
    }

    /// The keyboard interrupt: SIGIO only announced input; the kernel reads it into the ring
    /// here, so the ring is filled and emptied by kernel code alone. A line that keeps raising
    /// SIGIO with nothing to read is masked (HostKeys.serviceInterrupt), as a kernel disables a
    /// screaming IRQ line, so it cannot starve the guests; its readers then poll once a tick.
    private func keyboardInterrupt(_ devices: TerminalDevices) {
        if HostKeys.serviceInterrupt() {
            KernelLog.line("pebblebed: standard input raised \(HostKeys.unserved) keyboard interrupts with nothing to read; "
                           + "masked it (SIGIO off): readers now look for input once a tick")
        }
        if HostKeys.escapeRequested {
            // After the terminal is restored, so the line lands on the user's screen.
            shutdownHooks.append { KernelLog.line("pebblebed: quit from the keyboard (Ctrl-] q)") }
            halt(status: firstTaskStatus ?? firstTask.status)
        }
        devices.wakeHead(scheduler)
    }
}
