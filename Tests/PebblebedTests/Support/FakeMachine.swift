import Foundation
import Testing
@testable import Pebblebed

/// A machine whose guests are scripts, for kernel tests in the test process (as NIO's system
/// call abstraction layer fakes the OS): `run(thread)` returns the next trap scripted for that
/// thread, after letting the step set up its registers. Everything else is the real kernel:
/// scheduler, kernel contexts (real kernel stacks, switched in this process), wait queues,
/// lifecycle, system-call table, memory bookkeeping. Nothing here uses a signal, a timer or the
/// host's guest range: no address space is ever shown in the host (nothing faults).
///
/// The kernel and memory are process globals, so these tests run one at a time
/// (`KernelSuites` is serialized).
final class FakeMachine: Machine {
    /// One scripted stop of a guest: set registers, then trap.
    struct Step {
        var trap: Trap
        var setUp: (TrapFrame) -> Void = { _ in }
    }

    /// Scripts by tid; a thread whose script is used up makes the vanish call.
    var scripts: [Int32: [Step]] = [:]
    /// Every run, in order: which thread ran (the tid).
    private(set) var runs: [Int32] = []
    /// %eax as each thread saw it at each run after its first: the result of its last call.
    private(set) var results: [Int32: [Int32]] = [:]
    /// Pending interrupt notes, set by tests.
    var timerPending = false
    var keyboardPending = false
    /// The clock; tests move it.
    var clock: UInt64 = 0
    var stepBudget: Int64 = 0
    /// The exit code the machine was powered off with.
    private(set) var exitCode: Int32?
    /// How many times idle waited for an interrupt with nothing runnable.
    private(set) var idleWaits = 0
    private var testContext: KernelContext?

    func run(_ thread: Pebblebed.Thread) -> Trap {
        if runs.contains(thread.tid) {
            results[thread.tid, default: []].append(Int32(bitPattern: thread.frame.eax))
        }
        runs.append(thread.tid)
        if timerPending { return .timer }
        var script = scripts[thread.tid] ?? []
        guard !script.isEmpty else { return .syscall(vector: Vectors.vanish) }
        let step = script.removeFirst()
        scripts[thread.tid] = script
        step.setUp(thread.frame)
        return step.trap
    }

    /// A scripted guest has no instructions to step: a step runs its next scripted stop.
    func runOneInstruction(_ thread: Pebblebed.Thread) -> Trap { run(thread) }

    func takeTimerInterrupt() -> Bool { defer { timerPending = false }; return timerPending }
    var timerInterruptPending: Bool { timerPending }
    func takeKeyboardInterrupt() -> Bool { defer { keyboardPending = false }; return keyboardPending }

    /// Nothing can arrive in a scripted machine: a wait with nothing runnable would be forever,
    /// so the clock jumps a tick (sleepers wake) and, after many idle rounds, the machine stops.
    func waitForInterrupt() {
        idleWaits += 1
        clock += 10_000_000
        if idleWaits > 10_000 { powerOff(exitCode: 99) }
    }

    var nanoseconds: UInt64 { clock }
    func startTimer(periodNanoseconds: UInt64) -> Int32 { 0 }
    func setStepping(_ on: Bool) {}

    func powerOff(exitCode: Int32) -> Never {
        self.exitCode = exitCode
        KernelContext.abandon(for: testContext!)
    }

    /// Runs the machine (the scheduler loop, on a kernel stack of its own) until it powers off;
    /// returns the exit code.
    func start(_ k: Kernel) -> Int32 {
        let here = KernelContext()
        testContext = here
        let scheduler = try! KernelContext(entry: fakeMachineStart, exit: here)
        here.switchTo(scheduler)
        return exitCode!
    }
}

private let fakeMachineStart: @convention(c) (UnsafeMutableRawPointer?) -> Void = { _ in
    kernel.start()
}

/// Vectors the scripts use, from the kernel's own table.
enum Vectors {
    static func of(_ name: String) -> Int {
        Kernel.systemCallTable.calls.first { $0.name == name }!.vector
    }
    static let vanish = of("vanish")
}

/// A kernel on a FakeMachine with a first task ("init") of one thread whose address space has a
/// few writable zero-fill pages at `dataBase` for arguments and results.
struct FakeKernel {
    static let dataBase: UInt32 = 0x0200_0000
    static let dataPages: UInt32 = 4
    let kernel: Kernel
    let machine: FakeMachine

    init(policy: SchedulingPolicy = .standard) throws {
        // An earlier fake machine that powered off left its threads' stacks behind (a real
        // machine exits the process instead); they are not this kernel's to count.
        Pebblebed.Thread.alive = 0
        Task.alive = 0
        memory = try Memory(bytes: 256 * pageSize)
        var options = BootOptions()
        options.hz = 100
        machine = FakeMachine()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-fake-ramdisk").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        kernel = Kernel(options: options, ramdisk: try RAMDisk(directory: dir), machine: machine)
        Pebblebed.kernel = kernel
        kernel.scheduler.policy = policy
        try kernel.makeTask(name: "init")
    }

    /// Runs until the machine powers off; the exit code.
    func run() -> Int32 { machine.start(kernel) }
}

extension Kernel {
    /// A first task with one thread and a data area, as the loader would leave one (tests only).
    func makeTask(name: String) throws {
        let space = AddressSpace()
        try memory.pool.reserve(Int(FakeKernel.dataPages))
        for p in 0..<FakeKernel.dataPages { space.mapZeroFill((FakeKernel.dataBase >> 12) + p) }
        let tid = allocateTid()
        let task = Task(id: tid, space: space, name: name)
        let thread = try Pebblebed.Thread(tid: tid, task: task, scheduler: scheduler)
        task.threads = [thread]
        threads[tid] = thread
        firstTask = task
        liveTasks = 1
        scheduler.makeRunnable(thread)
    }
}

/// Script steps, by system-call name.
extension FakeMachine.Step {
    static func call(_ name: String, esi: UInt32 = 0) -> Self {
        .init(trap: .syscall(vector: Vectors.of(name))) { $0.esi = esi }
    }
    static func call(_ name: String, packet: [UInt32]) -> Self {
        .init(trap: .syscall(vector: Vectors.of(name))) { f in
            try! kernel.threads.values.first { $0.frame === f }!.task.space
                .copyOut(littleEndianBytes(words: packet), to: FakeKernel.dataBase + 0x800)
            f.esi = FakeKernel.dataBase + 0x800
        }
    }
}

/// Kernel tests in the test process share the globals `kernel` and `memory`: every suite that
/// sets them is nested here, so they run one at a time.
@Suite(.serialized) enum InProcessKernel {}
