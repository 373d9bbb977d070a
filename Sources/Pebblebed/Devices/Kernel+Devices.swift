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
        // screen: they wait until the terminal is restored (or go to --log FILE); the monitor's
        // `log` shows them meanwhile, and without --log they also go to ./pebblebed.log.
        if devices.console.drawsOnTerminal && HostTerminal.isTerminal(KernelLog.fd) {
            KernelLog.held = []
            KernelLog.keepsHiddenLog = true
        }
        if devices.console.drawsOnTerminal {
            warnIfTerminalIsSmall()
            // A resize raises the keyboard interrupt, whose service redraws (keyboardInterrupt).
            let err = HostTerminal.watchResize()
            guard err == 0 else { throw .host("watching the terminal's size", err) }
        }
        // The monitor's `log` reads the history; with the console drawn, it is the only place
        // the log can be seen during the run.
        KernelLog.keepsHistory = true
        let input: HostKeys.InputKind
        do { input = try HostKeys.open() } catch {
            throw .host("opening standard input as the keyboard", error.errno)
        }
        devices.console.start()
        if options.consoleBanner && input == .terminal {
            // The first screen names the host key (the keys work only when a person types).
            devices.console.print(Array("Pebblebed: Ctrl-] c opens the monitor, Ctrl-] q quits, Ctrl-] h lists the keys\n".utf8))
            devices.console.flush()
        }
        consoleWrite = { bytes in
            devices.console.print(bytes)
            devices.console.flush()
        }
        ioHook = { [unowned self] in keyboardInterrupt(devices) }
        self.devices = devices
    }

    /// Where the console's text goes as a stream (KernelLog.echo): stdout, passed through (the
    /// plain writer, or a console that does not draw); -1 when the console draws a screen.
    var consoleStream: Int32 {
        devices.map { $0.console.drawsOnTerminal ? -1 : STDOUT_FILENO } ?? STDOUT_FILENO
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
    /// Then the host keys the drain set aside (Devices/Monitor): a resize, the monitor's keys,
    /// Ctrl-C for the foreground task, scrollback paging. All of it runs here, in kernel
    /// context; the drain only sorted bytes.
    private func keyboardInterrupt(_ devices: TerminalDevices) {
        if HostKeys.serviceInterrupt() {
            KernelLog.line("pebblebed: standard input raised \(HostKeys.unserved) keyboard interrupts with nothing to read; "
                           + "masked it (SIGIO off): readers now look for input once a tick")
        }
        if HostTerminal.takeResize() { devices.console.terminalResized() }
        serveHostKeys(devices)
        devices.wakeHead(scheduler)
    }
}
