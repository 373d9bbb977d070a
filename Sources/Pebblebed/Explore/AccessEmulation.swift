/// Watched accesses the kernel carries out itself (Kernel+Races.swift): in a race-watching
/// run every shared access faults, and stepping the instruction with the trap flag costs a
/// debug-trap round trip, a page shown and a page withdrawn, about two thirds of a watched
/// access. The common simple instructions with one memory operand are done here instead,
/// with the exact architectural result (registers, the six arithmetic flags, memory, eip);
/// the page stays withdrawn. Anything not listed is stepped as before.
///
/// Carried out: `mov` between a register or an immediate and memory (8 and 32 bits, the moffs
/// forms too), `movzx`/`movsx` from memory, `xchg`, `xadd` and `cmpxchg` with memory (the
/// atomic primitives of thread libraries), `add`, `or`, `and`, `sub`,
/// `xor`, `cmp` and `test` between memory and a register or an immediate (either direction,
/// 8 and 32 bits), `inc`/`dec` of memory, `push m32`, and one page's worth of `rep stos`
/// iterations. No prefix other than `rep` before `stos` (an operand-size, segment or lock
/// prefix: stepped). `adc`/`sbb` (carry in), shifts, multiplies and divides, string moves:
/// stepped.
struct AccessEmulation: Equatable {
    /// The group-1 arithmetic operations, by their ModRM reg field; `test` is 8.
    enum Operation: Int {
        case add = 0, or = 1, and = 4, sub = 5, xor = 6, cmp = 7, test = 8
    }

    enum Source: Equatable {
        case register(Int)
        case immediate(UInt32)
    }

    enum Kind: Equatable {
        /// `mov r, m` (size 1 or 4), `movzx`/`movsx r32, m8/m16`.
        case load(register: Int, signExtend: Bool, zeroExtend: Bool)
        /// `mov m, r` / `mov m, imm`.
        case store(Source)
        /// `op m, src` (`memoryIsDestination`) or `op r, m`; `cmp` and `test` write nothing.
        case arithmetic(Operation, Source, memoryIsDestination: Bool)
        /// `xchg m, r`.
        case exchange(register: Int)
        /// `xadd m, r`: m + r to m, the old m to r, add's flags.
        case exchangeAdd(register: Int)
        /// `cmpxchg m, r`: cmp's flags of the accumulator with m; if equal r to m, else m to
        /// the accumulator (and m written back unchanged, as the CPU does).
        case compareExchange(register: Int)
        /// `inc m` / `dec m`: like add/sub of 1, leaving CF alone.
        case increment(by: Int32)
        /// `push m32`.
        case push
        /// `rep stos` (size 1 or 4): iterations at edi while they stay in its page.
        case repStore
    }

    let kind: Kind
    /// Bytes of memory the instruction reads or writes at `address` (one iteration for rep stos).
    let size: Int
    /// The effective address of the memory operand.
    let address: UInt32
    let length: UInt32

    /// Whether the access at `address` writes it (push reads its operand; cmp and test write
    /// nothing; cmpxchg writes either way, as the CPU does).
    var writesMemory: Bool {
        switch kind {
        case .load, .push: false
        case .arithmetic(let op, _, let memoryIsDestination): memoryIsDestination && op != .cmp && op != .test
        case .store, .exchange, .exchangeAdd, .compareExchange, .increment, .repStore: true
        }
    }

    /// The registers and flags the emulation reads and writes (a copy of the trap frame's).
    struct CPU: Equatable {
        /// eax, ecx, edx, ebx, esp, ebp, esi, edi.
        var registers: [UInt32]
        var eflags: UInt32
        var eip: UInt32
    }

    static let carry: UInt32 = 0x1, parity: UInt32 = 0x4, adjust: UInt32 = 0x10, zero: UInt32 = 0x40
    static let sign: UInt32 = 0x80, trap: UInt32 = 0x100, direction: UInt32 = 0x400, overflow: UInt32 = 0x800
    static let arithmeticFlags: UInt32 = carry | parity | adjust | zero | sign | overflow

    // MARK: decoding

    /// Decodes the instruction at the start of `code` (up to 15 bytes of it) with `registers`
    /// for its address; nil when it is not one of the forms carried out here.
    static func decode(_ code: [UInt8], registers: [UInt32]) -> AccessEmulation? {
        guard let op = code.first else { return nil }
        func byte(_ i: Int) -> UInt32? { i < code.count ? UInt32(code[i]) : nil }
        func word(_ i: Int) -> UInt32? {
            guard i + 4 <= code.count else { return nil }
            return UInt32(code[i]) | UInt32(code[i + 1]) << 8 | UInt32(code[i + 2]) << 16 | UInt32(code[i + 3]) << 24
        }
        /// The ModRM operand from `at`: (reg field, effective address, bytes after it); nil for
        /// a register operand.
        func modrm(_ at: Int) -> (reg: Int, address: UInt32, next: Int)? {
            guard let m = byte(at) else { return nil }
            let mod = m >> 6, reg = Int(m >> 3 & 7), rm = Int(m & 7)
            guard mod != 3 else { return nil }
            var i = at + 1
            var address: UInt32 = 0
            var displacement32 = mod == 2
            if rm == 4 {
                guard let sib = byte(i) else { return nil }
                i += 1
                let index = Int(sib >> 3 & 7), base = Int(sib & 7)
                if index != 4 { address = registers[index] &* (1 << (sib >> 6)) }
                if base == 5 && mod == 0 { displacement32 = true } else { address = address &+ registers[base] }
            } else if rm == 5 && mod == 0 {
                displacement32 = true
            } else {
                address = registers[rm]
            }
            if mod == 1 {
                guard let d = byte(i) else { return nil }
                address = address &+ UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: d)))
                i += 1
            } else if displacement32 {
                guard let d = word(i) else { return nil }
                address = address &+ d
                i += 4
            }
            return (reg, address, i)
        }
        func make(_ kind: Kind, _ size: Int, _ address: UInt32, _ next: Int) -> AccessEmulation {
            AccessEmulation(kind: kind, size: size, address: address, length: UInt32(next))
        }
        switch op {
        case 0x88, 0x89:   // mov r/m, r
            guard let m = modrm(1) else { return nil }
            return make(.store(.register(m.reg)), op == 0x88 ? 1 : 4, m.address, m.next)
        case 0x8A, 0x8B:   // mov r, r/m
            guard let m = modrm(1) else { return nil }
            return make(.load(register: m.reg, signExtend: false, zeroExtend: false), op == 0x8A ? 1 : 4, m.address, m.next)
        case 0xA0, 0xA1:   // mov al/eax, moffs
            guard let a = word(1) else { return nil }
            return make(.load(register: 0, signExtend: false, zeroExtend: false), op == 0xA0 ? 1 : 4, a, 5)
        case 0xA2, 0xA3:   // mov moffs, al/eax
            guard let a = word(1) else { return nil }
            return make(.store(.register(0)), op == 0xA2 ? 1 : 4, a, 5)
        case 0xC6, 0xC7:   // mov r/m, imm
            guard let m = modrm(1), m.reg == 0 else { return nil }
            let size = op == 0xC6 ? 1 : 4
            guard let v = size == 1 ? byte(m.next) : word(m.next) else { return nil }
            return make(.store(.immediate(v)), size, m.address, m.next + size)
        case 0x0F:   // movzx / movsx r32, m8 / m16; xadd, cmpxchg m, r
            guard let op2 = byte(1), let m = modrm(2) else { return nil }
            switch op2 {
            case 0xC0, 0xC1: return make(.exchangeAdd(register: m.reg), op2 == 0xC0 ? 1 : 4, m.address, m.next)
            case 0xB0, 0xB1: return make(.compareExchange(register: m.reg), op2 == 0xB0 ? 1 : 4, m.address, m.next)
            case 0xB6, 0xB7, 0xBE, 0xBF: break
            default: return nil
            }
            let size = op2 & 1 == 0 ? 1 : 2
            return make(.load(register: m.reg, signExtend: op2 >= 0xBE, zeroExtend: op2 < 0xBE), size, m.address, m.next)
        case 0x86, 0x87:   // xchg r/m, r
            guard let m = modrm(1) else { return nil }
            return make(.exchange(register: m.reg), op == 0x86 ? 1 : 4, m.address, m.next)
        case 0x84, 0x85:   // test r/m, r
            guard let m = modrm(1) else { return nil }
            return make(.arithmetic(.test, .register(m.reg), memoryIsDestination: true), op == 0x84 ? 1 : 4, m.address, m.next)
        case 0x80, 0x81, 0x83:   // op r/m, imm
            guard let m = modrm(1), let operation = Operation(rawValue: m.reg) else { return nil }
            let size = op == 0x80 ? 1 : 4
            let immediate: UInt32
            if op == 0x81 {
                guard let v = word(m.next) else { return nil }
                immediate = v
            } else {
                guard let v = byte(m.next) else { return nil }
                immediate = op == 0x83 ? UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: v))) : v
            }
            return make(.arithmetic(operation, .immediate(immediate), memoryIsDestination: true), size, m.address,
                        m.next + (op == 0x81 ? 4 : 1))
        case 0xF6, 0xF7:   // test r/m, imm (only /0: the others are not, neg, mul, div)
            guard let m = modrm(1), m.reg == 0 else { return nil }
            let size = op == 0xF6 ? 1 : 4
            guard let v = size == 1 ? byte(m.next) : word(m.next) else { return nil }
            return make(.arithmetic(.test, .immediate(v), memoryIsDestination: true), size, m.address, m.next + size)
        case 0xFE, 0xFF:   // inc / dec r/m; push m32
            guard let m = modrm(1) else { return nil }
            let size = op == 0xFE ? 1 : 4
            switch m.reg {
            case 0: return make(.increment(by: 1), size, m.address, m.next)
            case 1: return make(.increment(by: -1), size, m.address, m.next)
            case 6 where op == 0xFF: return make(.push, 4, m.address, m.next)
            default: return nil
            }
        case 0xF3:   // rep stos
            guard let op2 = byte(1), op2 == 0xAA || op2 == 0xAB else { return nil }
            return make(.repStore, op2 == 0xAA ? 1 : 4, registers[7], 2)
        default:
            // add, or, and, sub, xor, cmp with a register: 00-03, 08-0B, 20-23, 28-2B, 30-33, 38-3B.
            guard op < 0x40, op & 7 < 4, let operation = Operation(rawValue: Int(op >> 3)), let m = modrm(1) else { return nil }
            return make(.arithmetic(operation, .register(m.reg), memoryIsDestination: op & 2 == 0), op & 1 == 0 ? 1 : 4,
                        m.address, m.next)
        }
    }

    // MARK: execution

    /// A register as an operand of `size` bytes: for size 1, 0-3 are al, cl, dl, bl and 4-7
    /// ah, ch, dh, bh.
    static func read(_ cpu: CPU, register r: Int, size: Int) -> UInt32 {
        size == 4 ? cpu.registers[r] : r < 4 ? cpu.registers[r] & 0xFF : cpu.registers[r - 4] >> 8 & 0xFF
    }

    static func write(_ cpu: inout CPU, register r: Int, size: Int, _ v: UInt32) {
        if size == 4 { cpu.registers[r] = v }
        else if r < 4 { cpu.registers[r] = cpu.registers[r] & ~0xFF | v & 0xFF }
        else { cpu.registers[r - 4] = cpu.registers[r - 4] & ~0xFF00 | (v & 0xFF) << 8 }
    }

    /// Result and flags of `operation` on `a` and `b`, `size` bytes wide (cmp gives sub's,
    /// test and's). Logic operations clear CF, OF and AF (AF is documented as undefined; this
    /// is what the hardware does, and the differential test checks it against it).
    static func arithmetic(_ operation: Operation, _ a: UInt32, _ b: UInt32, size: Int, flags: UInt32) -> (UInt32, UInt32) {
        let mask: UInt32 = size == 4 ? 0xFFFF_FFFF : 0xFF
        let top: UInt32 = size == 4 ? 0x8000_0000 : 0x80
        let a = a & mask, b = b & mask
        var r: UInt32, f: UInt32 = 0
        switch operation {
        case .add:
            r = (a &+ b) & mask
            if r < a { f |= carry }
            if (a ^ r) & (b ^ r) & top != 0 { f |= overflow }
            f |= (a ^ b ^ r) & adjust
        case .sub, .cmp:
            r = (a &- b) & mask
            if a < b { f |= carry }
            if (a ^ b) & (a ^ r) & top != 0 { f |= overflow }
            f |= (a ^ b ^ r) & adjust
        case .and, .test: r = a & b
        case .or: r = a | b
        case .xor: r = a ^ b
        }
        return (r, flags & ~arithmeticFlags | f | resultFlags(r, size: size))
    }

    /// ZF, SF and PF of a result.
    static func resultFlags(_ r: UInt32, size: Int) -> UInt32 {
        var f: UInt32 = 0
        if r == 0 { f |= zero }
        if r & (size == 4 ? 0x8000_0000 : 0x80) != 0 { f |= sign }
        if (r & 0xFF).nonzeroBitCount & 1 == 0 { f |= parity }
        return f
    }

    /// Carries the instruction out on `cpu` with `load`/`store` for memory (little-endian
    /// values of `size` bytes; false or nil when the access is not allowed, and then nothing
    /// has changed: the caller steps the instruction, which raises the real fault). A `store`
    /// refused in the middle of a rep stos ends the iterations there (not the first one).
    func execute(_ cpu: inout CPU, load: (UInt32, Int) -> UInt32?, store: (UInt32, Int, UInt32) -> Bool) -> Bool {
        var next = cpu
        next.eip = cpu.eip &+ length
        let mask: UInt32 = size == 4 ? 0xFFFF_FFFF : size == 2 ? 0xFFFF : 0xFF
        switch kind {
        case .load(let r, let signExtend, let zeroExtend):
            guard let v = load(address, size) else { return false }
            if signExtend {
                next.registers[r] = size == 1 ? UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: v))) : UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: v)))
            } else if zeroExtend {
                next.registers[r] = v & mask
            } else {
                Self.write(&next, register: r, size: size, v)
            }
        case .store(let source):
            let v = source.value(cpu, size: size)
            guard store(address, size, v & mask) else { return false }
        case .arithmetic(let operation, let source, let memoryIsDestination):
            guard let m = load(address, size) else { return false }
            let other = source.value(cpu, size: size)
            let (r, flags) = memoryIsDestination
                ? Self.arithmetic(operation, m, other, size: size, flags: cpu.eflags)
                : Self.arithmetic(operation, other, m, size: size, flags: cpu.eflags)
            if operation != .cmp && operation != .test {
                if memoryIsDestination {
                    guard store(address, size, r) else { return false }
                } else if case .register(let reg) = source {
                    Self.write(&next, register: reg, size: size, r)
                }
            }
            next.eflags = flags
        case .exchange(let r):
            guard let m = load(address, size), store(address, size, Self.read(cpu, register: r, size: size)) else { return false }
            Self.write(&next, register: r, size: size, m)
        case .exchangeAdd(let r):
            guard let m = load(address, size) else { return false }
            let (sum, flags) = Self.arithmetic(.add, m, Self.read(cpu, register: r, size: size), size: size, flags: cpu.eflags)
            guard store(address, size, sum) else { return false }
            Self.write(&next, register: r, size: size, m)
            next.eflags = flags
        case .compareExchange(let r):
            guard let m = load(address, size) else { return false }
            let accumulator = Self.read(cpu, register: 0, size: size)
            let (_, flags) = Self.arithmetic(.cmp, accumulator, m, size: size, flags: cpu.eflags)
            if accumulator == m {
                guard store(address, size, Self.read(cpu, register: r, size: size)) else { return false }
            } else {
                guard store(address, size, m) else { return false }
                Self.write(&next, register: 0, size: size, m)
            }
            next.eflags = flags
        case .increment(let by):
            guard let m = load(address, size) else { return false }
            let (r, flags) = Self.arithmetic(by > 0 ? .add : .sub, m, 1, size: size, flags: cpu.eflags)
            guard store(address, size, r) else { return false }
            next.eflags = flags & ~Self.carry | cpu.eflags & Self.carry
        case .push:
            let esp = cpu.registers[4] &- 4
            guard let v = load(address, 4), store(esp, 4, v) else { return false }
            next.registers[4] = esp
        case .repStore:
            // Each iteration stores al/eax at edi and moves edi on; ecx counts them down.
            // Only the iterations in edi's page now: the instruction then resumes at itself
            // (exactly as after an interrupt between iterations) and faults on the next page.
            let step = cpu.eflags & Self.direction != 0 ? UInt32(bitPattern: -Int32(size)) : UInt32(size)
            let page = address >> 12
            var edi = cpu.registers[7], ecx = cpu.registers[1]
            guard ecx != 0 else { return false }   // no access at all: not what faulted
            while ecx != 0 && edi >> 12 == page && (edi & 0xFFF) + UInt32(size) <= 0x1000 {
                guard store(edi, size, cpu.registers[0] & mask) else { break }
                edi = edi &+ step
                ecx -= 1
            }
            guard ecx != cpu.registers[1] else { return false }
            next.registers[7] = edi
            next.registers[1] = ecx
            if ecx != 0 { next.eip = cpu.eip }
        }
        cpu = next
        return true
    }
}

extension AccessEmulation.Source {
    func value(_ cpu: AccessEmulation.CPU, size: Int) -> UInt32 {
        switch self {
        case .register(let r): AccessEmulation.read(cpu, register: r, size: size)
        case .immediate(let v): v
        }
    }
}
