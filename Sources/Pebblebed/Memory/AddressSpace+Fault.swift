/// Page faults and the soft-TLB: a guest access the host mapping did not allow arrives here.
extension AddressSpace {
    public enum FaultOutcome: Equatable {
        /// The page is now mapped as the page table allows; resume the guest.
        case resolved
        /// The access is not allowed (no page, or a write to a read-only page): a real fault.
        case violation
    }

    /// Handles a fault at `address` of the active space; `write` says whether it was a write.
    /// COW and ZFOD work here never fails: its frames were reserved when the mapping was made.
    public func handleFault(at address: UInt32, write: Bool) -> FaultOutcome {
        let page = address >> pageShift
        let e = table[page]
        guard e.isPresent, address >= VirtualAddress.userStart.rawValue else { return .violation }
        if write {
            guard e.flags.contains(.writable) else { return .violation }
            // Mapped writable already and still a write fault: the host disagrees with the table.
            if e.flags.contains(.hostWritable) { return .violation }
            let frame = resolveWrite(page)
            show(page, frame: frame, writable: true)
        } else {
            if e.flags.contains(.inHost) { return .violation }
            let private_ = e.flags.contains(.writable) && e.flags.isDisjoint(with: [.copyOnWrite, .zeroFill])
            show(page, frame: e.frame, writable: private_)
        }
        return .resolved
    }

    /// Gives `page` a frame of its own that may be written: allocates a ZFOD frame, copies a
    /// shared COW frame, or takes over a COW frame whose other sharers are gone. If the host
    /// showed the old frame it is withdrawn, so the guest sees the new one on its next touch.
    /// The page must be present and writable.
    @discardableResult
    func resolveWrite(_ page: UInt32) -> FrameNumber {
        var e = table[page]
        precondition(e.isPresent && e.flags.contains(.writable))
        if e.flags.contains(.zeroFill) {
            let f = memory.pool.allocateReserved()
            memory.physical.zero(f)
            e.frame = f
            e.flags.remove(.zeroFill)
        } else if e.flags.contains(.copyOnWrite) {
            if memory.pool.references(e.frame) > 1 {
                let f = memory.pool.allocateReserved()
                memory.physical.copy(from: e.frame, to: f)
                memory.pool.release(e.frame)
                e.frame = f
            }
            e.flags.remove(.copyOnWrite)
        } else {
            return e.frame
        }
        if e.flags.contains(.inHost) && isActive {
            HostMapping.withdraw(page: page, count: 1)
            e.flags.subtract([.inHost, .hostWritable])
        }
        table[page] = e
        return e.frame
    }

    /// Maps one page into the host's guest range (this space must be the active one).
    private func show(_ page: UInt32, frame: FrameNumber, writable: Bool) {
        precondition(isActive, "fault in an inactive address space")
        var e = table[page]
        if !e.flags.contains(.inHost) {
            if hostPages.count >= AddressSpace.maxHostPages {
                withdrawAllFromHost()
                e = table[page]
            }
            hostPages.append(page)
        }
        HostMapping.map(page: page, frame: frame, writable: writable, fd: memory.physical.fd)
        e.flags.insert(.inHost)
        if writable { e.flags.insert(.hostWritable) } else { e.flags.remove(.hostWritable) }
        table[page] = e
    }

    /// Withdraws every page the host shows for this space, one call per contiguous run.
    func withdrawAllFromHost() {
        guard !hostPages.isEmpty else { return }
        hostPages.sort()
        var runStart = hostPages[0], runLength = 0
        var previous: UInt32? = nil
        for page in hostPages {
            if page == previous { continue }
            var e = table[page]
            if e.flags.contains(.inHost) {
                e.flags.subtract([.inHost, .hostWritable])
                table[page] = e
            }
            if let p = previous, page == p + 1 {
                runLength += 1
            } else {
                if runLength > 0 { HostMapping.withdraw(page: runStart, count: runLength) }
                runStart = page
                runLength = 1
            }
            previous = page
        }
        HostMapping.withdraw(page: runStart, count: runLength)
        hostPages.removeAll(keepingCapacity: true)
    }
}
