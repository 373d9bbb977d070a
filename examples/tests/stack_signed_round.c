/*
 * stack_signed_round: thread libraries written against the reference
 * kernel find the first thread's stack by rounding the address of a local
 * up to a page with signed int arithmetic, then place thread stacks just
 * below it with new_pages. That must land below the stack, never in low
 * memory: with main's frame in the topmost page (0xFFFFF000..) the
 * rounding yields 0x1000 and every one of those new_pages is refused.
 * Also checks the reference kernel's initial stack, which such libraries
 * hard-code: stack_high 0xFFFFFFFF, stack_low 0xFFFFE000 (small argv).
 */
#define TEST_NAME "stack_signed_round"
#include <syscall.h>
#include <thread.h>
#include "testlib.h"

#define THREADS 8
/* Room a student library typically leaves for the first thread's stack. */
#define MAIN_RESERVE (64 * PAGE_SIZE)

/* What the kernel handed _main (crt0.S keeps them). */
extern unsigned int _pb_stack_high, _pb_stack_low;

static void *child(void *arg)
{
    volatile char page[PAGE_SIZE / 2];   /* uses most of the one-page stack */

    page[0] = (char)(int)arg;
    page[sizeof(page) - 1] = 1;
    return (void *)(page[0] + page[sizeof(page) - 1]);
}

int main(int argc, char **argv)
{
    int a, i, tids[THREADS];
    void *status;
    /* Signed on purpose: this is the expression such libraries use. */
    int top = (((int)&a - 1) / PAGE_SIZE + 1) * PAGE_SIZE;
    char *stack;

    printf("stack_signed_round: &a=%p rounds to %#x\n", (void *)&a, (unsigned int)top);
    CHECK(_pb_stack_high == 0xFFFFFFFFu);
    CHECK(_pb_stack_low == 0xFFFFE000u);
    CHECK((unsigned int)&a < 0xFFFFF000u);
    /* Above &a modulo 2^32 (0 stands for 4 GiB), and near it. */
    CHECK((unsigned int)top - (unsigned int)&a <= 2 * PAGE_SIZE);
    CHECK((unsigned int)top - (unsigned int)&a != 0);

    stack = (char *)(top - MAIN_RESERVE - PAGE_SIZE);
    CHECK(new_pages(stack, PAGE_SIZE) == 0);
    stack[0] = 1;
    stack[PAGE_SIZE - 1] = 2;
    CHECK(stack[0] + stack[PAGE_SIZE - 1] == 3);
    CHECK(remove_pages(stack) == 0);

    /* One-page thread stacks through the thread library. */
    CHECK(thr_init(PAGE_SIZE) == 0);
    for (i = 0; i < THREADS; i++)
        CHECK((tids[i] = thr_create(child, (void *)i)) > 0);
    for (i = 0; i < THREADS; i++) {
        CHECK(thr_join(tids[i], &status) == 0);
        CHECK((int)status == i + 1);
    }
    pass();
}
