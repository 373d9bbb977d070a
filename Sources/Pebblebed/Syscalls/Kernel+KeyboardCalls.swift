/// Keyboard calls: getchar and readline. Readers queue in arrival order (TerminalDevices), the
/// head reader blocks until a keyboard interrupt brings bytes, and input that has ended halts
/// the machine.
extension Kernel {
    /// The largest readline buffer; larger sizes are "unreasonable" (the ABI's word).
    static let maxReadline = 4096

    func getcharCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let devices = try attachedKeyboard()
        let byte = try serveReader(a.thread, devices) { devices.keyboard.getchar() }
        return .value(Int32(byte))
    }

    func readlineCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let devices = try attachedKeyboard()
        let size = a.signed(0), buffer = a.packet[1]
        guard size >= 0, size <= Kernel.maxReadline else { throw .invalidArgument }
        guard size > 0 else { return .value(0) }
        // Checked before any key is consumed, so a bad buffer never loses typed input.
        try a.space.validate(buffer, count: Int(size), write: true)
        let line = try serveReader(a.thread, devices) {
            devices.keyboard.readline(size: Int(size), echoingTo: devices.console)
        }
        // If a sibling thread unmapped the buffer while this one was blocked, copyOut says so.
        try a.space.copyOut(line, to: buffer)
        return .value(Int32(line.count))
    }

    private func attachedKeyboard() throws(PebblesError) -> TerminalDevices {
        guard let devices else { throw .noSuchCall }
        return devices
    }

    /// Queues `t` as a keyboard reader and runs `attempt` each time it is the head reader and
    /// input may have arrived, until it yields a value.
    private func serveReader<Value: Equatable>(_ t: Thread, _ devices: TerminalDevices,
                                    _ attempt: () -> KeyboardRead<Value>) throws(PebblesError) -> Value {
        devices.arrive(t)
        defer { devices.leave(t, scheduler: scheduler) }
        while true {
            if t.mustExit { throw .busy }  // killed while waiting: it vanishes on the way out
            if devices.head === t {
                switch attempt() {
                case .ready(let value): return value
                case .endOfInput: endOfInput(devices)
                case .wait: break
                }
            }
            devices.console.flush()
            if devices.head === t && HostKeys.needsPolling {
                if HostKeys.neverWaits {
                    scheduler.yield()  // a file never raises SIGIO; its bytes are read on demand
                } else {
                    // A masked line: nothing announces input any more; look again next tick.
                    scheduler.sleep(until: ticks + 1)
                }
            } else {
                scheduler.block(in: devices.waiting)
            }
        }
    }

    /// A reader waits for input that can never come: halt the machine cleanly (README). If the
    /// first task had already exited, its status stands; otherwise the program did not finish,
    /// and the exit code says so (`endOfInputExit`), not a status it never returned.
    private func endOfInput(_ devices: TerminalDevices) -> Never {
        shutdownHooks.append { KernelLog.line("pebblebed: end of input with a reader waiting; halting") }
        halt(status: firstTaskStatus ?? endOfInputExit)
    }
}

/// Host exit code when input ended while the first task was still running and a reader waited:
/// the program did not finish (issue 17, 9).
public let endOfInputExit: Int32 = 72
