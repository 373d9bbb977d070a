/// A debug-only way for a guest to make the kernel fail (`--debug-panic-vector`), so that tests
/// can check the panic path end to end: the report, the terminal restore and exit code 70.
/// Never registered unless asked for; without it vector 0x8F is an unknown call like any other.
extension Kernel {
    /// What the trigger does, chosen by the guest in %esi.
    enum DebugPanicMode: Int32 {
        case invariant = 0      // kernelPanic: a broken invariant
        case badPointer = 1     // a read through a bad pointer: SIGSEGV in kernel mode
        case swiftTrap = 2      // a Swift runtime trap (fatalError): SIGILL in kernel mode
        case stackOverflow = 3  // unbounded recursion into the kernel stack's guard page
        case assertion = 4      // a real invariant check (kernelAssert) that fails
    }

    /// The debug_panic row of the system-call table: an unknown call unless the machine was
    /// booted with `--debug-panic-vector`.
    func debugPanicCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        guard options.debugPanicVector else { throw .noSuchCall }
        guard let mode = DebugPanicMode(rawValue: a.signedESI) else { throw .invalidArgument }
        KernelLog.line("pebblebed: debug panic vector, mode \(mode), from thread \(a.thread.tid)")
        switch mode {
        case .invariant: kernelPanic("debug panic vector: invariant broken on purpose")
        case .badPointer: return .value(Kernel.debugReadBadPointer())
        case .swiftTrap: fatalError("debug panic vector: Swift trap on purpose")
        case .stackOverflow: return .value(Kernel.debugRecurse(1))
        case .assertion:
            // The running thread is not on the run queue: making it runnable breaks the
            // scheduler's invariant, which must stop the machine in every build.
            scheduler.makeRunnable(a.thread)
            return .value(0)
        }
    }

    /// Each level keeps a buffer live so the recursion eats the kernel stack quickly.
    private static func debugRecurse(_ depth: Int32) -> Int32 {
        var pad = (0..<64).map { Int32($0) &+ depth }
        if depth < Int32.max { pad[Int(depth) & 63] = debugRecurse(depth &+ 1) }
        return pad.reduce(0, &+)
    }
}
