/*
 * swexn_basic: a handler sees a divide fault with the right cause and eip,
 * fixes the registers and resumes; a page fault reports cr2; invalid
 * registrations fail; deregistering with none registered is fine.
 */
#define TEST_NAME "swexn_basic"
#include "testlib.h"

static char exn_stack[4096] __attribute__((aligned(16)));
static volatile unsigned int seen_cause, seen_cr2, seen_arg;
static ureg_t saved;

void div_site(void);
void load_site(void);

/* A divide whose eip is known (div_site) and whose length is 2 bytes
 * (idivl on a register). noinline: the label must exist exactly once. */
__attribute__((noinline)) static int divide(int a, int b)
{
    int q = a, hi = a < 0 ? -1 : 0;

    __asm__ volatile(".globl div_site\ndiv_site: idivl %2"
                     : "+a"(q), "+d"(hi) : "r"(b));
    return q;
}

/* Skips the faulting 2-byte instruction and makes its result 12345. */
__attribute__((force_align_arg_pointer))
static void handler(void *arg, ureg_t *ureg)
{
    seen_cause = ureg->cause;
    seen_cr2 = ureg->cr2;
    seen_arg = (unsigned int)arg;
    saved = *ureg;
    ureg->eip += 2;
    ureg->eax = 12345;
    swexn(0, 0, 0, ureg);
    fail("swexn did not resume with a valid ureg");
}

static void test_divide(void)
{
    int q;

    CHECK(swexn(exn_stack + sizeof(exn_stack), handler, (void *)0xabc, 0) == 0);
    q = divide(7, 0);
    CHECK(seen_cause == SWEXN_CAUSE_DIVIDE);
    CHECK(saved.eip == (unsigned int)div_site);
    CHECK(seen_arg == 0xabc);
    CHECK(q == 12345);
}

static void test_pagefault(void)
{
    volatile int v;

    CHECK(swexn(exn_stack + sizeof(exn_stack), handler, 0, 0) == 0);
    /* movl 0x00800010, %eax is 5 bytes; the handler skips 2, so load by a
     * 2-byte instruction instead: movl (%ecx), %eax. */
    __asm__ volatile("movl (%1), %0" : "=a"(v) : "c"(0x00800010) : "memory");
    CHECK(seen_cause == SWEXN_CAUSE_PAGEFAULT);
    CHECK(seen_cr2 == 0x00800010);
    CHECK(v == 12345);
}

static void test_invalid(void)
{
    ureg_t bad;

    CHECK(swexn(0, 0, 0, 0) == 0);                 /* deregister, none registered */
    bad = saved;
    bad.cs = 0x33;                                 /* 64-bit code: must be refused */
    CHECK(swexn(0, 0, 0, &bad) < 0);
    bad = saved;
    bad.eflags |= 0x3000;                          /* IOPL 3 */
    CHECK(swexn(0, 0, 0, &bad) < 0);
    CHECK(swexn(0, 0, 0, (ureg_t *)0x00800000) < 0);
}

int main(int argc, char **argv)
{
    test_divide();
    test_pagefault();
    test_invalid();
    pass();
}
