/// The kernel's side of data-race detection (RaceDetector): tracked accesses through page
/// faults, and the synchronisation seen at preemption points.
extension Kernel {
    /// A page fault in a race-detection run. Tracked accesses are recorded, the instruction
    /// is stepped with its page shown, and every page is withdrawn again so the next access
    /// faults too. Returns false when the fault is not one of these (a real fault, or one met
    /// while stepping): the normal path serves it.
    func raceFault(_ t: Thread, address: UInt32, write: Bool) -> Bool {
        guard let p = points, let d = p.races, !p.raceStepping else { return false }
        let space = t.task.space
        // Only data: text and other read-only pages fault in as usual (and stay).
        let e = space.table[address >> pageShift]
        guard e.isPresent, e.flags.contains(.writable) else { return false }
        guard space.handleFault(at: address, write: write) != .violation else { return false }
        // The thread's own frame is not shared: near its stack pointer, just show the page.
        let esp = t.frame.esp
        if address &- esp < 0x4000 || esp &- address < 0x4000 { return true }
        // A locked instruction (lock prefix, xchg with memory) is the program's own
        // synchronisation: an atomic access does not race.
        let opcode = (try? space.copyIn(t.frame.eip, count: 1).first) ?? 0
        if opcode == 0xF0 || opcode == 0x87 || opcode == 0x86 {
            if !d.isLibrary(t.frame.eip) { d.atomic(t.tid, address: address) }
        } else {
            d.access(t.tid, address: address, write: write, eip: t.frame.eip)
        }
        p.raceStepping = true
        machine.setStepping(true)
        let eip = t.frame.eip
        stepping: while !t.mustExit {
            machine.stepBudget = 1
            let trap = machine.run(t)
            switch trap {
            case .step:
                break stepping
            case .pageFault(let a, let w, let outside):
                // The same instruction touches another page (or the same one, now for writing).
                if !outside && space.handleFault(at: a, write: w) != .violation && t.frame.eip == eip { continue }
                handle(trap, from: t)
                break stepping
            case .timer, .io:
                handle(trap, from: t)
                if t.frame.eip == eip { continue }
                break stepping
            default:
                // A trap of the stepped instruction itself (a system call, a breakpoint): it
                // is served by the kernel loop, as usual, when it is taken again.
                break stepping
            }
        }
        machine.setStepping(false)
        p.raceStepping = false
        // The fault showed a run of up to 16 pages each side (fault-around): take them back.
        let page = address >> pageShift
        withdrawWritable(space, pages: (page > 32 ? page - 32 : 0)...(page + 32))
        return true
    }

    /// Withdraws the writable pages of `space` in `range` (all of them by default) from the
    /// host, so that their next access faults; text stays shown.
    func withdrawWritable(_ space: AddressSpace, pages range: ClosedRange<UInt32> = 0...0xFFFFF) {
        var runs: [(UInt32, Int)] = []
        space.table.forEachPresent { q, e in
            guard range.contains(q), e.flags.contains(.writable), e.flags.contains(.inHost) else { return }
            if let last = runs.last, last.0 + UInt32(last.1) == q { runs[runs.count - 1].1 += 1 } else { runs.append((q, 1)) }
        }
        for (first, count) in runs { space.withdrawFromHost(first, count: count) }
    }

    /// The synchronisation a point means for happens-before (see RaceDetector). Only calls
    /// the program itself makes count: the thread library's own locks (the thread list, the
    /// heap) order every thread after every other and would hide every race of a run.
    func raceSync(at trap: Trap, _ t: Thread, function: String?, caller: UInt32) {
        guard let p = points, let d = p.races else { return }
        let arg = { (n: UInt32) in (try? t.task.space.readWord(t.frame.esp &+ 4 * n)) ?? 0 }
        let fromProgram = !d.isLibrary(caller)
        switch trap {
        case .breakpoint where fromProgram:
            switch function {
            case "mutex_unlock", "cond_signal", "cond_broadcast", "sem_signal", "rwlock_unlock":
                d.settle(t.tid)
                d.release(t.tid, "obj \(arg(1))")
            case "mutex_lock", "sem_wait", "rwlock_lock":
                // Taken at the thread's next access of its own: by then it holds the lock.
                d.acquireLater(t.tid, "obj \(arg(1))")
            case "cond_wait":
                // Releases the mutex, then takes it again after a signal.
                d.settle(t.tid)
                d.release(t.tid, "obj \(arg(2))")
                d.acquireLater(t.tid, "obj \(arg(1))")
                d.acquireLater(t.tid, "obj \(arg(2))")
            case "thr_join":
                d.acquireLater(t.tid, "exit \(Int32(bitPattern: arg(1)))")
            default:
                break
            }
        case .syscall(let v):
            switch v {
            case 0x52: d.threadWillFork(t.tid, childTid: nextTid)   // thread creation, always
            case 0x60, 0x57:
                d.settle(t.tid)
                d.release(t.tid, "exit \(t.tid)")
            case 0x47 where fromProgram:
                d.settle(t.tid)
                d.release(t.tid, "wake \(Int32(bitPattern: t.frame.esi))")
            case 0x46 where fromProgram:
                d.kernelRead(t.tid, address: t.frame.esi)   // *reject (RaceDetector.kernelRead)
                d.acquireLater(t.tid, "wake \(t.tid)")
            default: break
            }
        default:
            break
        }
        // Every point may hand the CPU to another thread of the task: it must fault on its
        // first access of every data page again.
        withdrawWritable(t.task.space)
    }
}
