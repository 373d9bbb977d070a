/// Where a guest can be preempted during exploration and schedule replay (issue 15), besides
/// its system calls: the entries of the thread library's functions, found by symbol and made
/// to trap with an `int3` (CC) planted over their first byte at exec, as Landslide puts its
/// preemption points at `mutex_lock` and friends.
///
/// Entries, not every instruction: the guest runs natively between points, and a schedule is a
/// list of choices at points, so it replays exactly. The original instruction is run by
/// stepping it once with the byte put back (Kernel+Points.swift), so the guest never sees the
/// breakpoint: its registers, memory and flags are as if the instruction ran natively.
enum PreemptionPoints {
    /// Thread-library entry points (examples/libthread and the 15-410 thread library's names).
    /// The synchronisation calls are where one thread's effects become visible to another;
    /// thread creation, join and exit are where threads appear and disappear.
    static let functions = [
        "mutex_lock", "mutex_unlock", "mutex_destroy",
        "cond_wait", "cond_signal", "cond_broadcast", "cond_destroy",
        "sem_wait", "sem_signal", "sem_destroy",
        "rwlock_lock", "rwlock_unlock", "rwlock_downgrade", "rwlock_destroy",
        "thr_create", "thr_join", "thr_exit", "thr_yield",
    ]
    static let int3: UInt8 = 0xCC

    /// Thread-library code, whose memory accesses are its synchronisation (RaceDetector): the
    /// library's functions by name, its static helpers by source file, and the allocator
    /// (its heap is guarded by the library's own mutex).
    static func isLibrary(_ name: String, file: String?) -> Bool {
        if functions.contains(name) || ["mutex_", "cond_", "sem_", "rwlock_", "thr_", "_thr_"].contains(where: { name.hasPrefix($0) }) {
            return true
        }
        if ["malloc", "free", "calloc", "realloc", "_malloc", "_free", "_calloc", "_realloc", "smalloc", "sfree"].contains(name) { return true }
        guard let file else { return false }
        return ["mutex.c", "cond.c", "sem.c", "rwlock.c", "thread.c", "spin.c", "thread_fork.S", "malloc.c", "malloc410.c"].contains(file)
    }

    /// Plants a breakpoint at each function of `functions` that `image` defines, in `space`
    /// (fresh at exec: its text frames are its own, as for MagicPatch). Returns the original
    /// byte of each planted address, and the function it starts.
    static func plant(_ image: ELFImage, in space: AddressSpace, extra: [UInt32] = []) -> [UInt32: Breakpoint] {
        var planted: [UInt32: Breakpoint] = [:]
        for a in extra where a >= 0x0100_0000 {
            guard let code = instructionBytes(space, at: a), let original = code.first,
                  original != int3, poke(space, a, int3) else { continue }
            planted[a] = Breakpoint(function: ForkRunner.racePointLabel, original: original, emulation: Emulation.decode(code, at: a))
        }
        for name in functions {
            guard let s = image.function(named: name), s.address >= 0x0100_0000, planted[s.address] == nil,
                  let original = try? space.copyIn(s.address, count: 1).first,
                  original != int3, poke(space, s.address, int3) else { continue }
            let code = instructionBytes(space, at: s.address) ?? [original]
            planted[s.address] = Breakpoint(function: name, original: original,
                                            emulation: Emulation.decode([original] + code.dropFirst(), at: s.address))
        }
        return planted
    }

    /// The bytes at `a` that decoding a first instruction needs (`Emulation.decode`: up to 6),
    /// fewer where the text ends sooner; nil when not even the first byte can be read.
    static func instructionBytes(_ space: AddressSpace, at a: UInt32) -> [UInt8]? {
        for n in [6, 5, 1] { if let code = try? space.copyIn(a, count: n) { return code } }
        return nil
    }

    /// Stores one byte of text through the physical window. The page must have a frame of its
    /// own (file contents); a zero-fill page has none and is not code.
    @discardableResult
    static func poke(_ space: AddressSpace, _ address: UInt32, _ byte: UInt8) -> Bool {
        let e = space.table[address >> pageShift]
        guard e.isPresent, !e.flags.contains(.zeroFill), e.frame != .zero else { return false }
        // Safety: pointer() bounds-checks the frame and the offset (< pageSize).
        memory.physical.pointer(e.frame, offset: Int(address) & (pageSize - 1)).storeBytes(of: byte, as: UInt8.self)
        return true
    }
}

/// One planted breakpoint: the function it marks the entry of, the byte it replaced, and how
/// the kernel runs the instruction it covers.
struct Breakpoint: Equatable {
    let function: String
    let original: UInt8
    var emulation: Emulation = .step
}

/// The first instructions of functions that the kernel carries out itself instead of stepping
/// them (a single step costs a debug trap, a fifth of an exploration run's time). Only
/// instructions with no way to fault other than through the stack access the kernel checks
/// itself, and whose flags the kernel computes exactly (`sub` reuses AccessEmulation's,
/// which is checked against the CPU); anything else is stepped.
enum Emulation: Equatable {
    /// `push r32` (50+r).
    case push(register: Int)
    /// `mov disp8(%esp), r32` (8B /r with SIB 24): gcc's load of the first argument.
    case loadFromStack(register: Int, displacement: Int32, length: UInt32)
    /// `jmp rel32` (E9): a tail call (thr_yield is `jmp yield`).
    case jump(target: UInt32)
    /// `sub $imm, %esp` (83 EC ib, 81 EC id): the frame of a function gcc compiles without a
    /// frame pointer (cond_destroy in the 410 library); it sets the flags as `sub` does. It
    /// touches no memory: the stack pages are the guest's concern when it uses them.
    case subtractFromStack(immediate: UInt32, length: UInt32)
    /// Put the byte back and step one instruction.
    case step

    static func decode(_ code: [UInt8], at address: UInt32) -> Emulation {
        guard let op = code.first else { return .step }
        if op >= 0x50 && op <= 0x57 { return .push(register: Int(op - 0x50)) }
        if op == 0x8B, code.count >= 4, code[1] & 0xC7 == 0x44, code[2] == 0x24 {
            return .loadFromStack(register: Int(code[1] >> 3 & 7), displacement: Int32(Int8(bitPattern: code[3])), length: 4)
        }
        if op == 0x83, code.count >= 3, code[1] == 0xEC {
            return .subtractFromStack(immediate: UInt32(bitPattern: Int32(Int8(bitPattern: code[2]))), length: 3)
        }
        if op == 0x81, code.count >= 6, code[1] == 0xEC {
            let imm = UInt32(code[2]) | UInt32(code[3]) << 8 | UInt32(code[4]) << 16 | UInt32(code[5]) << 24
            return .subtractFromStack(immediate: imm, length: 6)
        }
        if op == 0xE9, code.count >= 5 {
            let rel = UInt32(code[1]) | UInt32(code[2]) << 8 | UInt32(code[3]) << 16 | UInt32(code[4]) << 24
            return .jump(target: address &+ 5 &+ rel)
        }
        return .step
    }
}

extension TrapFrame {
    /// A general register by its x86 number (0 eax, 1 ecx, 2 edx, 3 ebx, 4 esp, 5 ebp, 6 esi, 7 edi).
    func register(_ n: Int) -> UInt32 {
        switch n {
        case 0: eax
        case 1: ecx
        case 2: edx
        case 3: ebx
        case 4: esp
        case 5: ebp
        case 6: esi
        default: edi
        }
    }

    func setRegister(_ n: Int, _ v: UInt32) {
        switch n {
        case 0: eax = v
        case 1: ecx = v
        case 2: edx = v
        case 3: ebx = v
        case 4: esp = v
        case 5: ebp = v
        case 6: esi = v
        default: edi = v
        }
    }
}
