/*
 * swexn_errors: a swexn call with any invalid part fails with nothing
 * changed: the handler registered before stays registered (with its own
 * stack and argument) and the caller's registers are untouched. Invalid
 * parts: segment registers, privileged or missing eflags bits, an
 * unreadable newureg, a handler or stack outside user memory.
 */
#define TEST_NAME "swexn_errors"
#include "testlib.h"

static char stack1[PAGE_SIZE] __attribute__((aligned(16)));
static char stack2[PAGE_SIZE] __attribute__((aligned(16)));
static volatile unsigned int which, seen_arg;
static ureg_t good;                  /* from a real fault */

void load_site(void);

/* Loads from `addr` with a 2-byte instruction the handler can skip. */
__attribute__((noinline)) static unsigned int load(unsigned int addr)
{
    unsigned int v;

    __asm__ volatile(".globl load_site\nload_site: movl (%1), %0" : "=a"(v) : "c"(addr) : "memory");
    return v;
}

__attribute__((force_align_arg_pointer))
static void handler1(void *arg, ureg_t *ureg)
{
    which = 1;
    seen_arg = (unsigned int)arg;
    good = *ureg;
    ureg->eip += 2;
    ureg->eax = 0x1111;
    swexn(0, 0, 0, ureg);
    fail("handler1 could not resume");
}

__attribute__((force_align_arg_pointer))
static void handler2(void *arg, ureg_t *ureg)
{
    which = 2;
    ureg->eip += 2;
    swexn(0, 0, 0, ureg);
    fail("handler2 could not resume");
}

/* Registers handler1, makes the invalid call, and checks handler1 is what
 * a fault reaches afterwards. */
static void expect_refused(void *esp3, void *eip, ureg_t *newureg, int line)
{
    which = 0;
    if (swexn(stack1 + sizeof(stack1), handler1, (void *)0xa1, 0) != 0)
        fail("line %d: registering handler1 failed", line);
    if (swexn(esp3, (swexn_handler_t)eip, (void *)0xa2, newureg) >= 0)
        fail("line %d: invalid swexn accepted", line);
    if (load(0x00800000) != 0x1111 || which != 1 || seen_arg != 0xa1)
        fail("line %d: handler1 no longer registered (which %d)", line, which);
}
#define REFUSED(s, e, u) expect_refused((s), (void *)(e), (u), __LINE__)

static void bad_uregs(void)
{
    static const struct { int field; unsigned int value; } cases[] = {
        { 2, 0x33 }, { 2, 0 }, { 3, 0x23 }, { 4, 0x33 }, { 5, 0x1b },   /* ds es fs gs */
        { 16, 0x33 }, { 16, 0x1b }, { 16, 0x2b }, { 19, 0x23 }, { 19, 0 }, /* cs ss */
    };
    static const unsigned int bad_flags[] = {
        0x3000, 0x1000,                /* IOPL */
        0x20000,                       /* VM */
        0x80000, 0x100000,             /* VIF VIP */
    };
    ureg_t u;
    unsigned int i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        u = good;
        ((unsigned int *)&u)[cases[i].field] = cases[i].value;
        REFUSED(stack2 + sizeof(stack2), handler2, &u);
        REFUSED(0, 0, &u);
    }
    for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
        u = good;
        u.eflags |= bad_flags[i];
        REFUSED(stack2 + sizeof(stack2), handler2, &u);
    }
    u = good;
    u.eflags &= ~0x200u;               /* interrupts off in user mode */
    REFUSED(stack2 + sizeof(stack2), handler2, &u);
}

static void bad_pointers(void)
{
    REFUSED(stack2 + sizeof(stack2), handler2, (ureg_t *)0x00800000);  /* kernel memory */
    REFUSED(stack2 + sizeof(stack2), handler2, (ureg_t *)0x70000000);  /* unmapped */
    CHECK(new_pages((void *)0x70000000, PAGE_SIZE) == 0);
    /* A ureg running off the end of mapped memory. */
    REFUSED(stack2 + sizeof(stack2), handler2, (ureg_t *)(0x70000000 + PAGE_SIZE - 40));
    CHECK(remove_pages((void *)0x70000000) == 0);
    REFUSED((void *)0x00800000, handler2, 0);                          /* stack in kernel memory */
    REFUSED((void *)0x1000, handler2, 0);
    REFUSED(stack2 + sizeof(stack2), 0x00100000, 0);                   /* handler in kernel memory */
}

int main(int argc, char **argv)
{
    CHECK(swexn(stack1 + sizeof(stack1), handler1, (void *)0xa1, 0) == 0);
    CHECK(load(0x00800000) == 0x1111);
    CHECK(which == 1 && good.cause == SWEXN_CAUSE_PAGEFAULT && good.cr2 == 0x00800000);
    CHECK(good.eip == (unsigned int)load_site);
    bad_uregs();
    bad_pointers();
    /* A valid registration replaces handler1. */
    which = 0;
    CHECK(swexn(stack2 + sizeof(stack2), handler2, 0, 0) == 0);
    (void)load(0x00800000);
    CHECK(which == 2);
    pass();
}
