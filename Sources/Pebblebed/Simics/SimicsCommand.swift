/// The commands a Pebbles program's `sim_call(cmd, arg1, arg2)` passes to the Simics simulator
/// in %ebx (arguments in %ecx and %edx), as 15-410's simics.h numbers them. Simics answers in
/// %eax; every other register comes back unchanged.
public enum SimicsCommand: Equatable, Sendable {
    /// SIM_IN_SIMICS: %eax = 1.
    case inSimics
    /// SIM_MEMSIZE: %eax = the machine's memory in KiB (Simics: memory_megs * 1024).
    case memorySize
    /// SIM_PUTS: the NUL-terminated string at %ecx to the log.
    case puts
    /// SIM_BREAKPOINT (MAGIC_BREAK): stop in the debugger.
    case breakpoint
    /// SIM_HALT: stop the machine.
    case halt
    /// 0x041080xx: the 15-410 test harness (SIM_TEST_REPORT 0x0410800B among them); the
    /// harness is not here, so these are logged and otherwise ignored.
    case harness(UInt32)
    /// Anything else (the kernel-only calls such as SIM_REG_PROCESS, or garbage).
    case unknown(UInt32)

    public static let inSimicsCode: UInt32 = 0x0410_0000
    public static let testReportCode: UInt32 = 0x0410_800B

    public init(code: UInt32) {
        switch code {
        case 0x0410_0000: self = .inSimics
        case 0x0410_0001: self = .memorySize
        case 0x0410_0002: self = .puts
        case 0x0410_0003: self = .breakpoint
        case 0x0410_0004: self = .halt
        case 0x0410_8000...0x0410_80FF: self = .harness(code)
        default: self = .unknown(code)
        }
    }
}
