/*
 * eflags_sweep: every EFLAGS bit a user program can set (popf at CPL 3 with
 * IOPL 0 changes CF PF AF ZF SF TF DF OF NT AC ID and nothing else), in every
 * combination of the system bits DF NT AC ID with four patterns of the
 * arithmetic bits, through each way into and out of the kernel:
 *
 *   trap      a system call (int $0x48, gettid): pushf right after it
 *   fault     a page fault the kernel resolves (first touch of a new page)
 *   swexn     a fault delivered to a swexn handler (the ureg must show the
 *             flags) and the handler's swexn resume with other flags (the
 *             guest must run with exactly those)
 *   timer     a loop that sets the flags and reads them back, run until
 *             timer interrupts have landed in it
 *   keyboard  the same loop while keyboard interrupts land (the test feeds
 *             stdin), then a readline to show the input arrived
 *   step      the same loop, a hundred rounds, no tick wait: for
 *             seeded runs, where every guest instruction is a single-step
 *             trap of the kernel's
 *
 *   eflags_sweep               trap fault swexn timer
 *   eflags_sweep MODE...       only those modes
 *
 * The flags must come back exactly as set, and the kernel must survive all
 * of it: a set NT used to reach the handler and make the exit path's iretq
 * fault (a kernel panic of the whole machine), and NT and ID were dropped on
 * the way back to the guest.
 *
 * TF is not swept here: a set TF is the guest's own single-step trap
 * (trap_flag tests it). With AC set an unaligned access is the guest's
 * alignment fault, so the flagged stretches are assembly that accesses
 * memory only aligned, and C code always runs with 0x202.
 */
#define TEST_NAME "eflags_sweep"
#include "testlib.h"
#include <string.h>
#include <ureg.h>

#define F_CF 0x000001u
#define F_PF 0x000004u
#define F_AF 0x000010u
#define F_ZF 0x000040u
#define F_SF 0x000080u
#define F_DF 0x000400u
#define F_OF 0x000800u
#define F_NT 0x004000u
#define F_AC 0x040000u
#define F_RF 0x010000u
#define F_ID 0x200000u
#define F_BASE 0x202u   /* IF and the always-one bit 1: what C code runs with */
#define ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

static const unsigned int system_bits[] = { F_DF, F_NT, F_AC, F_ID };
static const unsigned int arith_patterns[] = {
    0, ARITH, F_CF | F_AF | F_SF, F_PF | F_ZF | F_OF,
};
#define NSYSTEM 4
#define NARITH (int)(sizeof(arith_patterns) / sizeof(arith_patterns[0]))
#define NCASES ((1 << NSYSTEM) * NARITH)

static unsigned int cases[NCASES];

static void make_cases(void)
{
    int n = 0;
    for (int s = 0; s < (1 << NSYSTEM); s++) {
        unsigned int sys = 0;
        for (int b = 0; b < NSYSTEM; b++)
            if (s & (1 << b))
                sys |= system_bits[b];
        for (int a = 0; a < NARITH; a++)
            cases[n++] = F_BASE | sys | arith_patterns[a];
    }
}

/* ---- trap: a system call ----------------------------------------------- */

static unsigned int through_syscall(unsigned int flags)
{
    unsigned int seen;
    __asm__ volatile("pushl %1\n\t"
                     "popfl\n\t"
                     "int $0x48\n\t"           /* gettid */
                     "pushfl\n\t"
                     "popl %0\n\t"
                     "pushl $0x202\n\t"
                     "popfl"
                     : "=&r"(seen) : "r"(flags) : "eax", "cc", "memory");
    return seen;
}

/* ---- fault: a page fault the kernel resolves ---------------------------- */

#define FAULT_BASE 0x40000000u

static unsigned int through_pagefault(unsigned int flags, unsigned int *fresh)
{
    unsigned int seen;
    __asm__ volatile("pushl %2\n\t"
                     "popfl\n\t"
                     "movl $1, (%1)\n\t"        /* aligned: AC may be on */
                     "pushfl\n\t"
                     "popl %0\n\t"
                     "pushl $0x202\n\t"
                     "popfl"
                     : "=&r"(seen) : "r"(fresh), "r"(flags) : "cc", "memory");
    return seen;
}

/* ---- swexn: delivery and resume ------------------------------------------ */

static char exn_stack[4096] __attribute__((aligned(16)));
static volatile unsigned int handler_saw, handler_cause, resume_with;

void sweep_handler_entry(void);
void sweep_fault_site(void);

/* The kernel calls the handler with the faulting flags still set (DF, AC...):
 * clear them before any C code runs, then go on to the C handler with the
 * kernel's frame (dummy return address, arg, ureg) untouched. */
__asm__(".text\n"
        ".globl sweep_handler_entry\n"
        "sweep_handler_entry:\n\t"
        "pushl $0x202\n\t"
        "popfl\n\t"
        "jmp sweep_handler\n");

__attribute__((force_align_arg_pointer, used))
void sweep_handler(void *arg, ureg_t *ureg)
{
    handler_saw = ureg->eflags;
    handler_cause = ureg->cause;
    ureg->eip += 2;                              /* past the ud2 */
    ureg->eflags = resume_with;
    swexn(0, 0, 0, ureg);
    fail("swexn refused to resume with eflags %#x", resume_with);
}

static unsigned int through_swexn(unsigned int flags)
{
    unsigned int seen;
    __asm__ volatile("pushl %1\n\t"
                     "popfl\n\t"
                     ".globl sweep_fault_site\n"
                     "sweep_fault_site: ud2\n\t"
                     "pushfl\n\t"
                     "popl %0\n\t"
                     "pushl $0x202\n\t"
                     "popfl"
                     : "=&r"(seen) : "r"(flags) : "cc", "memory");
    return seen;
}

/* ---- timer, keyboard, step: a loop that keeps the flags set ------------- */

/* Sets the flags, waits a few instructions (an interrupt or a single-step
 * trap lands there), reads them back; `rounds` times. Returns what a round
 * read back that differed from `flags`, or 0. */
static unsigned int through_loop(unsigned int flags, unsigned int rounds)
{
    unsigned int seen = 0;
    __asm__ volatile("1:\n\t"
                     "pushl %2\n\t"
                     "popfl\n\t"
                     "nop; nop; nop; nop; nop; nop; nop; nop\n\t"
                     "pushfl\n\t"
                     "popl %0\n\t"
                     "cmpl %2, %0\n\t"
                     "jne 2f\n\t"
                     "decl %1\n\t"
                     "jnz 1b\n\t"
                     "movl $0, %0\n"
                     "2:\n\t"
                     "pushl $0x202\n\t"
                     "popfl"
                     : "=&r"(seen), "+r"(rounds) : "r"(flags) : "cc", "memory");
    return seen;
}

static void check(const char *mode, unsigned int expected, unsigned int seen)
{
    if (seen != expected)
        fail("%s: set eflags %#x, read back %#x (lost %#x, gained %#x)", mode, expected, seen,
             expected & ~seen, seen & ~expected);
}

static void sweep_trap(void)
{
    for (int i = 0; i < NCASES; i++)
        check("trap", cases[i], through_syscall(cases[i]));
}

static void sweep_fault(void)
{
    if (new_pages((void *)FAULT_BASE, NCASES * 4096) < 0)
        fail("new_pages for the fault sweep");
    for (int i = 0; i < NCASES; i++)
        check("fault", cases[i], through_pagefault(cases[i], (unsigned int *)(FAULT_BASE + i * 4096)));
}

static void sweep_swexn(void)
{
    for (int i = 0; i < NCASES; i++) {
        /* Resume with another case's flags, so both directions are checked. */
        resume_with = cases[(i + 7) % NCASES];
        handler_saw = 0;
        if (swexn(exn_stack + sizeof(exn_stack), (swexn_handler_t)sweep_handler_entry, 0, 0) < 0)
            fail("swexn registration");
        unsigned int seen = through_swexn(cases[i]);
        if (handler_cause != SWEXN_CAUSE_OPCODE)
            fail("swexn: cause %#x, expected invalid opcode", handler_cause);
        /* A fault's saved flags carry RF (the CPU sets it in the image of a fault). */
        check("swexn delivery (ureg)", cases[i], handler_saw & ~F_RF);
        check("swexn resume", resume_with, seen);
    }
}

/* Runs each case until `ticks` timer ticks have passed inside it. */
static void sweep_interrupts(const char *mode, unsigned int ticks)
{
    for (int i = 0; i < NCASES; i++) {
        unsigned int start = get_ticks();
        do {
            unsigned int bad = through_loop(cases[i], 20000);
            if (bad)
                check(mode, cases[i], bad);
        } while (get_ticks() - start < ticks);
    }
}

static void sweep_step(void)
{
    for (int i = 0; i < NCASES; i++) {
        unsigned int bad = through_loop(cases[i], 100);
        if (bad)
            check("step", cases[i], bad);
    }
}

static void sweep_keyboard(void)
{
    sweep_interrupts("keyboard", 3);
    char line[64];
    int n = readline(sizeof(line), line);
    if (n <= 0)
        fail("keyboard: readline returned %d", n);
    printf("eflags_sweep: keyboard input arrived (%d bytes)\n", n);
}

struct mode {
    const char *name;
    void (*run)(void);
};

static void sweep_timer(void) { sweep_interrupts("timer", 2); }

static const struct mode modes[] = {
    { "trap", sweep_trap },
    { "fault", sweep_fault },
    { "swexn", sweep_swexn },
    { "timer", sweep_timer },
    { "keyboard", sweep_keyboard },
    { "step", sweep_step },
};
#define NMODES (int)(sizeof(modes) / sizeof(modes[0]))

static void run_mode(const char *name)
{
    for (int i = 0; i < NMODES; i++) {
        if (strcmp(modes[i].name, name) == 0) {
            modes[i].run();
            printf("eflags_sweep: %s: %d flag combinations came back intact\n", name, NCASES);
            return;
        }
    }
    fail("no mode named %s", name);
}

int main(int argc, char **argv)
{
    make_cases();
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            run_mode(argv[i]);
    } else {
        run_mode("trap");
        run_mode("fault");
        run_mode("swexn");
        run_mode("timer");
    }
    pass();
}
