import CShims

/// System call vectors (syscall_int.h).
public enum Vector {
    public static let fork = 0x41, exec = 0x42, wait = 0x44, yield = 0x45
    public static let deschedule = 0x46, makeRunnable = 0x47, gettid = 0x48
    public static let newPages = 0x49, removePages = 0x4A, sleep = 0x4B
    public static let getchar = 0x4C, readline = 0x4D, print = 0x4E
    public static let setTermColor = 0x4F, setCursorPos = 0x50, getCursorPos = 0x51
    public static let threadFork = 0x52, getTicks = 0x53, misbehave = 0x54, halt = 0x55
    public static let taskVanish = 0x57, setStatus = 0x59, vanish = 0x60, readfile = 0x62
    public static let swexn = 0x74
    /// Pebblebed extension: a line to the kernel log ({len, buf} packet).
    public static let lprintf = 0x81
    /// Pebblebed: a Simics magic call; the loader patches sim_call's `xchg %ebx,%ebx` into
    /// `int $0x8E` (Simics/MagicPatch.swift).
    public static let simics = 0x8E
}

/// The arguments of one system call: the single argument in %esi, or the packet of argument
/// words %esi points at.
struct SyscallArguments {
    let thread: Thread
    var esi: UInt32 { UInt32(truncatingIfNeeded: thread.regs.rsi) }
    var space: AddressSpace { thread.task.space }

    func words(_ n: Int) throws(PebblesError) -> [UInt32] {
        try space.readWords(esi, count: n)
    }
    var signedESI: Int32 { Int32(bitPattern: esi) }
}

extension Kernel {
    /// Runs system call `vector` for `t`. Returns the value for %eax, or nil when the call set
    /// the registers itself (exec, swexn with newureg) or does not return.
    /// This is the one place where PebblesError becomes a negative return value.
    func dispatchSyscall(vector: Int, thread t: Thread) -> Int32? {
        let a = SyscallArguments(thread: t)
        do {
            return try syscall(vector, a)
        } catch {
            return error.rawValue
        }
    }

    private func syscall(_ v: Int, _ a: SyscallArguments) throws(PebblesError) -> Int32? {
        let t = a.thread
        switch v {
        case Vector.gettid: return t.tid
        case Vector.fork: return try fork(t)
        case Vector.threadFork: return try threadFork(t)
        case Vector.exec: return try execCall(a)
        case Vector.wait: return try wait(t, statusAddress: a.esi)
        case Vector.vanish: t.mustExit = true; return nil   // ends in returnToUser
        case Vector.taskVanish: taskVanish(t, status: a.signedESI); return nil
        case Vector.setStatus: t.task.status = a.signedESI; return 0
        case Vector.yield: return try yieldCall(t, target: a.signedESI)
        case Vector.deschedule: return try descheduleCall(a)
        case Vector.makeRunnable: return try makeRunnableCall(a.signedESI)
        case Vector.sleep: return try sleepCall(a.signedESI)
        case Vector.getTicks: return Int32(bitPattern: UInt32(truncatingIfNeeded: ticks))
        case Vector.misbehave: misbehave(a.signedESI); return 0
        case Vector.halt: halt(status: firstTaskStatus ?? firstTask.status)
        case Vector.newPages:
            let w = try a.words(2)
            try a.space.newPages(base: w[0], length: Int32(bitPattern: w[1]))
            return 0
        case Vector.removePages: try a.space.removePages(base: a.esi); return 0
        case Vector.readfile: return try readfileCall(a)
        case Vector.swexn:
            let w = try a.words(4)
            return try swexn(t, esp3: w[0], eip: w[1], arg: w[2], newureg: w[3]) ? nil : 0
        case Vector.print: return try printCall(a)
        case Vector.lprintf: return try lprintfCall(a)
        case Vector.benchClock: return try benchClockCall(a)
        case Vector.simics: return simicsCall(t)
        default:
            if let handler = deviceCalls[v] { return try handler(a) }
            throw .noSuchCall
        }
    }
}
