/// Thread calls: thread_fork, gettid (in the table), yield, deschedule, make_runnable,
/// get_ticks, sleep, swexn.
extension Kernel {
    /// yield: -1 gives way to anyone; a tid must name a thread that can run now (runnable, or
    /// the caller itself, which then just goes on).
    func yieldCall(_ t: Thread, target: Int32) throws(PebblesError) -> SyscallOutcome {
        if target != -1 {
            // In its own scope: the target may run and end before the caller runs again, and a
            // reference left here would keep the ended thread alive until then.
            guard let other = threads[target] else { throw .notFound }
            if other === t { return .value(0) }
            guard other.state == .runnable else { throw .busy }
            scheduler.moveToFront(other)
        }
        scheduler.yield()
        return .value(0)
    }

    /// deschedule: the check of *reject and the descheduling happen with no other thread
    /// running in between (the kernel is not preemptible), so a make_runnable that follows the
    /// caller's store to *reject cannot be lost.
    func descheduleCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let reject = try a.space.readWord(a.esi)
        if reject != 0 { return .value(0) }
        scheduler.deschedule()
        return .value(0)
    }

    func makeRunnableCall(_ tid: Int32) throws(PebblesError) -> SyscallOutcome {
        guard let t = threads[tid], t.state == .descheduled else { throw .notFound }
        scheduler.makeRunnable(t)
        return .value(0)
    }

    func sleepCall(_ n: Int32) throws(PebblesError) -> SyscallOutcome {
        guard n >= 0 else { throw .invalidArgument }
        if n > 0 { scheduler.sleep(until: ticks + UInt64(n)) }
        return .value(0)
    }

    /// swexn(esp3, eip, arg, newureg): with a new ureg the registers are the ureg's.
    func swexnCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        let p = a.packet
        let adopted = try swexn(a.thread, esp3: p[0], eip: p[1], arg: p[2], newureg: p[3])
        return adopted ? .registersSet : .value(0)
    }
}
