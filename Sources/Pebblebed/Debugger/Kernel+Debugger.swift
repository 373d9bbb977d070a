/// Boot-time wiring of the gdb stub. The kernel loop's hooks are in Kernel+Loop.swift.
extension Kernel {
    /// Opens the stub's socket (or takes the one `pebblebed run --gdb` made); gdb connects at
    /// the first thread's first run.
    func setUpDebugger() throws(BootError) {
        var listener = options.gdbListenFD
        if listener == nil, let port = options.gdbPort {
            switch GDBConnection.listen(port: port) {
            case .success(let fd): listener = fd
            case .failure(let e): throw .config(e.description)
            }
        }
        guard let listener else { return }
        debugger = Debugger(kernel: self, listener: listener)
    }

    /// A listening socket for gdb on 127.0.0.1:`port` (0: any free port), for the CLI's --gdb.
    public static func listenForGDB(port: UInt16) throws(BootError) -> (fd: Int32, port: UInt16) {
        switch GDBConnection.listen(port: port) {
        case .success(let fd): return (fd, GDBConnection.boundPort(fd) ?? port)
        case .failure(let e): throw .config(e.description)
        }
    }
}
