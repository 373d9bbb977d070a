/// The kernel side of Simics magic calls: a patched sim_call traps with `int $0x8E` (see
/// MagicPatch) and lands here with the command in %ebx and its arguments in %ecx and %edx.
extension Kernel {
    /// Longest SIM_PUTS string taken (410's report lines are at most 256 bytes).
    static let maxSimicsString = 4096

    /// Serves one magic call. Simics writes %eax only for the calls that answer; the others
    /// leave every register as it was.
    func simicsCall(_ t: Thread) -> SyscallOutcome {
        let ebx = t.frame.ebx, ecx = t.frame.ecx, edx = t.frame.edx
        switch SimicsCommand(code: ebx) {
        case .inSimics: return .value(1)
        case .memorySize: return .value(Int32(truncatingIfNeeded: options.memoryBytes >> 10))
        case .puts: simicsPuts(t, address: ecx)
        case .breakpoint: magicBreak(t)
        case .halt:
            logKernelLine(t, "SIM_HALT: halting the machine")
            halt(status: firstTaskStatus ?? firstTask.status)
        case .harness(let code):
            logKernelLine(t, "sim_call \(hex(code)) (test harness; ecx \(hex(ecx)), edx \(hex(edx))) ignored")
        case .unknown(let code):
            logKernelLine(t, "sim_call \(hex(code)): unknown command, ignored")
        }
        return .registersSet
    }

    /// One line a guest wrote to the kernel log (lprintf, SIM_PUTS), prefixed with its task and
    /// thread; it may be a 15-410 test report line.
    func logGuestLine(_ t: Thread, _ text: String) {
        KernelLog.line("[task \(t.task.id) thread \(t.tid)] " + text)
        if TestReport.parse(text) != nil { noteEndedTestTasks() }
        testReport.note(text, task: t.task.id)
    }

    /// Tells the test report which tasks have ended (no thread left in the thread table).
    func noteEndedTestTasks() {
        let live = Set(threads.values.map { $0.task.id })
        testReport.noteEndedTasks { !live.contains($0) }
    }

    /// A kernel message about what a guest thread did.
    func logKernelLine(_ t: Thread, _ text: String) {
        KernelLog.line("[task \(t.task.id) thread \(t.tid)] kernel: " + text)
    }

    private func simicsPuts(_ t: Thread, address: UInt32) {
        do {
            var bytes = try t.task.space.readString(address, limit: Kernel.maxSimicsString)
            while bytes.last == 10 { bytes.removeLast() }
            logGuestLine(t, String(decoding: bytes, as: UTF8.self))
        } catch {
            logKernelLine(t, "SIM_PUTS: no string at \(hex(address)) (\(error.description))")
        }
    }

    /// MAGIC_BREAK: stops in gdb under the gdb stub (Debugger/), else stops the host debugger
    /// when one is attached, else only logs. The magic instruction is the two bytes before the
    /// saved eip (the trap already stepped over it).
    private func magicBreak(_ t: Thread) {
        let at = "eip \(hex(t.frame.eip &- 2)), esp \(hex(t.frame.esp))"
        if let debugger, debugger.active {
            logKernelLine(t, "SIM_BREAKPOINT at \(at): stopping in gdb")
            debugger.magicBreak(t)
            return
        }
        guard HostDebugger.isAttached else {
            logKernelLine(t, "SIM_BREAKPOINT at \(at); no debugger attached, continuing")
            return
        }
        logKernelLine(t, "SIM_BREAKPOINT at \(at): stopping in the debugger (SIGTRAP)")
        HostDebugger.stop()
    }

    /// The kernel killed thread `t` (called by `kill`): an abort-type test's expected end.
    func noteKilled(_ t: Thread) {
        testReport.taskKilled(t.task.id)
    }
}
