/*
 * trap_flag: EFLAGS.TF is the guest's own. Seeded runs single-step every
 * guest instruction with the trap flag, and none of that may show: pushf
 * (32- and 16-bit) never sees a TF the program did not set, a ureg never
 * shows one, and a program that sets TF itself gets the debug exception it
 * gets unseeded, after the same instruction, with the same registers.
 *
 *   trap_flag             every check below, then PASS
 *   trap_flag kill        only: set TF with no handler (killed, status -2)
 *
 * Checks: (1) pushfl and pushfw in a loop show TF clear; (2) a fault's ureg
 * shows TF clear; (3) popf with TF set, then pushfl: a debug exception (cause
 * 1) with eip after the pushfl, the pushed word and the ureg showing TF set;
 * (4) popf with TF set, then popf with TF clear: the trap comes after the
 * second popf (TF was set when it began) and the ureg shows TF clear; (5) in
 * a child with no handler the debug exception kills the thread.
 */
#define TEST_NAME "trap_flag"
#include "testlib.h"
#include <stdlib.h>
#include <string.h>
#include <ureg.h>

#define F_TF 0x100u

static char exn_stack[4096] __attribute__((aligned(16)));
static volatile unsigned int seen_cause, seen_eip, seen_eflags;

void tf_after_pushf(void);
void tf_after_popf(void);
void ud2_site(void);

__attribute__((force_align_arg_pointer))
static void handler(void *arg, ureg_t *ureg)
{
    seen_cause = ureg->cause;
    seen_eip = ureg->eip;
    seen_eflags = ureg->eflags;
    if (ureg->cause == SWEXN_CAUSE_OPCODE)
        ureg->eip += 2;
    ureg->eflags &= ~F_TF;                        /* no more single steps */
    swexn(0, 0, 0, ureg);
    fail("swexn refused to resume");
}

static void arm(void)
{
    seen_cause = seen_eip = seen_eflags = 0xdead;
    CHECK(swexn(exn_stack + sizeof(exn_stack), handler, 0, 0) == 0);
}

static void pushf_hides_tf(void)
{
    for (int i = 0; i < 2000; i++) {
        unsigned int f32;
        unsigned short f16;
        __asm__ volatile("pushfl; popl %0" : "=r"(f32));
        __asm__ volatile("pushfw; popw %0" : "=r"(f16));
        if (f32 & F_TF)
            fail("pushfl shows TF (eflags %#x) in round %d", f32, i);
        if (f16 & F_TF)
            fail("pushfw shows TF (flags %#x) in round %d", f16, i);
    }
}

static void ureg_hides_tf(void)
{
    arm();
    __asm__ volatile(".globl ud2_site\nud2_site: ud2" ::: "memory");
    CHECK(seen_cause == SWEXN_CAUSE_OPCODE);
    CHECK(seen_eip == (unsigned int)ud2_site);
    if (seen_eflags & F_TF)
        fail("a fault's ureg shows TF (eflags %#x)", seen_eflags);
}

static void own_tf_then_pushf(void)
{
    unsigned int pushed;
    arm();
    __asm__ volatile("pushfl\n\t"
                     "orl $0x100, (%%esp)\n\t"
                     "popfl\n\t"
                     "pushfl\n"                    /* runs, then the debug trap */
                     ".globl tf_after_pushf\n"
                     "tf_after_pushf:\n\t"
                     "popl %0"
                     : "=r"(pushed) :: "cc", "memory");
    if (seen_cause != SWEXN_CAUSE_DEBUG)
        fail("TF set by the program: cause %#x, expected a debug exception", seen_cause);
    if (seen_eip != (unsigned int)tf_after_pushf)
        fail("debug exception at eip %#x, expected %#x (after the pushfl)", seen_eip,
             (unsigned int)tf_after_pushf);
    if (!(seen_eflags & F_TF))
        fail("the debug exception's ureg lost the program's TF (eflags %#x)", seen_eflags);
    if (!(pushed & F_TF))
        fail("pushfl lost the program's own TF (pushed %#x)", pushed);
}

static void own_tf_cleared_by_popf(void)
{
    arm();
    __asm__ volatile("pushfl\n\t"
                     "pushfl\n\t"
                     "orl $0x100, (%%esp)\n\t"
                     "popfl\n\t"                   /* TF on from here */
                     "popfl\n"                     /* off again: the trap follows this one */
                     ".globl tf_after_popf\n"
                     "tf_after_popf:\n\t"
                     "nop"
                     ::: "cc", "memory");
    if (seen_cause != SWEXN_CAUSE_DEBUG)
        fail("TF cleared by popf: cause %#x, expected a debug exception", seen_cause);
    if (seen_eip != (unsigned int)tf_after_popf)
        fail("debug exception at eip %#x, expected %#x (after the second popfl)", seen_eip,
             (unsigned int)tf_after_popf);
    if (seen_eflags & F_TF)
        fail("the ureg shows TF after popf cleared it (eflags %#x)", seen_eflags);
    unsigned int now;
    __asm__ volatile("pushfl; popl %0" : "=r"(now));
    if (now & F_TF)
        fail("TF still set after popf cleared it (eflags %#x)", now);
}

static void set_tf_unhandled(void)
{
    __asm__ volatile("pushfl; orl $0x100, (%%esp); popfl; nop; nop" ::: "cc", "memory");
    printf("trap_flag: survived its own TF with no handler\n");
    exit(3);
}

static void kill_child(void)
{
    int pid = fork();
    if (pid < 0)
        fail("fork: %d", pid);
    if (pid == 0)
        set_tf_unhandled();
    int status = 12345;
    CHECK(wait(&status) == pid);
    printf("trap_flag: TF with no handler -> status %d\n", status);
    if (status != -2)
        fail("TF with no handler: status %d, expected -2 (killed by the debug exception)", status);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "kill") == 0) {
        kill_child();
        pass();
    }
    pushf_hides_tf();
    ureg_hides_tf();
    own_tf_then_pushf();
    own_tf_cleared_by_popf();
    pushf_hides_tf();
    kill_child();
    pass();
}
