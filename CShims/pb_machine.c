// Signals as the machine's traps and interrupts. See include/pb_machine.h.
// Everything reachable from a handler here is async-signal-safe: no allocation, no locks, no stdio.
#define _GNU_SOURCE
#include "pb_machine.h"
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

// The kernel's view of a ucontext (glibc's ucontext_t has a 128-byte sigset and a private
// fpregs area; rt_sigreturn wants the kernel's layout with an 8-byte mask).
struct pb_kernel_ucontext {
    unsigned long uc_flags;
    void *uc_link;
    stack_t uc_stack;
    mcontext_t uc_mcontext;
    uint64_t uc_sigmask;
};
struct pb_rt_sigframe {
    void *pretcode;
    struct pb_kernel_ucontext uc;
    siginfo_t info;
};

#define FP_XSTATE_MAGIC1 0x46505853U
#define UC_FP_XSTATE 1
#define UC_SIGCONTEXT_SS 2
#define UC_STRICT_RESTORE_SS 4
#define ALTSTACK_SIZE (256 * 1024)

static pb_kernel_entry_fn kernel_entry;
static pb_panic_fn kernel_panic;
static pb_io_fn io_drain;
static pb_trapframe *current_tf;
static void *current_kstack;
static pb_event last_event;
static stack_t altstack;
static uint64_t host_fs_base;
static int have_fsgsbase;
static uint32_t xsave_size = 512;
static uint64_t interrupt_mask;          // SIGALRM | SIGIO in the kernel's 64-bit mask layout
volatile int pb_pending_timer;
volatile int64_t pb_step_budget;
static int stepping;
#define EFLAGS_TF 0x100
volatile int pb_pending_io;

// The frame handed to rt_sigreturn. Only one exists: it is built and consumed with interrupt
// signals blocked, and no trap can arrive between building it and the rt_sigreturn.
static _Alignas(64) unsigned char return_area[32768];

void pb_enter_kernel_stack(void *top, void (*fn)(const pb_event *), const pb_event *ev)
    __attribute__((noreturn));

static inline uint64_t sigbit(int sig) { return 1ULL << (sig - 1); }

// Runs first in every handler: a guest may have loaded FS or GS, and the host's FS base holds
// glibc's and Swift's thread-local storage. Returns the offending selector, 0 if none.
static inline __attribute__((always_inline)) uint64_t restore_host_segments(void) {
    // A guest may set EFLAGS.AC (alignment checking, honoured in user mode) and Linux keeps it
    // in the handler: the emulator's own unaligned accesses would then fault, recursively.
    // popfq is slow and this is the trap path: read the flags, write them only if AC is set.
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    if (flags & 0x40000)
        __asm__ volatile("pushq %0; popfq" :: "r"(flags & ~0x40000ULL) : "memory", "cc");
    uint16_t fs, gs, ds, es;
    __asm__ volatile("mov %%fs,%0; mov %%gs,%1; mov %%ds,%2; mov %%es,%3"
                     : "=r"(fs), "=r"(gs), "=r"(ds), "=r"(es));
    uint64_t bad = 0;
    if (have_fsgsbase) {
        uint64_t base;
        __asm__ volatile("rdfsbase %0" : "=r"(base));
        if (base != host_fs_base) {
            __asm__ volatile("wrfsbase %0" :: "r"(host_fs_base));
            // 0 is what pb_return_to_user leaves for the guest; anything else the guest set.
            if (base != 0 || fs != 0) bad = fs ? fs : 0xffff;
        }
    }
    if (fs != 0) {
        long ret;
        __asm__ volatile("syscall" : "=a"(ret)
                         : "0"(SYS_arch_prctl), "D"(ARCH_SET_FS), "S"(host_fs_base)
                         : "rcx", "r11", "memory");
        bad = fs;
    }
    if (gs != 0) { __asm__ volatile("mov %0,%%gs" :: "r"(0)); bad = gs; }
    if (ds != PB_USER_DS || es != PB_USER_DS) {
        __asm__ volatile("mov %0,%%ds; mov %0,%%es" :: "r"(PB_USER_DS));
        bad = ds != PB_USER_DS ? ds : es;
        if (bad == 0) bad = 0xfffe;
    }
    return bad;
}

// The kernel always runs with SIGALRM blocked and a guest never does, so the interrupted mask
// tells guest from kernel even for a guest that switched to 64-bit code and jumped outside the
// guest range (a fault there is the guest's, not a kernel panic).
void pb_repair_host_segments(void) { (void)restore_host_segments(); }

static inline int interrupted_guest(const ucontext_t *uc) {
    const greg_t *g = uc->uc_mcontext.gregs;
    uint64_t rip = (uint64_t)g[REG_RIP];
    uint64_t mask;
    memcpy(&mask, &uc->uc_sigmask, sizeof mask);
    return (g[REG_CSGSFS] & 0xffff) == PB_GUEST_CS ||
           (rip >= PB_USER_MEM_START && rip < PB_USER_MEM_END) ||
           (mask & sigbit(SIGALRM)) == 0;
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

static void save_user_state(const ucontext_t *uc) {
    pb_trapframe *tf = current_tf;
    memcpy(&tf->regs, uc->uc_mcontext.gregs, sizeof(pb_regs));
    const void *fp = uc->uc_mcontext.fpregs;
    if (stepping) tf->regs.eflags &= ~(uint64_t)EFLAGS_TF;   // the kernel's, not the guest's
    uint32_t n = fp ? fpstate_size(fp) : 0;
    if (n > tf->fpcapacity) n = 0;   // cannot happen: capacity is the host's size, checked at boot
    if (n) copy_xstate(tf->fpstate, fp, n);
    tf->fpsize = n;
}

static __attribute__((noreturn)) void enter_kernel(const ucontext_t *uc) {
    save_user_state(uc);
    pb_enter_kernel_stack(current_kstack, kernel_entry, &last_event);
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
    uint64_t bad_selector = restore_host_segments();
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    if (!interrupted_guest(uc) || current_tf == NULL) {
        kernel_panic(sig, si->si_code, (uint64_t)si->si_addr, (const pb_regs *)g);
        _exit(70);
    }
    // Single-step fast path: count the instruction and resume the guest at once.
    if (sig == SIGTRAP && stepping && si->si_code == TRAP_TRACE && !bad_selector &&
        (g[REG_CSGSFS] & 0xffff) == PB_GUEST_CS) {
        if (--pb_step_budget > 0) {
            if (have_fsgsbase) __asm__ volatile("wrfsbase %0" :: "r"(0UL));   // as pb_return_to_user
            return;
        }
        memset(&last_event, 0, sizeof last_event);
        last_event.kind = PB_EV_STEP;
        last_event.signo = sig;
        enter_kernel(uc);
    }
    classify_sync(sig, si, g, &last_event);
    if (bad_selector || (g[REG_CSGSFS] & 0xffff) != PB_GUEST_CS) {
        last_event.kind = PB_EV_SEGMENT;
        last_event.addr = bad_selector ? bad_selector : (uint64_t)(g[REG_CSGSFS] & 0xffff);
    }
    enter_kernel(uc);
}

static void async_handler(int sig, siginfo_t *si, void *ctx) {
    uint64_t bad_selector = restore_host_segments();
    (void)si;
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    if (sig == SIGIO && io_drain) io_drain();
    if (!interrupted_guest(uc) || current_tf == NULL) {
        // The kernel was idle in sigsuspend: note the interrupt and let the idle loop look.
        if (sig == SIGALRM) pb_pending_timer = 1; else pb_pending_io = 1;
        return;
    }
    memset(&last_event, 0, sizeof last_event);
    last_event.signo = sig;
    last_event.kind = sig == SIGALRM ? PB_EV_TIMER : PB_EV_IO;
    if (bad_selector || (g[REG_CSGSFS] & 0xffff) != PB_GUEST_CS) {
        last_event.kind = PB_EV_SEGMENT;
        last_event.addr = bad_selector ? bad_selector : (uint64_t)(g[REG_CSGSFS] & 0xffff);
    }
    enter_kernel(uc);
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

static int install(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
    struct sigaction sa = {0};
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | flags;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGALRM);
    sigaddset(&sa.sa_mask, SIGIO);
    return sigaction(sig, &sa, NULL) ? errno : 0;
}

int pb_machine_init(pb_kernel_entry_fn entry, pb_panic_fn panic, pb_io_fn drain) {
    kernel_entry = entry;
    kernel_panic = panic;
    io_drain = drain;
    interrupt_mask = sigbit(SIGALRM) | sigbit(SIGIO);
    if (syscall(SYS_arch_prctl, ARCH_GET_FS, &host_fs_base)) return errno;
    have_fsgsbase = (getauxval(AT_HWCAP2) & 2) != 0;   // HWCAP2_FSGSBASE
    probe_xsave_layout();
    int err = probe_xsave_size();
    if (err) return err;
    altstack.ss_sp = aligned_alloc(64, ALTSTACK_SIZE);
    altstack.ss_size = ALTSTACK_SIZE;
    altstack.ss_flags = 0;
    if (!altstack.ss_sp) return ENOMEM;
    if (sigaltstack(&altstack, NULL)) return errno;
    pb_interrupts_block();
    // Synchronous signals must never be blocked (a blocked SIGSEGV from the kernel itself would
    // kill the process without a panic report), hence SA_NODEFER.
    int sync_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof sync_signals / sizeof *sync_signals; i++)
        if ((err = install(sync_signals[i], sync_handler, SA_NODEFER))) return err;
    if ((err = install(SIGALRM, async_handler, SA_RESTART))) return err;
    if ((err = install(SIGIO, async_handler, SA_RESTART))) return err;
    // Guest code addresses memory through DS/ES; in compatibility mode a null selector faults.
    // The host never changes them again, and 64-bit code ignores them.
    __asm__ volatile("mov %0,%%ds; mov %0,%%es" :: "r"(PB_USER_DS));
    return 0;
}

void pb_set_current(pb_trapframe *tf, void *kstack_top) {
    current_tf = tf;
    current_kstack = kstack_top;
}

uint32_t pb_xsave_size(void) { return xsave_size; }

void pb_set_stepping(int on) { stepping = on; }

int pb_trapframe_init(pb_trapframe *tf) {
    memset(tf, 0, sizeof *tf);
    uint32_t cap = (xsave_size + 63) & ~63U;
    tf->fpstate = aligned_alloc(64, cap);
    if (!tf->fpstate) return ENOMEM;
    tf->fpcapacity = cap;
    tf->regs.csgsfs = PB_GUEST_CS | ((uint64_t)PB_USER_DS << 48);
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

void pb_return_to_user(const pb_trapframe *tf) {
    uintptr_t top = (uintptr_t)return_area + sizeof return_area;
    void *fp = NULL;
    if (tf->fpsize) {
        top = (top - tf->fpsize) & ~(uintptr_t)63;   // rt_sigreturn requires 64-byte alignment
        copy_xstate((void *)top, tf->fpstate, tf->fpsize);
        fp = (void *)top;
    }
    struct pb_rt_sigframe *f = (void *)(((top - sizeof *f) & ~(uintptr_t)15) - 8);
    f->uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
    f->uc.uc_link = NULL;
    f->uc.uc_stack = altstack;
    memcpy(f->uc.uc_mcontext.gregs, &tf->regs, sizeof(pb_regs));
    // Whatever the frame says, the guest goes back to 32-bit user code with the user data segment.
    f->uc.uc_mcontext.gregs[REG_CSGSFS] = PB_GUEST_CS | ((greg_t)PB_USER_DS << 48);
    if (stepping) f->uc.uc_mcontext.gregs[REG_EFL] |= EFLAGS_TF;
    f->uc.uc_mcontext.fpregs = fp;
    f->uc.uc_sigmask = 0;   // the guest runs with interrupts on
    // With FSGSBASE the guest runs with FS base 0: 64-bit guest code must find no host pointer
    // (glibc's thread block) through FS. Every handler restores the host's base first.
    if (have_fsgsbase)
        __asm__ volatile("mov %0, %%rsp\n\twrfsbase %1\n\tmov $15, %%eax\n\tsyscall\n\tud2"
                         :: "r"(&f->uc), "r"(0UL) : "memory");
    __asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall\n\tud2"
                     :: "r"(&f->uc) : "memory");
    __builtin_unreachable();
}

// The kernel's signal mask: exactly the interrupt signals, whatever the parent process left
// blocked (a blocked SIGSEGV or SIGTRAP inherited from it would break traps).
void pb_interrupts_block(void) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    sigaddset(&s, SIGIO);
    sigprocmask(SIG_SETMASK, &s, NULL);
}

void pb_idle_wait(void) {
    sigset_t none;
    sigemptyset(&none);
    sigsuspend(&none);
}

static timer_t timer;
static int timer_made;

int pb_timer_start(uint64_t period_ns) {
    if (!timer_made) {
        struct sigevent ev = {0};
        ev.sigev_notify = SIGEV_SIGNAL;
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

uint16_t pb_peek16(uint64_t addr) {
    return *(const volatile uint16_t *)addr;
}

int pb_memfd_create(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

void pb_backtrace(int fd) {
    void *frames[64];
    int n = backtrace(frames, 64);
    backtrace_symbols_fd(frames, n, fd);
}
