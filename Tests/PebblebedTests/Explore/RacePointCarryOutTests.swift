import Testing
@testable import Pebblebed

extension InProcessKernel {
/// The instruction under a data-race point in a run that does not watch accesses is carried
/// out by the kernel (Kernel.carryOutRacePoint), a `lock` prefix included where the CPU allows
/// one; what it must not carry out is left to a step (nothing changed): a lock prefix the CPU
/// would fault on, a first write to a zero-fill page.
@Suite(.serialized) struct RacePointCarryOutTests {
    static let code = FakeKernel.dataBase          // the instruction, in the first data page
    static let operand = FakeKernel.dataBase + 0x100
    static let untouched = FakeKernel.dataBase + 2 * UInt32(pageSize)   // still zero-fill

    /// A kernel whose first thread has `bytes` at `code`, 10 at `operand`, and ebx pointing at it.
    static func setUp(_ bytes: [UInt8]) throws -> (FakeKernel, Pebblebed.Thread) {
        let k = try FakeKernel()
        let t = try #require(k.kernel.threads.values.first)
        try t.task.space.copyOut(bytes, to: code)
        try t.task.space.writeWord(10, to: operand)
        t.frame.ebx = operand
        t.frame.eax = 3
        t.frame.ecx = untouched
        t.frame.eip = code &+ 1   // as after the planted int3
        return (k, t)
    }

    @Test func aLockedReadModifyWriteIsCarriedOut() throws {
        // lock addl $5,(%ebx)
        var (_, t) = try Self.setUp([0xF0, 0x83, 0x03, 0x05])
        #expect(kernel.carryOutRacePoint(t, at: Self.code, original: 0xF0))
        #expect(try t.task.space.readWord(Self.operand) == 15)
        #expect(t.frame.eip == Self.code + 4)
        // lock xaddl %eax,(%ebx): memory 10 + 3, eax the old 10.
        (_, t) = try Self.setUp([0xF0, 0x0F, 0xC1, 0x03])
        #expect(kernel.carryOutRacePoint(t, at: Self.code, original: 0xF0))
        #expect(try t.task.space.readWord(Self.operand) == 13 && t.frame.eax == 10 && t.frame.eip == Self.code + 4)
        // A plain load: movl (%ebx),%edx.
        (_, t) = try Self.setUp([0x8B, 0x13])
        #expect(kernel.carryOutRacePoint(t, at: Self.code, original: 0x8B))
        #expect(t.frame.edx == 10 && t.frame.eip == Self.code + 2)
    }

    @Test func whatTheCPUWouldFaultOnIsLeftToAStep() throws {
        // lock movl %eax,(%ebx): #UD on the CPU.
        var (_, t) = try Self.setUp([0xF0, 0x89, 0x03])
        #expect(!kernel.carryOutRacePoint(t, at: Self.code, original: 0xF0))
        #expect(try t.task.space.readWord(Self.operand) == 10 && t.frame.eip == Self.code + 1)
        // lock cmpl %eax,(%ebx): #UD too (cmp writes nothing).
        (_, t) = try Self.setUp([0xF0, 0x39, 0x03])
        #expect(!kernel.carryOutRacePoint(t, at: Self.code, original: 0xF0))
        // movl %eax,(%ecx) into a zero-fill page: its fault fills neighbours too; stepped.
        (_, t) = try Self.setUp([0x89, 0x01])
        let used = memory.pool.usedCount
        #expect(!kernel.carryOutRacePoint(t, at: Self.code, original: 0x89))
        #expect(memory.pool.usedCount == used && t.task.space.table[Self.untouched >> pageShift].flags.contains(.zeroFill))
        #expect(t.frame.eip == Self.code + 1)
    }
}
}
