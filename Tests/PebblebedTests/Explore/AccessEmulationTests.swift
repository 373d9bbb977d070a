import Testing
@testable import Pebblebed

/// The decoder and the arithmetic of the watched accesses the kernel carries out
/// (AccessEmulation), without a machine. That they give what the CPU gives is checked
/// against the CPU by ExploreGuestTests.watchedAccessesCarriedOutByTheKernelMatchTheCPU.
@Suite struct AccessEmulationTests {
    /// eax, ecx, edx, ebx, esp, ebp, esi, edi.
    static let registers: [UInt32] = [0x1122_3344, 0x10, 0x2, 0x0100_5000, 0xFFFF_F000, 0x0100_6000, 0x0100_7000, 0x0100_8000]

    static func decode(_ code: [UInt8]) -> AccessEmulation? {
        AccessEmulation.decode(code, registers: registers)
    }

    @Test func addressesOfEveryModRMForm() throws {
        // mov (%ebx),%eax; mov 4(%ebx),%ecx; mov -4(%ebx,%edx,4),%ecx; mov 0x1005400,%eax (moffs);
        // mov 0x1005400,%ecx (disp32); mov 0x1000(,%edx,8),%eax (SIB, no base); mov 0x100(%esi),%eax.
        let cases: [([UInt8], UInt32, UInt32)] = [
            ([0x8B, 0x03], 0x0100_5000, 2),
            ([0x8B, 0x4B, 0x04], 0x0100_5004, 3),
            ([0x8B, 0x4C, 0x93, 0xFC], 0x0100_5004, 4),
            ([0xA1, 0x00, 0x54, 0x00, 0x01], 0x0100_5400, 5),
            ([0x8B, 0x0D, 0x00, 0x54, 0x00, 0x01], 0x0100_5400, 6),
            ([0x8B, 0x04, 0xD5, 0x00, 0x10, 0x00, 0x00], 0x1010, 7),
            ([0x8B, 0x86, 0x00, 0x01, 0x00, 0x00], 0x0100_7100, 6),
        ]
        for (code, address, length) in cases {
            let a = try #require(Self.decode(code), "\(code)")
            #expect(a.address == address && a.length == length, "\(code): \(a)")
        }
    }

    @Test func formsItDoesNotKnowAreStepped() {
        let stepped: [[UInt8]] = [
            [0x66, 0x89, 0x03],         // operand-size prefix
            [0xF0, 0x01, 0x03],         // lock add
            [0x64, 0x8B, 0x03],         // fs:
            [0x11, 0x03],               // adc
            [0x19, 0x03],               // sbb
            [0xF7, 0x1B],               // neg
            [0xF7, 0x23],               // mul
            [0xD1, 0x23],               // shl
            [0x8B, 0xC3],               // mov %ebx,%eax: no memory operand
            [0xF3, 0xA5],               // rep movs
            [0x8B, 0x4C, 0x93],         // cut short
        ]
        for code in stepped { #expect(Self.decode(code) == nil, "\(code)") }
    }

    static func run(_ code: [UInt8], memory m: UInt32, registers: [UInt32] = registers, flags: UInt32 = 0x2)
        -> (AccessEmulation.CPU, [UInt32: UInt8])? {
        guard let a = AccessEmulation.decode(code, registers: registers) else { return nil }
        var bytes: [UInt32: UInt8] = [:]
        for i in 0..<4 { bytes[a.address &+ UInt32(i)] = UInt8(truncatingIfNeeded: m >> (8 * i)) }
        var cpu = AccessEmulation.CPU(registers: registers, eflags: flags, eip: 0x0100_0000)
        let ok = a.execute(&cpu, load: { at, size in
            (0..<size).reduce(UInt32(0)) { v, i in v | UInt32(bytes[at &+ UInt32(i)] ?? 0) << (8 * i) }
        }, store: { at, size, v in
            for i in 0..<size { bytes[at &+ UInt32(i)] = UInt8(truncatingIfNeeded: v >> (8 * i)) }
            return true
        })
        return ok ? (cpu, bytes) : nil
    }

    static func word(_ bytes: [UInt32: UInt8], _ at: UInt32) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { v, i in v | UInt32(bytes[at &+ UInt32(i)] ?? 0) << (8 * i) }
    }

    @Test func flagsOfAddSubAndLogic() throws {
        // add %ecx,(%ebx), 0x7FFFFFFF + 0x10: overflow and sign; no carry out of bit 3, so no AF.
        var (cpu, mem) = try #require(Self.run([0x01, 0x0B], memory: 0x7FFF_FFFF))
        #expect(Self.word(mem, 0x0100_5000) == 0x8000_000F)
        #expect(cpu.eflags & AccessEmulation.arithmeticFlags == AccessEmulation.overflow | AccessEmulation.sign | AccessEmulation.parity)
        #expect(cpu.eip == 0x0100_0002)
        // cmp %ecx,(%ebx), 0x8 - 0x10 = 0xFFFFFFF8: CF and SF; no borrow into bit 3, odd parity.
        (cpu, mem) = try #require(Self.run([0x39, 0x0B], memory: 0x8))
        #expect(Self.word(mem, 0x0100_5000) == 0x8, "cmp writes nothing")
        #expect(cpu.eflags & AccessEmulation.arithmeticFlags == AccessEmulation.carry | AccessEmulation.sign)
        // sub $1 from 0x10: adjust (borrow from bit 4), no carry.
        (cpu, mem) = try #require(Self.run([0x83, 0x2B, 0x01], memory: 0x10))
        #expect(Self.word(mem, 0x0100_5000) == 0xF)
        #expect(cpu.eflags & AccessEmulation.arithmeticFlags == AccessEmulation.adjust | AccessEmulation.parity)
        // and with all flags set before: CF, OF and AF cleared; ZF and PF of a zero result.
        (cpu, _) = try #require(Self.run([0x21, 0x0B], memory: 0x0F, flags: 0x2 | AccessEmulation.arithmeticFlags))
        #expect(cpu.eflags & AccessEmulation.arithmeticFlags == AccessEmulation.zero | AccessEmulation.parity)
        // inc keeps CF: 0xFFFFFFFF + 1 is zero with CF as before.
        (cpu, mem) = try #require(Self.run([0xFF, 0x03], memory: 0xFFFF_FFFF, flags: 0x2 | AccessEmulation.carry))
        #expect(Self.word(mem, 0x0100_5000) == 0)
        #expect(cpu.eflags & AccessEmulation.arithmeticFlags
                == AccessEmulation.carry | AccessEmulation.zero | AccessEmulation.parity | AccessEmulation.adjust)
    }

    @Test func byteRegistersAndExtensions() throws {
        // mov (%ebx),%ah: bits 8-15 of eax only.
        var (cpu, _) = try #require(Self.run([0x8A, 0x23], memory: 0xAB))
        #expect(cpu.registers[0] == 0x1122_AB44)
        // movsbl (%ebx),%edx and movzwl (%ebx),%edx.
        (cpu, _) = try #require(Self.run([0x0F, 0xBE, 0x13], memory: 0x80))
        #expect(cpu.registers[2] == 0xFFFF_FF80)
        (cpu, _) = try #require(Self.run([0x0F, 0xB7, 0x13], memory: 0xFFFF_8001))
        #expect(cpu.registers[2] == 0x8001)
        // mov %ch,1(%ebx): one byte written (0x11 at 0x01005001 becomes ch), its neighbours kept.
        let mem: [UInt32: UInt8]
        (cpu, mem) = try #require(Self.run([0x88, 0x6B, 0x01], memory: 0x4433_2211, registers: [0, 0xBEEF, 0, 0x0100_5000, 0, 0, 0, 0]))
        #expect(Self.word(mem, 0x0100_5001) == 0x4433_22BE)
    }

    @Test func pushAndExchange() throws {
        var regs = Self.registers
        regs[4] = 0x0100_9000
        var (cpu, mem) = try #require(Self.run([0xFF, 0x33], memory: 0xCAFE, registers: regs))   // push (%ebx)
        #expect(cpu.registers[4] == 0x0100_8FFC && Self.word(mem, 0x0100_8FFC) == 0xCAFE)
        (cpu, mem) = try #require(Self.run([0x87, 0x0B], memory: 0x77))   // xchg %ecx,(%ebx)
        #expect(cpu.registers[1] == 0x77 && Self.word(mem, 0x0100_5000) == 0x10)
    }

    /// The atomic primitives of thread libraries (fetch-and-add, compare-and-swap).
    @Test func exchangeAddAndCompareExchange() throws {
        // xadd %ecx,(%ebx): 0xFFFFFFF0 + 0x10 = 0 with CF, ZF, PF; ecx gets the old value.
        var (cpu, mem) = try #require(Self.run([0x0F, 0xC1, 0x0B], memory: 0xFFFF_FFF0))
        #expect(Self.word(mem, 0x0100_5000) == 0 && cpu.registers[1] == 0xFFFF_FFF0 && cpu.eip == 0x0100_0003)
        #expect(cpu.eflags & AccessEmulation.arithmeticFlags == AccessEmulation.carry | AccessEmulation.zero | AccessEmulation.parity)
        // cmpxchg %ecx,(%ebx) with eax equal to memory: ecx stored, ZF set, eax kept.
        var regs = Self.registers
        regs[0] = 0x1234
        (cpu, mem) = try #require(Self.run([0x0F, 0xB1, 0x0B], memory: 0x1234, registers: regs))
        #expect(Self.word(mem, 0x0100_5000) == 0x10 && cpu.registers[0] == 0x1234)
        #expect(cpu.eflags & AccessEmulation.zero != 0)
        // Unequal: memory unchanged (written back), loaded into eax, ZF clear.
        (cpu, mem) = try #require(Self.run([0x0F, 0xB1, 0x0B], memory: 0x99, registers: regs))
        #expect(Self.word(mem, 0x0100_5000) == 0x99 && cpu.registers[0] == 0x99)
        #expect(cpu.eflags & AccessEmulation.zero == 0)
        // cmpxchg %cl,(%ebx): byte form, al against the byte.
        regs[0] = 0x1144
        (cpu, mem) = try #require(Self.run([0x0F, 0xB0, 0x0B], memory: 0xAA44, registers: regs))
        #expect(Self.word(mem, 0x0100_5000) == 0xAA10 && cpu.registers[0] == 0x1144)
    }

    /// rep stos stops at the end of edi's page and resumes at itself (as after an interrupt
    /// between iterations), so the next page faults on its own.
    @Test func repStosStopsAtItsPage() throws {
        var regs = Self.registers
        regs[7] = 0x0100_4FF8   // edi: two words before the page's end
        regs[1] = 5             // ecx
        let (cpu, mem) = try #require(Self.run([0xF3, 0xAB], memory: 0, registers: regs))
        #expect(cpu.registers[7] == 0x0100_5000 && cpu.registers[1] == 3)
        #expect(cpu.eip == 0x0100_0000, "resumes at the rep stos")
        #expect(Self.word(mem, 0x0100_4FF8) == 0x1122_3344 && Self.word(mem, 0x0100_4FFC) == 0x1122_3344)
        // Backwards (DF): from the page's first word down, one iteration in the page.
        regs[7] = 0x0100_5000
        regs[1] = 1
        let (back, _) = try #require(Self.run([0xF3, 0xAB], memory: 0, registers: regs, flags: 0x2 | AccessEmulation.direction))
        #expect(back.registers[7] == 0x0100_4FFC && back.registers[1] == 0 && back.eip == 0x0100_0002)
    }

    /// A store refused (the page may not be written) leaves everything as it was: the
    /// instruction is then stepped and raises the real fault.
    @Test func aRefusedStoreChangesNothing() throws {
        let a = try #require(Self.decode([0x01, 0x0B]))
        var cpu = AccessEmulation.CPU(registers: Self.registers, eflags: 0x2, eip: 0x0100_0000)
        let before = cpu
        #expect(!a.execute(&cpu, load: { _, _ in 1 }, store: { _, _, _ in false }))
        #expect(cpu == before)
    }
}
