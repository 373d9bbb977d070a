/// Seeded, reproducible scheduling chaos for stress runs (`--seed`).
///
/// Everything that decides an interleaving comes from one PRNG seeded by the user, and every
/// input it sees is counted in guest instructions and kernel entries, never in wall-clock time:
/// - preemption after a random number of guest instructions (single-stepping counts them),
/// - preemption at random kernel entries (system calls, faults) on the way back to user mode,
/// - a random choice among the runnable threads at every switch,
/// - virtual time: ticks advance with executed instructions, and jump ahead when every thread
///   sleeps, so sleep and get_ticks are reproducible too.
/// What is not reproduced: keyboard input timing, and anything the host does differently
/// (e.g. running out of host memory).
public struct Chaos {
    public let seed: UInt64
    private var state: UInt64
    /// Upper bound of an instruction budget between preemptions; chosen per seed so that some
    /// seeds preempt very often (tiny windows) and some rarely (long critical sections).
    let maxBudget: Int64
    /// Chance, out of 1024, to preempt at a kernel entry.
    let preemptAtEntry: UInt64
    /// Guest instructions that make one virtual tick.
    static let instructionsPerTick: UInt64 = 10_000

    /// Guest instructions run so far (budgets consumed).
    var instructions: UInt64 = 0
    /// Virtual ticks added while idle (every thread asleep).
    var idleTicks: UInt64 = 0
    private var currentBudget: Int64 = 0

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
        let budgets: [Int64] = [20, 100, 500, 3000, 20000]
        maxBudget = budgets[Int(Chaos.mix(&state) % UInt64(budgets.count))]
        preemptAtEntry = Chaos.mix(&state) % 400
    }

    /// SplitMix64: small, fast, and the same on every host.
    static func mix(_ s: inout UInt64) -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(_ bound: UInt64) -> UInt64 { Chaos.mix(&state) % max(bound, 1) }

    var ticks: UInt64 { instructions / Chaos.instructionsPerTick + idleTicks }

    /// Accounts the instructions the running thread used since its budget was set, given
    /// what is `left` of it (Machine.stepBudget).
    mutating func account(left: Int64) {
        let left = max(left, 0)
        instructions += UInt64(max(currentBudget - left, 0))
        currentBudget = left
    }

    /// A fresh budget for the thread about to run, for Machine.stepBudget.
    mutating func newBudget() -> Int64 {
        currentBudget = 1 + Int64(next(UInt64(maxBudget)))
        return currentBudget
    }

    /// Whether to preempt at this kernel entry.
    mutating func preemptNow() -> Bool { next(1024) < preemptAtEntry }

    /// Which of `count` runnable threads runs next.
    mutating func pick(_ count: Int) -> Int { Int(next(UInt64(count))) }
}
