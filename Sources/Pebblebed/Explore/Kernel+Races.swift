/// The kernel's side of data-race detection (RaceDetector): tracked accesses through page
/// faults, carried out by the kernel (AccessEmulation) or stepped, and the synchronisation
/// seen at preemption points.
extension Kernel {
    /// A page fault in a race-detection run. Tracked accesses are recorded, then carried out:
    /// by the kernel when the instruction is a simple one (AccessEmulation; its page stays
    /// withdrawn), else stepped with its page shown, after which the pages shown meanwhile
    /// are withdrawn again, so that the next access faults too. Returns false when the fault
    /// is not one of these (a real fault, or one met while stepping): the normal path serves it.
    func raceFault(_ t: Thread, address: UInt32, write: Bool) -> Bool {
        guard let p = points, let d = p.races, !p.raceStepping else { return false }
        let space = t.task.space
        // Only data: text and other read-only pages fault in as usual (and stay).
        let e = space.table[address >> pageShift]
        guard address >= GuestLayout.userStart, e.isPresent, e.flags.contains(.writable) else { return false }
        // Shown already and still faulting: the host disagrees with the table (handleFault
        // calls that a violation); the normal path reports it.
        guard !e.flags.contains(.inHost) || write && !e.flags.contains(.hostWritable) else { return false }
        if space.watchShown == nil { withdrawWritable(space) }   // a task forked since the last point
        // The thread's own frame is not shared: near its stack pointer, just show the page
        // (until the next point: another thread must fault on it).
        let esp = t.frame.esp
        if Self.ownFrame(address, esp, space) { return space.handleFault(at: address, write: write) != .violation }
        let mark = space.watchShown?.count ?? 0
        defer { withdrawShown(space, from: mark) }
        let eip = t.frame.eip
        let code = instructionBytes(space, at: eip)
        // A locked instruction (lock prefix, xchg with memory) is the program's own
        // synchronisation: an atomic access does not race.
        let opcode = code.first ?? 0
        if opcode == 0xF0 || opcode == 0x87 || opcode == 0x86 {
            if !d.isLibrary(eip) { d.atomic(t.tid, address: address, eip: eip) }
        } else {
            d.access(t.tid, address: address, write: write, eip: eip)
        }
        d.faults += 1
        if emulateAccess(t, code: code, address: address, write: write) {
            d.emulated += 1
            return true
        }
        guard space.handleFault(at: address, write: write) != .violation else { return false }
        p.raceStepping = true
        machine.setStepping(true)
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
        return true
    }

    /// Within 16 KiB of the stack pointer: the thread's own frame, not watched.
    static func nearStack(_ address: UInt32, _ esp: UInt32) -> Bool {
        address &- esp < 0x4000 || esp &- address < 0x4000
    }

    /// The thread's own frame: near its stack pointer and in the same new_pages region (or
    /// neither in one). The thread library's stacks are regions of their own, one after the
    /// other: with 4 KiB stacks the neighbour's stack is within 16 KiB, and explore_exit_use's
    /// consumer reading through a pointer into the producer's stack went unwatched, so the
    /// unmapping of that stack by thr_join's remove_pages (RaceDetector.kernelUnmap) saw no
    /// race with it.
    static func ownFrame(_ address: UInt32, _ esp: UInt32, _ space: AddressSpace) -> Bool {
        nearStack(address, esp) && space.region(containing: address) == space.region(containing: esp)
    }

    /// Up to 15 bytes of code at `eip` (fewer at the end of the mapped text).
    func instructionBytes(_ space: AddressSpace, at eip: UInt32) -> [UInt8] {
        if let code = try? space.copyIn(eip, count: 15) { return code }
        let inPage = Int(pageSize) - Int(eip & UInt32(pageSize - 1))
        return (try? space.copyIn(eip, count: min(15, inPage))) ?? []
    }

    /// Carries out the faulting instruction in the kernel when AccessEmulation knows it and
    /// it is exactly the access that faulted (its operand at `address`, in one page, reading
    /// or writing as the fault says); false (nothing changed) when it must be stepped. The
    /// further iterations of a rep stos are accesses of their own, recorded here as the
    /// faults they would have been.
    func emulateAccess(_ t: Thread, code: [UInt8], address: UInt32, write: Bool) -> Bool {
        // A guest stepping itself (TF) must see its debug trap after the instruction.
        guard t.frame.eflags & AccessEmulation.trap == 0 else { return false }
        let f = t.frame
        var cpu = AccessEmulation.CPU(registers: [f.eax, f.ecx, f.edx, f.ebx, f.esp, f.ebp, f.esi, f.edi], eflags: f.eflags, eip: f.eip)
        guard let a = AccessEmulation.decode(code, registers: cpu.registers), a.address == address,
              Int(address & UInt32(pageSize - 1)) + a.size <= pageSize else { return false }
        guard a.writesMemory == write else { return false }
        let space = t.task.space
        let repeated = a.kind == .repStore
        let done = a.execute(&cpu, load: { at, size in
            guard let bytes = try? space.copyIn(at, count: size) else { return nil }
            return bytes.reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }, store: { at, size, v in
            // rep stos: an iteration near the stack pointer would not have been watched.
            if repeated && at != address && Self.ownFrame(at, f.esp, space) { return false }
            // A first write to a zero-fill or copy-on-write page is stepped: its fault fills
            // or copies the neighbours too (AddressSpace+Fault.swift), and the run's memory
            // (frames, free count: the state fingerprint) must be what an unwatched run has.
            guard space.table[at >> pageShift].mapsWritable,
                  space.table[(at &+ UInt32(size - 1)) >> pageShift].mapsWritable else { return false }
            return (try? space.copyOut((0..<size).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }, to: at)) != nil
        })
        guard done else { return false }
        if repeated, let d = points?.races {
            let n = f.ecx &- cpu.registers[1]
            let step = f.eflags & AccessEmulation.direction != 0 ? UInt32(bitPattern: -Int32(a.size)) : UInt32(a.size)
            for i in 1..<max(n, 1) { d.access(t.tid, address: address &+ i &* step, write: true, eip: f.eip) }
        }
        f.eax = cpu.registers[0]; f.ecx = cpu.registers[1]; f.edx = cpu.registers[2]; f.ebx = cpu.registers[3]
        f.esp = cpu.registers[4]; f.ebp = cpu.registers[5]; f.esi = cpu.registers[6]; f.edi = cpu.registers[7]
        f.eflags = cpu.eflags
        f.eip = cpu.eip
        return true
    }

    /// Carries out the instruction under a data-race point in a run that does not watch
    /// accesses, instead of stepping it (a debug trap): a program whose racing instructions sit
    /// in a loop spent most of its runs there (race_broken_lock: its lock's test and set and
    /// its atomic counts, in every iteration of four threads; 59% of a run in debug traps).
    /// The same AccessEmulation as for a watched access, at the address the instruction names;
    /// a `lock` prefix is carried out as if absent: one guest thread runs at a time, and none
    /// while the kernel runs, so the access is atomic either way. False (nothing changed)
    /// when the instruction must be stepped: a form AccessEmulation does not know, a rep stos,
    /// an operand across a page end, an access that would fault (stepped, it takes the real
    /// fault), or a first write to a zero-fill or copy-on-write page (its fault fills or
    /// copies the neighbours too, which the run's memory must show as when stepped).
    func carryOutRacePoint(_ t: Thread, at eip: UInt32, original: UInt8) -> Bool {
        var code = instructionBytes(t.task.space, at: eip)
        guard !code.isEmpty else { return false }
        code[0] = original   // the planted int3
        let locked = code[0] == 0xF0
        if locked { code.removeFirst() }
        let f = t.frame
        let registers = [f.eax, f.ecx, f.edx, f.ebx, f.esp, f.ebp, f.esi, f.edi]
        guard let a = AccessEmulation.decode(code, registers: registers), a.kind != .repStore else { return false }
        // `lock` is allowed only on a read-modify-write of memory; on anything else (lock mov,
        // lock cmp) the CPU raises an invalid-opcode fault, which stepping delivers.
        if locked {
            switch a.kind {
            case .arithmetic(let op, _, let memoryIsDestination) where memoryIsDestination && op != .cmp && op != .test: break
            case .increment, .exchange, .exchangeAdd, .compareExchange: break
            default: return false
            }
        }
        let write = a.writesMemory
        let before = f.eip
        f.eip = eip &+ (locked ? 1 : 0)   // emulateAccess adds the length after the prefix
        guard emulateAccess(t, code: code, address: a.address, write: write) else {
            f.eip = before
            return false
        }
        return true
    }

    /// Withdraws every writable page of `space` from the host, so that their next access
    /// faults (text stays shown), and from then on keeps track of the writable pages shown
    /// again (AddressSpace.watchShown), so that only those are withdrawn later.
    func withdrawWritable(_ space: AddressSpace) {
        var runs: [(UInt32, Int)] = []
        space.table.forEachPresent { q, e in
            guard e.flags.contains(.writable), e.flags.contains(.inHost) else { return }
            if let last = runs.last, last.0 + UInt32(last.1) == q { runs[runs.count - 1].1 += 1 } else { runs.append((q, 1)) }
        }
        for (first, count) in runs { space.withdrawFromHost(first, count: count) }
        space.watchShown = []
    }

    /// Withdraws the writable pages shown since entry `mark` of the space's log (the ones a
    /// watched access showed; at a point, all of them), one host call per run of pages.
    func withdrawShown(_ space: AddressSpace, from mark: Int = 0) {
        guard let shown = space.watchShown else { return withdrawWritable(space) }
        guard shown.count > mark else { return }
        // Not active: the host shows none of its pages (activating another withdrew them).
        if space.isActive {
            let pages = shown[mark...].sorted()
            var first = pages[0], count = 1
            for q in pages.dropFirst() {
                if q == first + UInt32(count) { count += 1 } else if q >= first + UInt32(count) {
                    space.withdrawFromHost(first, count: count)
                    first = q
                    count = 1
                }
            }
            space.withdrawFromHost(first, count: count)
        }
        space.watchShown?.removeSubrange(mark...)
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
            case 0x4A:   // remove_pages, the thread library's (thr_join) too: its region's words
                if let pages = t.task.space.regions[t.frame.esi >> pageShift], t.frame.esi & UInt32(pageSize - 1) == 0 {
                    d.kernelUnmap(t.tid, base: t.frame.esi, length: pages << pageShift)
                }
            default: break
            }
        default:
            break
        }
        // Every point may hand the CPU to another thread of the task: it must fault on its
        // first access of every data page again. Only the pages shown since the last point
        // are (the stack pages of its frame, pages shown while stepping a library entry's
        // first instruction); every watched access took its own back already, a data-race
        // point's included (Kernel.stepOverBreakpoint).
        withdrawShown(t.task.space)
    }
}
