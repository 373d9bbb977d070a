/// Console calls: print, set_term_color, set_cursor_pos, get_cursor_pos (the device is
/// Devices/Console).
extension Kernel {
    static let maxPrint = 1 << 20

    func printCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let size = a.signed(0)
        guard size >= 0, size <= Kernel.maxPrint else { throw .invalidArgument }
        let bytes = try a.space.copyIn(a.packet[1], count: Int(size))
        consoleWrite(bytes)
        return .value(0)
    }

    func setTermColorCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let console = try attachedConsole()
        do throws(ConsoleError) {
            try console.setTermColor(Int(a.signedESI))
        } catch {
            throw error.pebblesError
        }
        return .value(0)
    }

    func setCursorPosCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let console = try attachedConsole()
        do throws(ConsoleError) {
            try console.setCursorPos(row: Int(a.signed(0)), column: Int(a.signed(1)))
        } catch {
            throw error.pebblesError
        }
        console.flush()
        return .value(0)
    }

    func getCursorPosCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let console = try attachedConsole()
        // Both pointers are checked before either is written: all or nothing.
        try a.space.validate(a.packet[0], count: 4, write: true)
        try a.space.validate(a.packet[1], count: 4, write: true)
        let cursor = console.getCursorPos()
        try a.space.writeWord(UInt32(cursor.row), to: a.packet[0])
        try a.space.writeWord(UInt32(cursor.column), to: a.packet[1])
        return .value(0)
    }

    /// The console, if the machine has one (a machine in an in-process test may not).
    private func attachedConsole() throws(PebblesError) -> Console {
        guard let devices else { throw .noSuchCall }
        return devices.console
    }
}
