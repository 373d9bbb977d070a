/*
 * swexn_deregister: a NULL esp3 or a NULL eip deregisters (also when none
 * is registered), after which a fault kills the thread (status -2); a
 * handler is deregistered while it runs, so a fault inside it kills too;
 * a handler that registers again before faulting is called again; a
 * handler whose exception stack cannot take the frame does not run (the
 * fault kills); fork keeps the handler.
 */
#define TEST_NAME "swexn_deregister"
#include <stdlib.h>
#include "testlib.h"

int main(int argc, char **argv);

static char stack1[PAGE_SIZE] __attribute__((aligned(16)));
static char stack2[PAGE_SIZE] __attribute__((aligned(16)));
static volatile int calls;

/* Exits the task with 40 + the number of handler calls so far. */
__attribute__((force_align_arg_pointer))
static void exiting(void *arg, ureg_t *ureg)
{
    calls++;
    task_vanish(40 + calls);
}

/* Faults again while running: deregistered, so this kills. */
__attribute__((force_align_arg_pointer))
static void faulting(void *arg, ureg_t *ureg)
{
    calls++;
    *(volatile int *)0x00800000 = 1;
    task_vanish(50);
}

/* Registers `exiting` on another stack, then faults: nested delivery. */
__attribute__((force_align_arg_pointer))
static void nesting(void *arg, ureg_t *ureg)
{
    calls++;
    if (swexn(stack2 + sizeof(stack2), exiting, 0, 0) != 0)
        task_vanish(60);
    *(volatile int *)0x00800000 = 1;
    task_vanish(61);
}

static void fault(void) { *(volatile int *)0x00800004 = 1; }

static void dereg_esp3(void)
{
    CHECK(swexn(stack1 + sizeof(stack1), exiting, 0, 0) == 0);
    CHECK(swexn(0, exiting, 0, 0) == 0);
    fault();
}

static void dereg_eip(void)
{
    CHECK(swexn(stack1 + sizeof(stack1), exiting, 0, 0) == 0);
    CHECK(swexn(stack1 + sizeof(stack1), 0, 0, 0) == 0);
    CHECK(swexn(0, 0, 0, 0) == 0);     /* none registered: still fine */
    fault();
}

static void fault_in_handler(void)
{
    CHECK(swexn(stack1 + sizeof(stack1), faulting, 0, 0) == 0);
    fault();
}

static void nested(void)
{
    CHECK(swexn(stack1 + sizeof(stack1), nesting, 0, 0) == 0);
    fault();
}

/* The exception stack is not mapped: the frame cannot be pushed, so the
 * fault kills as if there were no handler. */
static void unmapped_exception_stack(void)
{
    CHECK(swexn((void *)0x70001000, exiting, 0, 0) == 0);
    fault();
}

/* The exception stack is read-only (text): the same. */
static void readonly_exception_stack(void)
{
    CHECK(swexn((char *)(void *)main + 256, exiting, 0, 0) == 0);
    fault();
}

static void kept_by_fork(void)
{
    int tid, status;

    CHECK(swexn(stack1 + sizeof(stack1), exiting, 0, 0) == 0);
    tid = fork();
    if (tid == 0)
        fault();                       /* the child's copy of the handler */
    CHECK(tid > 0 && wait(&status) == tid);
    task_vanish(status == 41 ? 70 : 71);
}

static int run(void (*body)(void))
{
    int tid = fork(), status = 0;

    if (tid == 0) {
        body();
        exit(99);
    }
    CHECK(tid > 0 && wait(&status) == tid);
    return status;
}

int main(int argc, char **argv)
{
    int s;

    CHECK(swexn(0, 0, 0, 0) == 0);
    if ((s = run(dereg_esp3)) != -2) fail("NULL esp3: status %d", s);
    if ((s = run(dereg_eip)) != -2) fail("NULL eip: status %d", s);
    if ((s = run(fault_in_handler)) != -2) fail("fault in handler: status %d", s);
    if ((s = run(nested)) != 42) fail("nested handler: status %d", s);
    if ((s = run(unmapped_exception_stack)) != -2) fail("unmapped exception stack: status %d", s);
    if ((s = run(readonly_exception_stack)) != -2) fail("read-only exception stack: status %d", s);
    if ((s = run(kept_by_fork)) != 70) fail("fork did not keep the handler: status %d", s);
    pass();
}
