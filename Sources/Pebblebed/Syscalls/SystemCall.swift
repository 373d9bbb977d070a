/// What a system call is to the kernel: a row of the table (SyscallTable.swift), the arguments
/// a handler gets, and the one outcome type every handler returns.

/// How a call takes its arguments (Pebbles ABI): none, the one argument itself in %esi, or a
/// packet of argument words in user memory that %esi points at.
enum ArgumentShape: Equatable {
    case none
    case single
    case packet(Int)
}

/// What a handler hands back to the kernel loop.
///
/// There is no "blocked" outcome: a call that must wait (wait, sleep, readline, deschedule)
/// blocks inside its handler, in a wait queue, on its thread's own kernel stack, and returns
/// its outcome when it is woken, as in xv6's sleep().
enum SyscallOutcome: Equatable {
    /// The call's value, for %eax.
    case value(Int32)
    /// The call failed: its negative code goes into %eax.
    case error(PebblesError)
    /// The call set the registers itself (exec's new program, swexn's new ureg): %eax is left
    /// as it is.
    case registersSet
    /// The call does not return to its caller (vanish, task_vanish, halt's callers): the
    /// thread ends before it would run again, %eax untouched.
    case noReturn
}

/// Runs a handler: the kernel and the decoded arguments in, the outcome out.
typealias SyscallHandler = (Kernel, SyscallArguments) throws(PebblesError) -> SyscallOutcome

/// One row of the system-call table.
struct SystemCall {
    /// The `int $n` vector (syscall_int.h).
    let vector: Int
    /// The call's name in the Pebbles interface (syscall.h), as traces show it.
    let name: String
    let arguments: ArgumentShape
    /// The guest stub never returns (its syscalls.list row says noreturn).
    let noReturn: Bool
    let handler: SyscallHandler

    init(_ vector: Int, _ name: String, _ arguments: ArgumentShape, noReturn: Bool = false,
         _ handler: @escaping SyscallHandler) {
        self.vector = vector
        self.name = name
        self.arguments = arguments
        self.noReturn = noReturn
        self.handler = handler
    }
}

/// The arguments of one call: the caller, its single argument (%esi) and, for a packet call,
/// the packet's words, read from user memory before the handler runs.
struct SyscallArguments {
    let thread: Thread
    /// The packet words (empty unless the call takes a packet).
    let packet: [UInt32]
    var esi: UInt32 { thread.frame.esi }
    var signedESI: Int32 { Int32(bitPattern: esi) }
    var space: AddressSpace { thread.task.space }

    /// Packet word `i` as a signed int.
    func signed(_ i: Int) -> Int32 { Int32(bitPattern: packet[i]) }
}

extension Kernel {
    /// System call `vector` of thread `t`, from the trap to %eax: look the vector up, decode the
    /// arguments as its row says, run the handler, store the outcome. This is the one place
    /// where a PebblesError becomes a negative return value.
    func systemCall(_ vector: Int, from t: Thread) {
        t.frame.eip &+= 2   // past `int $n`: the call returns to the next instruction
        let outcome: SyscallOutcome
        do throws(PebblesError) {
            guard let call = Kernel.systemCallTable.call(vector) else { throw .noSuchCall }
            let packet: [UInt32]
            if case .packet(let n) = call.arguments {
                packet = try t.task.space.readWords(t.frame.esi, count: n)
            } else {
                packet = []
            }
            outcome = try call.handler(self, SyscallArguments(thread: t, packet: packet))
        } catch {
            outcome = .error(error)
        }
        switch outcome {
        case .value(let v): t.frame.eax = UInt32(bitPattern: v)
        case .error(let e): t.frame.eax = UInt32(bitPattern: e.rawValue)
        case .registersSet, .noReturn: break
        }
    }
}
