/// A fingerprint of the whole machine state at a preemption point, for the explorer's state
/// cache (Exploration.swift). Two points with the same fingerprint have the same future under
/// the same later decisions, so it must cover everything that decides the future:
/// - every thread: registers, state, the queue it waits in, whether its trap is still to be
///   served (given way at a point), its wake-up tick;
/// - the run queue and sleep queue order, the tick count (virtual time), the next thread id;
/// - the contents of every present page with a frame of every live task (zero-fill pages not
///   yet touched read as zeros and are the same in both), and each page's flags;
/// - the number of free frames (a later allocation may fail or not).
/// Output already written is not part of it: it cannot change what happens next.
extension Kernel {
    func stateFingerprint(current: Thread, label: String) -> UInt64 {
        var h = Fingerprint()
        h.add(UInt64(points?.pointCount ?? 0))
        h.add(ticks)
        h.add(UInt64(nextTid))
        h.add(UInt64(memory.pool.freeCount))
        h.add(UInt64(current.tid))
        for b in label.utf8 { h.add(UInt64(b)) }
        for t in scheduler.runQueue.all { h.add(UInt64(t.tid) | 1 << 40) }
        for t in scheduler.sleepers.threads { h.add(UInt64(t.tid) | 2 << 40 | t.wakeTick << 42) }
        // Plain arrays, no dictionary or sort: each forked run pays the first use of a generic
        // type again (runtime metadata), and this runs at every point.
        var tasks: [Task] = []
        var live = Array(threads.values)
        live.sort { $0.tid < $1.tid }
        for t in live {
            if !tasks.contains(where: { $0 === t.task }) { tasks.append(t.task) }
            h.add(UInt64(t.tid) | UInt64(t.task.id) << 32)
            h.add(UInt64(t.frame.eax) | UInt64(t.frame.ebx) << 32)
            h.add(UInt64(t.frame.ecx) | UInt64(t.frame.edx) << 32)
            h.add(UInt64(t.frame.esi) | UInt64(t.frame.edi) << 32)
            h.add(UInt64(t.frame.ebp) | UInt64(t.frame.esp) << 32)
            h.add(UInt64(t.frame.eip) | UInt64(t.frame.eflags & 0x8D5) << 32)
            var s: UInt64
            switch t.state {
            case .runnable: s = 1
            case .running: s = 2
            case .descheduled: s = 3
            case .blocked: s = 4
            case .exited: s = 5
            }
            if points?.pendingTrap.contains(t.tid) == true { s |= 8 }
            if t.mustExit { s |= 16 }
            h.add(s | UInt64(t.swexn?.handler ?? 0) << 32)
            if let q = t.waitingIn { for b in q.name.utf8 { h.add(UInt64(b)) } }
        }
        for task in tasks {
            h.add(UInt64(task.id) | UInt64(UInt32(bitPattern: task.status)) << 32)
            h.add(UInt64(task.children.count) | UInt64(task.zombies.count) << 32)
            task.space.table.forEachPresent { page, e in
                // Not whether the host shows the page: that is the soft-TLB's cache, which
                // differs between runs that watch accesses and runs that do not.
                h.add(UInt64(page) | UInt64(e.flags.subtracting([.inHost, .hostWritable]).rawValue) << 32)
                guard !e.flags.contains(.zeroFill), e.frame != .zero, e.flags.contains(.writable) || e.flags.contains(.copyOnWrite) else { return }
                h.addPage(memory.physical.pointer(e.frame))
            }
        }
        return h.value
    }
}

/// A 64-bit multiply-xor hash over words: fast enough to take at every point (a page costs
/// about a microsecond), and collisions are as unlikely as for any 64-bit hash.
struct Fingerprint {
    private(set) var value: UInt64 = 0x9E37_79B9_7F4A_7C15

    mutating func add(_ w: UInt64) {
        value = (value ^ w) &* 0xBF58_476D_1CE4_E5B9
        value ^= value >> 29
    }

    /// Four independent lanes, so the multiplies overlap instead of waiting on each other.
    mutating func addPage(_ p: UnsafeMutableRawPointer) {
        let words = UnsafeRawPointer(p).assumingMemoryBound(to: UInt64.self)
        var a: UInt64 = 0x94D0_49BB_1331_11EB, b: UInt64 = 0x2545_F491_4F6C_DD1D
        var c: UInt64 = 0x9E37_79B9_7F4A_7C15, d: UInt64 = 0xD6E8_FEB8_6659_FD93
        for i in stride(from: 0, to: pageSize / 8, by: 4) {
            a = (a ^ words[i]) &* 0xBF58_476D_1CE4_E5B9
            b = (b ^ words[i + 1]) &* 0x94D0_49BB_1331_11EB
            c = (c ^ words[i + 2]) &* 0xBF58_476D_1CE4_E5B9
            d = (d ^ words[i + 3]) &* 0x94D0_49BB_1331_11EB
            a ^= a >> 32
            b ^= b >> 32
            c ^= c >> 32
            d ^= d >> 32
        }
        add(a)
        add(b)
        add(c)
        add(d)
    }
}
