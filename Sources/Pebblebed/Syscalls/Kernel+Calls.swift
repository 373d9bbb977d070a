/// System calls that are short enough to live together: exec's argument copying, scheduling
/// calls, readfile, print and lprintf.
extension Kernel {
    static let maxNameLength = 255
    static let maxPrint = 1 << 20

    func execCall(_ a: SyscallArguments) throws(PebblesError) -> Int32? {
        let w = try a.words(2)
        let name = try a.space.readString(w[0], limit: Kernel.maxNameLength)
        var args: [[UInt8]] = []
        var total = 0
        var p = w[1]
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
        return nil
    }

    /// yield: -1 gives way to anyone; a tid must name a thread that can run now (runnable, or
    /// the caller itself). The target is looked up in a helper so that no reference to it stays
    /// on this stack while the caller is switched out.
    func yieldCall(_ t: Thread, target: Int32) throws(PebblesError) -> Int32 {
        if target != -1 {
            guard try prepareYield(from: t, to: target) else { return 0 }
        }
        scheduler.yield()
        return 0
    }

    /// Puts yield's target at the front of the run queue; false if it is the caller.
    private func prepareYield(from t: Thread, to target: Int32) throws(PebblesError) -> Bool {
        guard let other = threads[target] else { throw .notFound }
        if other === t { return false }
        guard other.state == .runnable else { throw .busy }
        scheduler.moveToFront(other)
        return true
    }

    /// deschedule: the check of *reject and the descheduling happen with no other thread
    /// running in between (the kernel is not preemptible), so a make_runnable that follows the
    /// caller's store to *reject cannot be lost.
    func descheduleCall(_ a: SyscallArguments) throws(PebblesError) -> Int32 {
        let reject = try a.space.readWord(a.esi)
        if reject != 0 { return 0 }
        scheduler.deschedule()
        return 0
    }

    func makeRunnableCall(_ tid: Int32) throws(PebblesError) -> Int32 {
        guard let t = threads[tid], t.state == .descheduled else { throw .notFound }
        scheduler.makeRunnable(t)
        return 0
    }

    func sleepCall(_ n: Int32) throws(PebblesError) -> Int32 {
        guard n >= 0 else { throw .invalidArgument }
        guard n > 0 else { return 0 }
        scheduler.sleep(until: ticks + UInt64(n))
        return 0
    }

    func readfileCall(_ a: SyscallArguments) throws(PebblesError) -> Int32 {
        let w = try a.words(4)
        let name = try a.space.readString(w[0], limit: Kernel.maxNameLength)
        let count = Int32(bitPattern: w[2]), offset = Int32(bitPattern: w[3])
        guard count >= 0, offset >= 0 else { throw .invalidArgument }
        guard let file = ramdisk.contents(of: String(decoding: name, as: UTF8.self)) else { throw .notFound }
        guard Int(offset) <= file.count else { throw .invalidArgument }
        let n = min(Int(count), file.count - Int(offset))
        try a.space.copyOut(Array(file[Int(offset)..<Int(offset) + n]), to: w[1])
        return Int32(n)
    }

    func printCall(_ a: SyscallArguments) throws(PebblesError) -> Int32 {
        let w = try a.words(2)
        let size = Int32(bitPattern: w[0])
        guard size >= 0, size <= Kernel.maxPrint else { throw .invalidArgument }
        let bytes = try a.space.copyIn(w[1], count: Int(size))
        consoleWrite(bytes)
        return 0
    }

    func lprintfCall(_ a: SyscallArguments) throws(PebblesError) -> Int32 {
        let w = try a.words(2)
        let size = Int32(bitPattern: w[0])
        guard size >= 0, size <= 4096 else { throw .invalidArgument }
        var bytes = try a.space.copyIn(w[1], count: Int(size))
        while bytes.last == 10 || bytes.last == 0 { bytes.removeLast() }
        logGuestLine(a.thread, String(decoding: bytes, as: UTF8.self))
        return 0
    }
}

extension Kernel {
    /// misbehave: selects a scheduling policy (Scheduler/README.md); unknown modes are ignored.
    func misbehave(_ mode: Int32) {
        if let p = SchedulingPolicy(mode: mode) { scheduler.policy = p }
    }
}
