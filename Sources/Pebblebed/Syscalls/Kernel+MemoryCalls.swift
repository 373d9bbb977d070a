/// Memory calls: new_pages and remove_pages (the work is in Memory/AddressSpace+NewPages.swift).
extension Kernel {
    func newPagesCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        try a.space.newPages(base: a.packet[0], length: a.signed(1))
        return .value(0)
    }

    func removePagesCall(_ a: SyscallArguments) throws(PebblesError) -> SyscallOutcome {
        try a.space.removePages(base: a.esi)
        return .value(0)
    }
}
