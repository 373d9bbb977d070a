/// The `ureg_t` of the Pebbles interface (ureg.h): the user state a swexn handler is given, and
/// may hand back to swexn to be resumed with. Twenty 32-bit words in this order in guest memory.
struct Ureg: Equatable {
    var cause: UInt32
    /// The faulting address of a page fault (cause 14), else 0.
    var cr2: UInt32
    var ds: UInt32, es: UInt32, fs: UInt32, gs: UInt32
    var edi: UInt32, esi: UInt32, ebp: UInt32
    /// The slot `pusha` leaves for esp; always 0.
    var zero: UInt32
    var ebx: UInt32, edx: UInt32, ecx: UInt32, eax: UInt32
    var errorCode: UInt32
    var eip: UInt32, cs: UInt32, eflags: UInt32, esp: UInt32, ss: UInt32

    static let wordCount = 20
    static let byteCount = 4 * wordCount

    /// The ureg of a saved user state. ds, es and ss are the user data segment (a Pebbles
    /// kernel's SEGSEL_USER_DS is 0x2b too; the trap handler refuses any other), fs and gs what
    /// the thread holds (0x2b unless it loaded a null selector).
    init(_ f: TrapFrame, cause: UInt32, cr2: UInt32) {
        let ds = GuestLayout.userDataSelector
        self.cause = cause
        self.cr2 = cr2
        self.ds = ds; es = ds; fs = f.fs; gs = f.gs
        edi = f.edi; esi = f.esi; ebp = f.ebp; zero = 0
        ebx = f.ebx; edx = f.edx; ecx = f.ecx; eax = f.eax
        errorCode = f.errorCode
        eip = f.eip; cs = GuestLayout.userCodeSelector; eflags = f.eflags; esp = f.esp; ss = ds
    }

    /// The ureg in guest memory (`words` holds exactly `wordCount` words).
    init(words w: [UInt32]) {
        cause = w[0]; cr2 = w[1]
        ds = w[2]; es = w[3]; fs = w[4]; gs = w[5]
        edi = w[6]; esi = w[7]; ebp = w[8]; zero = w[9]
        ebx = w[10]; edx = w[11]; ecx = w[12]; eax = w[13]
        errorCode = w[14]
        eip = w[15]; cs = w[16]; eflags = w[17]; esp = w[18]; ss = w[19]
    }

    var words: [UInt32] {
        [cause, cr2, ds, es, fs, gs, edi, esi, ebp, zero, ebx, edx, ecx, eax,
         errorCode, eip, cs, eflags, esp, ss]
    }
}

extension TrapFrame {
    /// Resumes with the ureg's general registers, eip, esp, flags, fs and gs (swexn checked
    /// them: the other segments are the user segments and stay).
    func adopt(_ u: Ureg) {
        fs = u.fs; gs = u.gs
        edi = u.edi; esi = u.esi; ebp = u.ebp
        ebx = u.ebx; edx = u.edx; ecx = u.ecx; eax = u.eax
        eip = u.eip; eflags = u.eflags | 0x2; esp = u.esp
    }
}
