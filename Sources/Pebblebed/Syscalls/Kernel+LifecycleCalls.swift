/// Life-cycle calls: fork, exec, wait, set_status, vanish, task_vanish. The work is in
/// Tasks/Kernel+Lifecycle.swift; these decode arguments and say how the call ends.
extension Kernel {
    static let maxNameLength = 255

    /// exec(name, argv): copies the name and every argument in through validated user memory
    /// (name <= 255 bytes, <= 1024 arguments, <= 128 KiB in all) before anything changes.
    func execCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let name = try a.space.readString(a.packet[0], limit: Kernel.maxNameLength)
        var args: [[UInt8]] = []
        var total = 0
        var p = a.packet[1]
        while true {
            let s = try a.space.readWord(p)
            if s == 0 { break }
            guard args.count < ProgramLoader.maxArguments else { throw .argumentsTooLong }
            let arg = try a.space.readString(s, limit: ProgramLoader.maxArgumentBytes - total)
            total += arg.count + 1
            args.append(arg)
            p &+= 4
        }
        try exec(a.thread, name: String(decoding: name, as: UTF8.self), arguments: args)
        return .registersSet
    }

    func setStatus(_ t: Thread, _ status: Int32) -> SyscallOutcome {
        t.task.status = status
        return .value(0)
    }

    /// vanish: the thread ends on its way back to user mode (its kernel loop returns).
    func vanishCall(_ t: Thread) -> SyscallOutcome {
        t.mustExit = true
        return .noReturn
    }
}
