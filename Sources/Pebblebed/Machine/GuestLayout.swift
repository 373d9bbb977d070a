import CShims

/// The guest's address layout and segment selectors, as the Pebbles interface defines them.
/// The numbers themselves live once, in CShims/include/pb_machine.h, which the trap handlers use.
enum GuestLayout {
    /// The lowest user address (USER_MEM_START); below it is "kernel memory".
    static let userStart = UInt32(PB_USER_MEM_START)
    /// One past the highest user address: user memory runs to the top of the 32-bit space.
    static let userEnd = UInt64(PB_USER_MEM_END)
    /// The code and data segments of a user program (the host's compatibility-mode user code
    /// segment and its data segment; a Pebbles kernel uses the same values).
    static let userCodeSelector = UInt32(PB_GUEST_CS)
    static let userDataSelector = UInt32(PB_USER_DS)
    /// EFLAGS of a fresh program: interrupts on (IF) and the always-one bit 1.
    static let initialEflags: UInt32 = 0x202

    /// Whether [address, address + count) lies inside user memory.
    static func contains(_ address: UInt32, count: Int = 1) -> Bool {
        address >= userStart && UInt64(address) + UInt64(count) <= userEnd
    }

    /// The system-call gate's 32-bit thunks (CShims/include/pb_gate.h), below user memory:
    /// thunk k = 4 * vector + shape far-jumps into the gate's entry k; shapes 4-7 (the
    /// frame-pointer stubs) are in the second bank, `gateBankStride` lower, at 4 * vector + shape - 4.
    static let gateThunks = UInt32(PB_GATE_THUNKS)
    static let gateBankStride = UInt32(PB_GATE_BANK_STRIDE)
    static let gateSlot = UInt32(PB_GATE_SLOT)
    static let gateCount = UInt32(PB_GATE_COUNT)
    /// Where in a thunk the `int $n` it stands for would be (the eip a system call reports).
    static let gateIntOffset = UInt32(PB_GATE_INT_OFFSET)
}
