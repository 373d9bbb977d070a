// Signals as the machine's traps and interrupts. See include/pb_machine.h.
// Everything reachable from a handler here is async-signal-safe: no allocation, no locks, no stdio.
#define _GNU_SOURCE
#include "pb_machine.h"
#include "pb_terminal.h"
#include "pb_gate.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <asm/prctl.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <execinfo.h>
#include <cpuid.h>

// Interrupts on and off. The host signal mask stays empty while the kernel runs, as while a
// guest runs: blocking and unblocking signals costs a host system call each way, and a trap
// could then only go back to its guest through rt_sigreturn (about a quarter of a trap's time on
// the measured host) to unblock them atomically with the jump. Instead "interrupts off" is
// pb_in_kernel, in the manner of User-Mode Linux and of lazy interrupt masking in real kernels:
// an interrupt signal that finds the kernel running only notes itself in pb_pending_timer or
// pb_pending_io and returns, touching no kernel data; the kernel takes it on its way out to a
// guest (pb_exit_to_guest) or in idle. So kernel code is still never re-entered, and a handler
// that interrupts it never allocates or reads what the kernel is changing.
volatile int pb_in_kernel = 1;

#define FP_XSTATE_MAGIC1 0x46505853U
#define ALTSTACK_SIZE (256 * 1024)
#define EXIT_XRSTOR 1
#define EXIT_FSBASE 2
// The flags a guest keeps across every trap: each flag popf changes in user mode (with IOPL 0:
// CF PF AF ZF SF TF DF OF NT AC ID, measured on the host), and RF. A Pebbles kernel's iret gives
// all of them back; Linux's rt_sigreturn (FIX_EFLAGS) would drop NT and ID, and a seeded run,
// which traps after every instruction, would then lose them between a popf and a pushf. IF and
// the fixed bit 1 are added at the exit.
#define EFLAGS_TF 0x100ULL
#define EFLAGS_NT 0x4000ULL
#define EFLAGS_AC 0x40000ULL
#define GUEST_EFLAGS 0x254dd5ULL
// A selector restore_host_segments refuses: the flag keeps a refused null selector nonzero.
#define SEGMENT_REFUSED 0x10000ULL

static pb_panic_fn kernel_panic;
// The guest that runs (or last ran) and where its next trap is reported: set by pb_run_guest.
static pb_trapframe *current_tf;
static pb_event *current_ev;
// The kernel context pb_run_guest saved: every trap resumes it (pb_resume_kernel).
void *pb_kernel_sp;
static stack_t altstack;
static uint64_t host_fs_base;
static int have_fsgsbase;
static uint32_t xsave_size = 512;
volatile int pb_pending_timer;
volatile int64_t pb_step_budget;
static int stepping;
volatile int pb_pending_io;
static uint64_t host_gs_base;
// Hosts without FSGSBASE: the guest's FS (and, were the host's GS base not 0, GS) selector that
// the running handler replaced to restore the host's base (arch_prctl leaves selector 0), for
// save_user_state. Cleared by every exit to a guest; a handler nested in another only sets them
// when it finds a guest selector still loaded, which is then the same one.
static uint16_t taken_fs, taken_gs;
// The last selector restore_host_segments refused since the guest last left the kernel: a
// signal that lands in a handler before that handler reads the segment registers runs
// restore_host_segments first and puts them right, and the interrupted handler must still
// learn what the guest did (at 10,000 ticks a second a GS load of 0x33 went unpunished this
// way). Cleared by every exit to a guest.
static uint64_t refused_selector;

// The registers and iretq frame pb_exit_to_guest pops. Only one exit is ever in flight: an
// interrupt in the exit window abandons it and enters the kernel, which builds the next.
static _Alignas(64) uint64_t exit_block[20];
// A fresh FPU (a thread that has not trapped yet): x87 and SSE control words at their reset
// values, an xsave header that marks every component as initial.
static _Alignas(64) unsigned char fresh_fpu[576];
static int host_xsave;   // signal frames carry an xsave area (else a 512-byte fxsave area)

void pb_resume_kernel(void) __attribute__((noreturn));
void pb_exit_to_guest(const uint64_t *block, const void *fpstate, uint64_t how)
    __attribute__((noreturn));
extern const char pb_exit_window_start[], pb_exit_window_end[];
static __attribute__((noreturn)) void exit_to_guest(const pb_trapframe *tf);

// The data selectors a Pebbles program may hold in FS and GS: null (any RPL) or the user data
// segment, whose descriptor (base 0, limit 4 GiB) is the same in Linux's GDT. Pebbles faults on
// the rest (kernel and TSS selectors); here some others would even load (0x23, 0x33, the
// vDSO's 0x7b), so they are refused by name.
static inline int allowed_data_selector(uint16_t sel) {
    return (sel & ~3) == 0 || sel == PB_USER_DS;
}

// Runs first in every handler: a guest may have loaded FS or GS, and the host's FS base holds
// glibc's and Swift's thread-local storage. Returns the selector the guest may not hold, with
// SEGMENT_REFUSED, or 0 if none (this call's or a nested one's: see refused_selector).
// With FSGSBASE only the FS base is put back: an allowed guest selector (0x2b) stays loaded in
// the kernel, where 64-bit code ignores it and Linux keeps selector and base across its own
// context switches (it saves both when the CPU has FSGSBASE); save_user_state reads it there.
// The GS base of the host is 0 (checked at boot), which is also what 0x2b loads, so GS stays
// as the guest left it. Without FSGSBASE the selector must go (arch_prctl sets FS to 0).
static inline __attribute__((always_inline)) uint64_t restore_host_segments(void) {
    // A guest may set EFLAGS.AC (alignment checking, honoured in user mode) and EFLAGS.NT
    // (nested task), and Linux keeps both in the handler: the emulator's own unaligned
    // accesses would fault with AC, and iretq with NT set raises #GP in 64-bit mode, so the
    // exit path would fault. popfq is slow and this is the trap path: read the flags, write
    // them only if either is set. The guest gets them back from its saved flags.
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    if (flags & (EFLAGS_AC | EFLAGS_NT))
        __asm__ volatile("pushq %0; popfq" :: "r"(flags & ~(EFLAGS_AC | EFLAGS_NT)) : "memory", "cc");
    uint16_t fs, gs, ds, es;
    __asm__ volatile("mov %%fs,%0; mov %%gs,%1; mov %%ds,%2; mov %%es,%3"
                     : "=r"(fs), "=r"(gs), "=r"(ds), "=r"(es));
    uint64_t bad = 0;
    if (have_fsgsbase) {
        uint64_t base;
        __asm__ volatile("rdfsbase %0" : "=r"(base));
        if (base != host_fs_base) {
            __asm__ volatile("wrfsbase %0" :: "r"(host_fs_base));
            // A guest runs with FS base 0 (the exit path writes it, or loads 0x2b, whose base is
            // 0); another base is one 64-bit guest code wrote with wrfsbase.
            if (base != 0) bad = SEGMENT_REFUSED | 0xffff;
        }
    } else if (fs != 0 || !pb_in_kernel) {
        // Without FSGSBASE the base cannot be read, and a guest's null load clears it on Intel
        // and newer AMD parts (this host's: measured) while FS still reads 0: after guest code
        // (pb_in_kernel 0: the guest or the exit window ran) it is put back whatever FS says.
        long ret;
        __asm__ volatile("syscall" : "=a"(ret)
                         : "0"(SYS_arch_prctl), "D"(ARCH_SET_FS), "S"(host_fs_base)
                         : "rcx", "r11", "memory");
        if (fs != 0) taken_fs = fs;
    }
    if (!allowed_data_selector(fs)) bad = SEGMENT_REFUSED | fs;
    if (gs != 0 && (host_gs_base != 0 || !allowed_data_selector(gs))) {
        if (host_gs_base != 0) {
            long ret;
            __asm__ volatile("syscall" : "=a"(ret)
                             : "0"(SYS_arch_prctl), "D"(ARCH_SET_GS), "S"(host_gs_base)
                             : "rcx", "r11", "memory");
            taken_gs = gs;
        } else {
            __asm__ volatile("mov %0,%%gs" :: "r"(0));
        }
        if (!allowed_data_selector(gs)) bad = SEGMENT_REFUSED | gs;
    }
    if (ds != PB_USER_DS || es != PB_USER_DS) {
        __asm__ volatile("mov %0,%%ds; mov %0,%%es" :: "r"(PB_USER_DS));
        bad = SEGMENT_REFUSED | (ds != PB_USER_DS ? ds : es);
    }
    if (bad) refused_selector = bad;
    return refused_selector;
}

void pb_repair_host_segments(void) { (void)restore_host_segments(); }

// The gate's segment step (pb_gate.S), the trap path's own rules: restore_host_segments'
// verdict on FS, GS, DS and ES, plus the guest's FS base as it was at the gate (the gate put the
// host's back before calling: only 64-bit guest code can have written another). The thread's
// FS and GS selectors go to pb_gate_fsgs, laid out as in the frame's CSGSFS word, as
// save_user_state keeps them. Returns the refused selector, 0 if none.
uint64_t pb_gate_fsgs;
uint64_t pb_gate_segments(uint64_t guest_fs_base) {
    uint64_t bad = restore_host_segments();
    if (guest_fs_base != 0 && guest_fs_base != host_fs_base)
        bad = refused_selector = SEGMENT_REFUSED | 0xffff;
    uint16_t fs, gs;
    __asm__ volatile("mov %%fs,%0; mov %%gs,%1" : "=r"(fs), "=r"(gs));
    pb_gate_fsgs = (uint64_t)gs << 16 | (uint64_t)fs << 32;
    return bad ? bad & 0xffff : 0;
}

// The gate restores the host's FS base with wrfsbase: it exists only where the trap path uses
// FSGSBASE too (not on a host without it, nor under PEBBLEBED_TEST_NO_FSGSBASE).
int pb_machine_has_fsgsbase(void) { return have_fsgsbase; }

// What a signal interrupted.
enum interrupted {
    IN_GUEST,   // guest code
    IN_EXIT,    // the exit window of pb_exit_to_guest: the guest about to run from its trap frame
    IN_KERNEL,  // the kernel, idle, or a handler before it entered the kernel (on the altstack)
};

static inline enum interrupted interrupted_context(const ucontext_t *uc) {
    const greg_t *g = uc->uc_mcontext.gregs;
    uint64_t rip = (uint64_t)g[REG_RIP], rsp = (uint64_t)g[REG_RSP];
    uint64_t alt = (uint64_t)altstack.ss_sp;
    if (rip >= (uint64_t)pb_exit_window_start && rip < (uint64_t)pb_exit_window_end) return IN_EXIT;
    if ((g[REG_CSGSFS] & 0xffff) == PB_GUEST_CS || (rip >= PB_USER_MEM_START && rip < PB_USER_MEM_END))
        return IN_GUEST;
    // A handler runs on the altstack before it sets pb_in_kernel. What is left, 64-bit code
    // outside the guest range while no kernel runs, is a guest that switched modes and jumped
    // (a fault there is the guest's, not a kernel panic).
    if (pb_in_kernel || (rsp >= alt && rsp <= alt + altstack.ss_size)) return IN_KERNEL;
    return IN_GUEST;
}

static uint32_t fpstate_size(const void *fp) {
    const uint32_t *sw = (const uint32_t *)((const char *)fp + 464);
    return sw[0] == FP_XSTATE_MAGIC1 ? sw[1] : 512;
}

// Where each user state component lives in a standard-format xsave area (CPUID leaf 0xD), so
// that a trap copies only the components the guest has in use (XSTATE_BV in the area's header)
// instead of the whole area: XRSTOR initializes every component whose bit is clear, whatever
// bytes are there. On the measured host an x87/SSE guest needs 588 bytes of 2444 (legacy area,
// header, PKRU, the trailing magic).
#define XSAVE_LEGACY_AND_HEADER 576
static struct { uint32_t offset, size; } xcomponent[64];

static void probe_xsave_layout(void) {
    for (unsigned i = 2; i < 64; i++) {
        unsigned size, offset, flags, unused;
        if (!__get_cpuid_count(0xD, i, &size, &offset, &flags, &unused)) return;
        if (size && !(flags & 1)) {   // ecx bit 0: a supervisor component, never in signal frames
            xcomponent[i].offset = offset;
            xcomponent[i].size = size;
        }
    }
}

// Copies the xsave area `src` laid out over `size` bytes (the frame's extended size) into `dst`:
// the legacy area with its software bytes, the header, each component in use, and the trailing
// FP_XSTATE_MAGIC2 that rt_sigreturn looks for. An unknown component in use: all of it.
static void copy_xstate(uint8_t *dst, const uint8_t *src, uint32_t size) {
    if (size <= XSAVE_LEGACY_AND_HEADER + 4) { memcpy(dst, src, size); return; }
    uint64_t in_use;
    memcpy(&in_use, src + 512, sizeof in_use);
    for (unsigned i = 2; i < 64 && (in_use >> i); i++) {
        if (!(in_use >> i & 1)) continue;
        uint32_t off = xcomponent[i].offset, n = xcomponent[i].size;
        if (n == 0 || off + n > size - 4) { memcpy(dst, src, size); return; }
        memcpy(dst + off, src + off, n);
    }
    memcpy(dst, src, XSAVE_LEGACY_AND_HEADER);
    memcpy(dst + size - 4, src + size - 4, 4);
}

// The guest's own TF when it trapped. Unseeded it is the hardware's. In a seeded run the exit
// sets TF for the kernel's single steps, so the hardware's says nothing; the trap frame has the
// guest's as of its last instruction (every instruction ends in a step trap that records it,
// see stepped_instruction), and a trap before the next one completes leaves TF as it was.
static inline uint64_t guest_tf(const greg_t *g) {
    return stepping ? current_tf->regs.eflags & EFLAGS_TF : (uint64_t)g[REG_EFL] & EFLAGS_TF;
}

// own_tf: the guest's TF to record (guest_tf, or what stepped_instruction found).
static void save_user_state(const ucontext_t *uc, uint64_t own_tf) {
    pb_trapframe *tf = current_tf;
    memcpy(&tf->regs, uc->uc_mcontext.gregs, sizeof(pb_regs));
    tf->regs.eflags = (tf->regs.eflags & ~EFLAGS_TF) | own_tf;
    // Linux leaves the FS and GS fields of a 64-bit signal frame 0: the selectors are read
    // here, where restore_host_segments left them (or took them, without FSGSBASE), and kept
    // in the frame's CSGSFS word (cs, gs, fs, ss) for the exit to load again.
    uint16_t fs, gs;
    __asm__ volatile("mov %%fs,%0; mov %%gs,%1" : "=r"(fs), "=r"(gs));
    if (fs == 0) fs = taken_fs;
    if (gs == 0) gs = taken_gs;
    tf->regs.csgsfs = (tf->regs.csgsfs & 0xffff00000000ffffULL) | (uint64_t)gs << 16 | (uint64_t)fs << 32;
    const void *fp = uc->uc_mcontext.fpregs;
    uint32_t n = fp ? fpstate_size(fp) : 0;
    if (n > tf->fpcapacity) n = 0;   // cannot happen: capacity is the host's size, checked at boot
    if (n) copy_xstate(tf->fpstate, fp, n);
    tf->fpsize = n;
}

// The trap is complete (*current_ev says why): save the guest's state and return from the
// kernel's pb_run_guest.
static __attribute__((noreturn)) void enter_kernel(const ucontext_t *uc, uint64_t own_tf) {
    pb_in_kernel = 1;
    save_user_state(uc, own_tf);
    pb_resume_kernel();
}

// An interrupt for a guest that was about to run: its state is all in its trap frame already.
// The interrupt signals, which their own handler runs with blocked (see install_interrupt).
static sigset_t interrupt_signals;

// An interrupt handler leaving for the kernel, not through rt_sigreturn: it unblocks the
// interrupt signals itself, once interrupts are off (pb_in_kernel), so one that was held back
// meanwhile only notes itself. A host system call, but per interrupt, not per trap.
static void unblock_interrupts(void) {
    sigprocmask(SIG_UNBLOCK, &interrupt_signals, NULL);
}

static __attribute__((noreturn)) void enter_kernel_for_interrupt(int timer, int from_handler) {
    pb_in_kernel = 1;
    memset(current_ev, 0, sizeof *current_ev);
    current_ev->signo = timer ? SIGALRM : SIGIO;
    current_ev->kind = timer ? PB_EV_TIMER : PB_EV_IO;
    if (from_handler) unblock_interrupts();
    pb_resume_kernel();
}

// pb_exit_to_guest found an interrupt pending: the timer first, the keyboard on the next exit.
// Not in a handler: the mask is empty already.
__attribute__((noreturn)) void pb_exit_interrupted(void) {
    enter_kernel_for_interrupt(pb_pending_timer != 0, 0);
}

static inline int is_prefix(uint8_t b) {
    switch (b) {
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65: case 0x66: case 0x67:
    case 0xf0: case 0xf2: case 0xf3: return 1;
    default: return 0;
    }
}

// Seeded runs: a guest instruction ran with the kernel's TF (the trap frame holds the state it
// began in). Returns the guest's own TF after it. Only three instructions touch TF in user mode:
// pushf stored the flags with the kernel's TF, so the stored word gets the guest's TF instead
// (the guest must not see single-stepping); popf and iret loaded the guest's choice of TF from
// its stack, which the hardware's TF now shows; anything else left the guest's TF as it was.
// Reading the instruction's bytes is safe: the CPU has just fetched them (guest pages are never
// execute-only), and nothing ran since. The store goes where the pushf itself just wrote.
static uint64_t stepped_instruction(const greg_t *g, uint64_t own_tf) {
    const pb_regs *before = &current_tf->regs;
    uint32_t eip = (uint32_t)before->rip;
    int word = 0;
    unsigned n = 0;
    uint8_t op;
    for (;;) {
        if ((uint64_t)eip + n >= PB_USER_MEM_END || eip + n < PB_USER_MEM_START) return own_tf;
        op = *(const volatile uint8_t *)(uintptr_t)(eip + n);
        if (!is_prefix(op)) break;
        if (op == 0x66) word = 1;
        if (++n == 15) return own_tf;   // longer than an instruction can be: not one that ran
    }
    switch (op) {
    case 0x9c: {   // pushf: 4 bytes (2 with an operand-size prefix), TF in the low word either way
        uint32_t esp = (uint32_t)g[REG_RSP];
        if (esp != (uint32_t)before->rsp - (word ? 2 : 4) || esp < PB_USER_MEM_START ||
            (uint64_t)esp + 2 > PB_USER_MEM_END)
            return own_tf;
        volatile uint16_t *flags = (volatile uint16_t *)(uintptr_t)esp;
        *flags = (uint16_t)((*flags & ~EFLAGS_TF) | own_tf);
        return own_tf;
    }
    case 0x9d: case 0xcf:   // popf, iret
        return (uint64_t)g[REG_EFL] & EFLAGS_TF;
    default:
        return own_tf;
    }
}

static void classify_sync(int sig, const siginfo_t *si, const greg_t *g, pb_event *ev) {
    ev->signo = sig;
    ev->code = si->si_code;
    ev->vector = (int32_t)g[REG_TRAPNO];
    ev->addr = (uint64_t)si->si_addr;
    ev->err = (uint64_t)g[REG_ERR];
    ev->kind = PB_EV_FAULT;
    if (sig == SIGSYS) { ev->kind = PB_EV_SECCOMP; ev->vector = si->si_syscall; return; }
    if (sig != SIGSEGV) return;
    if (g[REG_TRAPNO] == 14) { ev->kind = PB_EV_PAGEFAULT; return; }
    // `int $n` through a gate the guest may not use: #GP with error code n<<3|2 (IDT, external 0).
    // A failed rt_sigreturn reports a stale 13/0x20a too, so the bytes at RIP must really be CD nn.
    uint64_t err = (uint64_t)g[REG_ERR];
    if (g[REG_TRAPNO] == 13 && (err & 7) == 2) {
        uint64_t rip = (uint64_t)g[REG_RIP];
        if (rip >= PB_USER_MEM_START && rip + 2 <= PB_USER_MEM_END) {
            const unsigned char *ip = (const unsigned char *)rip;
            if (ip[0] == 0xCD && ip[1] == (err >> 3)) {
                ev->kind = PB_EV_SYSCALL;
                ev->vector = (int32_t)(err >> 3);
            }
        }
    }
}

static void sync_handler(int sig, siginfo_t *si, void *ctx) {
    // Sent by a process (kill, tgkill: si_code <= 0), not raised by the CPU (pb_terminal.c).
    if (si->si_code <= 0) pb_external_signal(sig, si);
    if (pb_gate_signal(sig, si, ctx)) return;   // the system-call gate's window (pb_gate.c)
    uint64_t bad_selector = restore_host_segments();
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    // A fault in the exit window is the kernel's: it built a state the CPU refused.
    if (interrupted_context(uc) != IN_GUEST || current_tf == NULL) {
        kernel_panic(sig, si->si_code, (uint64_t)si->si_addr, (const pb_regs *)g);
        _exit(70);
    }
    // Single-step fast path: count the instruction and resume the guest at once, through the
    // trap frame so that an interrupt in the exit window finds the state it needs there. If
    // the guest had set TF itself when the instruction began, the trap is also its own debug
    // exception, as it would be unseeded: that goes to the kernel.
    if (sig == SIGTRAP && stepping && si->si_code == TRAP_TRACE && !bad_selector &&
        (g[REG_CSGSFS] & 0xffff) == PB_GUEST_CS) {
        uint64_t own_tf = current_tf->regs.eflags & EFLAGS_TF;
        uint64_t tf_after = stepped_instruction(g, own_tf);
        if (--pb_step_budget > 0 && !own_tf) {
            save_user_state(uc, tf_after);
            exit_to_guest(current_tf);
        }
        if (own_tf) {
            classify_sync(sig, si, g, current_ev);
        } else {
            memset(current_ev, 0, sizeof *current_ev);
            current_ev->kind = PB_EV_STEP;
            current_ev->signo = sig;
        }
        enter_kernel(uc, tf_after);
    }
    classify_sync(sig, si, g, current_ev);
    if (bad_selector || (g[REG_CSGSFS] & 0xffff) != PB_GUEST_CS) {
        current_ev->kind = PB_EV_SEGMENT;
        current_ev->addr = bad_selector ? bad_selector & 0xffff : (uint64_t)(g[REG_CSGSFS] & 0xffff);
    }
    enter_kernel(uc, guest_tf(g));
}

static void async_handler(int sig, siginfo_t *si, void *ctx) {
    if (pb_gate_signal(sig, si, ctx)) return;   // the system-call gate's window (pb_gate.c)
    uint64_t bad_selector = restore_host_segments();
    (void)si;
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    enum interrupted where = interrupted_context(uc);
    if (where == IN_KERNEL || current_tf == NULL) {
        // Interrupts are off: note it for the way out (or idle) and let the kernel go on.
        // The keyboard is read by the kernel (ioInterrupt), never here, so the ring has one
        // producer and one consumer, both kernel code.
        if (sig == SIGALRM) pb_pending_timer = 1; else pb_pending_io = 1;
        return;
    }
    if (where == IN_EXIT) enter_kernel_for_interrupt(sig == SIGALRM, 1);
    memset(current_ev, 0, sizeof *current_ev);
    current_ev->signo = sig;
    current_ev->kind = sig == SIGALRM ? PB_EV_TIMER : PB_EV_IO;
    if (bad_selector || (g[REG_CSGSFS] & 0xffff) != PB_GUEST_CS) {
        current_ev->kind = PB_EV_SEGMENT;
        current_ev->addr = bad_selector ? bad_selector & 0xffff : (uint64_t)(g[REG_CSGSFS] & 0xffff);
    }
    pb_in_kernel = 1;
    save_user_state(uc, guest_tf(g));
    unblock_interrupts();
    pb_resume_kernel();
}

static volatile uint32_t probed_xsave;
static void probe_handler(int sig, siginfo_t *si, void *ctx) {
    (void)sig; (void)si;
    ucontext_t *uc = ctx;
    probed_xsave = uc->uc_mcontext.fpregs ? fpstate_size(uc->uc_mcontext.fpregs) : 512;
}

// The size of the xsave area the host kernel puts in signal frames, learnt from one signal.
static int probe_xsave_size(void) {
    struct sigaction sa = {0}, old;
    sa.sa_sigaction = probe_handler;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGUSR2, &sa, &old)) return errno;
    // The parent may have left SIGUSR2 blocked (test runners do): then raise() would only queue
    // it, and it would kill the machine the moment a guest first runs with signals unblocked.
    sigset_t usr2, saved;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_UNBLOCK, &usr2, &saved);
    raise(SIGUSR2);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    sigaction(SIGUSR2, &old, NULL);
    xsave_size = probed_xsave ? probed_xsave : 512;
    return 0;
}

// Every trap handler runs with the mask of what it interrupted (SA_NODEFER, empty sa_mask): it
// may leave for the kernel and the guest without rt_sigreturn, and the mask must then still be
// empty. SA_RESTART: a host system call of the kernel's that an interrupt note interrupted is
// restarted.
static int install(int sig, void (*fn)(int, siginfo_t *, void *)) {
    struct sigaction sa = {0};
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL) ? errno : 0;
}

// The interrupt handlers run with both interrupt signals blocked, so they never nest: with
// SA_NODEFER, another process sending SIGIO in a tight loop (faster than a note handler
// returns) stacked one signal frame on another until the alternate stack overflowed and the
// emulator died of SIGSEGV. A note returns through rt_sigreturn, which restores the mask; the
// ways into the kernel unblock them themselves (unblock_interrupts).
static int install_interrupt(int sig) {
    struct sigaction sa = {0};
    sa.sa_sigaction = async_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sa.sa_mask = interrupt_signals;
    return sigaction(sig, &sa, NULL) ? errno : 0;
}

int pb_machine_init(pb_panic_fn panic) {
    kernel_panic = panic;
    if (syscall(SYS_arch_prctl, ARCH_GET_FS, &host_fs_base)) return errno;
    if (syscall(SYS_arch_prctl, ARCH_GET_GS, &host_gs_base)) return errno;
    have_fsgsbase = (getauxval(AT_HWCAP2) & 2) != 0;   // HWCAP2_FSGSBASE
    // Tests only: run the path of hosts without FSGSBASE (Linux before 5.9) on this one.
    if (getenv("PEBBLEBED_TEST_NO_FSGSBASE")) have_fsgsbase = 0;
    probe_xsave_layout();
    int err = probe_xsave_size();
    if (err) return err;
    host_xsave = xsave_size > 512;
    uint16_t fcw = 0x37f;
    uint32_t mxcsr = 0x1f80;
    memcpy(fresh_fpu, &fcw, sizeof fcw);
    memcpy(fresh_fpu + 24, &mxcsr, sizeof mxcsr);
    altstack.ss_sp = aligned_alloc(64, ALTSTACK_SIZE);
    altstack.ss_size = ALTSTACK_SIZE;
    altstack.ss_flags = 0;
    if (!altstack.ss_sp) return ENOMEM;
    if (sigaltstack(&altstack, NULL)) return errno;
    // Synchronous signals must never be blocked (a blocked SIGSEGV from the kernel itself would
    // kill the process without a panic report).
    int sync_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof sync_signals / sizeof *sync_signals; i++)
        if ((err = install(sync_signals[i], sync_handler))) return err;
    sigemptyset(&interrupt_signals);
    sigaddset(&interrupt_signals, SIGALRM);
    sigaddset(&interrupt_signals, SIGIO);
    if ((err = install_interrupt(SIGALRM))) return err;
    if ((err = install_interrupt(SIGIO))) return err;
    // The mask stays empty from here on, whatever the parent process left blocked (a blocked
    // SIGSEGV or SIGTRAP inherited from it would break traps; a blocked SIGALRM the timer).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    // Guest code addresses memory through DS/ES; in compatibility mode a null selector faults.
    // The host never changes them again, and 64-bit code ignores them.
    __asm__ volatile("mov %0,%%ds; mov %0,%%es" :: "r"(PB_USER_DS));
    return 0;
}

void pb_set_stepping(int on) { stepping = on; }

uint32_t pb_signal_xsave_size(void) { return xsave_size; }

// As a Pebbles kernel starts a program: CS the user code segment, every data segment register
// (ds, es, fs, gs, ss) the user data segment. The word's layout is mcontext's: cs, gs, fs, ss.
uint64_t pb_initial_csgsfs(void) {
    return PB_GUEST_CS | (uint64_t)PB_USER_DS << 16 | (uint64_t)PB_USER_DS << 32 | (uint64_t)PB_USER_DS << 48;
}

int pb_trapframe_init(pb_trapframe *tf) {
    memset(tf, 0, sizeof *tf);
    uint32_t cap = (xsave_size + 63) & ~63U;
    tf->fpstate = aligned_alloc(64, cap);
    if (!tf->fpstate) return ENOMEM;
    tf->fpcapacity = cap;
    tf->regs.csgsfs = pb_initial_csgsfs();
    tf->regs.eflags = 0x202;
    return 0;
}

void pb_trapframe_destroy(pb_trapframe *tf) {
    free(tf->fpstate);
    tf->fpstate = NULL;
    tf->fpcapacity = 0;
}

void pb_trapframe_copy(pb_trapframe *dst, const pb_trapframe *src) {
    dst->regs = src->regs;
    dst->fpsize = src->fpsize <= dst->fpcapacity ? src->fpsize : 0;
    if (dst->fpsize) copy_xstate(dst->fpstate, src->fpstate, dst->fpsize);
}

// Back to the guest with pb_exit_to_guest: general registers, flags, the code segment and
// the FPU/SSE state from the trap frame, restored in user mode by xrstor and iretq. Unlike
// rt_sigreturn it makes no host system call; the mask needs no change (see pb_in_kernel).
// tf is current_tf: an interrupt in the exit window takes the guest's state from there.
static __attribute__((noreturn)) void exit_to_guest(const pb_trapframe *tf) {
    const uint64_t *r = (const uint64_t *)&tf->regs;
    memcpy(exit_block, r, 15 * sizeof(uint64_t));   // r8..rcx: the mcontext order is the pop order
    exit_block[15] = tf->regs.rip & 0xffffffffULL;
    exit_block[16] = PB_GUEST_CS;                     // whatever the frame says: 32-bit user code
    exit_block[17] = (tf->regs.eflags & GUEST_EFLAGS) | 0x202 | (stepping ? EFLAGS_TF : 0);
    exit_block[18] = tf->regs.rsp & 0xffffffffULL;
    exit_block[19] = PB_USER_DS;
    const void *fp = tf->fpsize ? tf->fpstate : fresh_fpu;
    uint64_t how = have_fsgsbase ? EXIT_FSBASE : 0;
    if (tf->fpsize ? tf->fpsize > 512 : host_xsave) how |= EXIT_XRSTOR;
    how |= tf->regs.csgsfs & 0xffffffff0000ULL;   // the guest's GS (bits 16-31) and FS (32-47)
    taken_fs = taken_gs = 0;
    refused_selector = 0;
    pb_exit_to_guest(exit_block, fp, how);
}

// The C half of pb_run_guest: the kernel context is saved; the guest of tf runs next.
__attribute__((noreturn)) void pb_enter_guest(pb_trapframe *tf, pb_event *ev) {
    current_tf = tf;
    current_ev = ev;
    pb_gate_frame = tf;   // the system-call gate saves into the same frame (pb_gate.S)
    pb_gate_event = ev;
    exit_to_guest(tf);
}

// The one place the kernel blocks interrupt signals for real: between looking at the pending
// notes and sleeping, an interrupt would otherwise only note itself and the wait would sleep
// past it. sigsuspend unblocks and waits atomically.
void pb_idle_wait(void) {
    sigset_t irq, old;
    sigemptyset(&irq);
    sigaddset(&irq, SIGALRM);
    sigaddset(&irq, SIGIO);
    sigprocmask(SIG_BLOCK, &irq, &old);
    if (!pb_pending_timer && !pb_pending_io) sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

#ifndef sigev_notify_thread_id   // glibc before 2.35 spells it only this way
#define sigev_notify_thread_id _sigev_un._tid
#endif

static timer_t timer;
static int timer_made;

int pb_timer_start(uint64_t period_ns) {
    if (!timer_made) {
        // To the kernel's own thread, not the process: the handlers act for the thread they run
        // on, and with its mask empty a process-directed signal could as well go to any other
        // host thread that some library started (none does today).
        struct sigevent ev = {0};
        ev.sigev_notify = SIGEV_THREAD_ID;
        ev.sigev_notify_thread_id = gettid();
        ev.sigev_signo = SIGALRM;
        if (timer_create(CLOCK_MONOTONIC, &ev, &timer)) return errno;
        timer_made = 1;
    }
    struct itimerspec it = {{0}, {0}};
    it.it_interval.tv_sec = period_ns / 1000000000ULL;
    it.it_interval.tv_nsec = period_ns % 1000000000ULL;
    it.it_value = it.it_interval;
    return timer_settime(timer, 0, &it, NULL) ? errno : 0;
}

uint64_t pb_monotonic_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

int pb_memfd_create(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

void pb_backtrace(int fd) {
    void *frames[64];
    int n = backtrace(frames, 64);
    backtrace_symbols_fd(frames, n, fd);
}
