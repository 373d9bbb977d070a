// The machine's C side: signal handlers that turn host signals into guest traps and interrupts,
// the return to a guest (xrstor and iretq in user mode), and the switch between kernel stacks.
// These are C (and a little assembly) because Swift cannot write a signal handler that runs before
// the host's FS base is restored, cannot restore a full register state, and cannot switch stacks.
#ifndef PB_MACHINE_H
#define PB_MACHINE_H

#include <stdint.h>
#include <stddef.h>

#define PB_GUEST_CS 0x23   // 32-bit compatibility-mode user code segment of x86-64 Linux
#define PB_HOST_CS  0x33   // 64-bit user code segment
#define PB_USER_DS  0x2b   // data segment that serves both modes
#define PB_USER_MEM_START 0x01000000ULL
#define PB_USER_MEM_END   0x100000000ULL

// General registers of an interrupted guest, in the order of Linux's x86-64 mcontext gregs[],
// so a trap saves them with one copy.
typedef struct pb_regs {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
    uint64_t eflags, csgsfs, err, trapno, oldmask, cr2;
} pb_regs;

// A guest thread's saved user state. `fpstate` points at a 64-byte aligned xsave area owned by the
// frame; `fpsize` is the size of its layout (0: the guest gets a fresh FPU on return). Only the
// components its header marks in use hold valid bytes; the rest is never copied or read.
typedef struct pb_trapframe {
    pb_regs regs;
    uint32_t fpsize;
    uint32_t fpcapacity;
    uint8_t *fpstate;
} pb_trapframe;

// Why the guest stopped; filled by the handlers, read by the kernel entry.
typedef enum pb_event_kind {
    PB_EV_SYSCALL = 1,   // int $vector
    PB_EV_PAGEFAULT,     // access to addr not allowed by the current host mapping
    PB_EV_FAULT,         // any other exception: signo/code/trapno say which
    PB_EV_TIMER,         // SIGALRM while the guest ran
    PB_EV_IO,            // SIGIO while the guest ran
    PB_EV_SECCOMP,       // a host system call from guest code (SIGSYS)
    PB_EV_SEGMENT,       // the guest loaded a segment register or left compatibility mode
    PB_EV_STEP,          // the single-step budget ran out (seeded, deterministic preemption)
} pb_event_kind;

typedef struct pb_event {
    int32_t kind;
    int32_t signo;
    int32_t code;        // si_code
    int32_t vector;      // for PB_EV_SYSCALL; trapno otherwise
    uint64_t addr;       // fault address (si_addr) or the offending selector for PB_EV_SEGMENT
    uint64_t err;        // hardware error code (page-fault bits: 1 present, 2 write, 16 fetch)
} pb_event;

typedef void (*pb_panic_fn)(int signo, int code, uint64_t addr, const pb_regs *regs);

// Boot: sigaltstack, handlers for every trap and interrupt signal, FS base bookkeeping,
// guest data segments, an empty signal mask. Returns 0 or an errno.
int pb_machine_init(pb_panic_fn panic);

// Trap frames. The segment selectors a guest holds live in regs.csgsfs (cs, gs, fs, ss: 16 bits
// each): CS and SS are always the user segments, FS and GS each thread's own (null or 0x2b).
int pb_trapframe_init(pb_trapframe *tf);       // allocates the xsave area; 0 or ENOMEM
uint64_t pb_initial_csgsfs(void);              // the csgsfs word of a fresh program
void pb_trapframe_destroy(pb_trapframe *tf);
void pb_trapframe_copy(pb_trapframe *dst, const pb_trapframe *src);

// Runs the guest whose user state is in tf, in user mode, until it traps; then returns, with
// the guest's state saved back in tf and the reason in *ev. The kernel calls it from a thread's
// kernel stack like any function (Machine/HostMachine.swift). The exit to the guest restores its
// full register state without a host system call (xrstor, iretq); an interrupt noted while the
// kernel ran is taken first and returned as PB_EV_TIMER or PB_EV_IO before the guest's first
// instruction.
void pb_run_guest(pb_trapframe *tf, pb_event *ev);

// Kernel stacks: save callee-saved state on the current stack into *save_sp and continue on load_sp.
void pb_context_switch(void **save_sp, void *load_sp);
// Prepare a fresh kernel stack so that switching to the returned sp calls fn(arg) on it; when fn
// returns, the context whose sp is in *exit_sp then (saved by pb_context_switch) resumes.
void *pb_context_init(void *stack_top, void (*fn)(void *), void *arg, void **exit_sp);

// Interrupts are off while pb_in_kernel is 1 (the kernel runs), on while a guest runs; the host
// signal mask itself stays empty (see pb_machine.c). An interrupt signal that finds the kernel
// running or idle only sets its pending note; the kernel clears a note when it serves it.
extern volatile int pb_in_kernel;
extern volatile int pb_pending_timer;
extern volatile int pb_pending_io;
// Idle: sleeps until an interrupt signal arrives, unless one is already pending.
void pb_idle_wait(void);

// Timer interrupt: SIGALRM every period_ns from a CLOCK_MONOTONIC POSIX timer (0 stops it).
int pb_timer_start(uint64_t period_ns);
uint64_t pb_monotonic_ns(void);

// For signal handlers other than the machine's (terminal restore on SIGTERM...): puts back the
// emulator's FS base and data segments, which a guest may have changed (or which are 0 while a
// guest runs), before any code that uses thread-local storage such as errno. Async-signal-safe.
void pb_repair_host_segments(void);
// Deterministic preemption (seeded runs): while stepping, every guest runs with the trap flag,
// so each guest instruction raises SIGTRAP; the handler counts them down in pb_step_budget
// without entering the kernel and raises PB_EV_STEP when it reaches zero. Instruction counts
// do not depend on timing, so the same seed gives the same interleaving.
void pb_set_stepping(int on);
extern volatile int64_t pb_step_budget;

// memfd_create needs _GNU_SOURCE, which Swift's Glibc module is not built with.
int pb_memfd_create(const char *name);
// Prints the calling stack's return addresses to fd (execinfo.h is not in Swift's Glibc module).
void pb_backtrace(int fd);

#endif
