/// Miscellaneous calls: readfile, halt, misbehave.
extension Kernel {
    func readfileCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let name = try a.space.readString(a.packet[0], limit: Kernel.maxNameLength)
        let count = a.signed(2), offset = a.signed(3)
        guard count >= 0, offset >= 0 else { throw .invalidArgument }
        guard let file = ramdisk.contents(of: String(decoding: name, as: UTF8.self)) else { throw .notFound }
        guard Int(offset) <= file.count else { throw .invalidArgument }
        let n = min(Int(count), file.count - Int(offset))
        try a.space.copyOut(Array(file[Int(offset)..<Int(offset) + n]), to: a.packet[1])
        return .value(Int32(n))
    }

    /// halt: the machine stops; the host exit status is the first task's.
    func haltCall() -> SyscallOutcome {
        halt(status: firstTaskStatus ?? firstTask.status)
    }

    /// misbehave: selects a scheduling policy (Scheduler/README.md); unknown modes are ignored.
    func misbehave(_ mode: Int32) -> SyscallOutcome {
        if let p = SchedulingPolicy(mode: mode) { scheduler.policy = p }
        return .value(0)
    }
}
