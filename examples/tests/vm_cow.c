/*
 * vm_cow: after fork, parent and child each have their own data, bss,
 * stack and new_pages memory, in both directions and down a chain of
 * forks; pages still zero-fill at fork time stay private too. The child
 * waits (deschedule) until the parent has written, so the parent's write
 * comes first and the child must still see the old values.
 */
#define TEST_NAME "vm_cow"
#include <stdlib.h>
#include "testlib.h"

#define NP ((volatile char *)0x40000000)
#define NP_LEN (4 * PAGE_SIZE)

static volatile int data_word = 1111;
static volatile int bss_words[3 * PAGE_SIZE / 4];   /* page 1 stays untouched before fork */

struct snapshot { int data, bss0, bss_untouched, np0, np_untouched, stack; };

static void set_all(volatile int *stack_word, int v)
{
    data_word = v;
    bss_words[0] = v + 1;
    bss_words[PAGE_SIZE / 4 + 7] = v + 2;
    NP[0] = (char)(v + 3);
    NP[2 * PAGE_SIZE + 5] = (char)(v + 4);
    *stack_word = v + 5;
}

/* 0 if every location holds what set_all(v) wrote (v 0: the untouched
 * pages are zero and the touched ones hold their first values). */
static int check_all(volatile int *stack_word, int v, int first)
{
    if (data_word != v) return 1;
    if (bss_words[0] != v + 1) return 2;
    if (bss_words[PAGE_SIZE / 4 + 7] != (first ? 0 : v + 2)) return 3;
    if (NP[0] != (char)(v + 3)) return 4;
    if (NP[2 * PAGE_SIZE + 5] != (first ? 0 : (char)(v + 4))) return 5;
    if (*stack_word != v + 5) return 6;
    return 0;
}

/* Stops until the parent's release_child: make_runnable only succeeds once
 * this thread is descheduled, so one deschedule is woken exactly once. */
static void wait_for_parent(void)
{
    int reject = 0;

    deschedule(&reject);
}

/* Lets a child waiting in wait_for_parent go. */
static void release_child(int tid)
{
    while (make_runnable(tid) < 0)
        yield(-1);
}

static void first_values(volatile int *stack_word)
{
    data_word = 100;
    bss_words[0] = 101;
    NP[0] = (char)103;
    *stack_word = 105;
}

static int grandchild(volatile int *stack_word)
{
    int r;

    if ((r = check_all(stack_word, 300, 0)) != 0)   /* sees the child's values */
        return 10 + r;
    set_all(stack_word, 400);
    return check_all(stack_word, 400, 0) ? 20 : 0;
}

static int child(volatile int *stack_word)
{
    int r, tid, status;

    wait_for_parent();
    if ((r = check_all(stack_word, 100, 1)) != 0)   /* not the parent's 200 */
        return r;
    set_all(stack_word, 300);
    tid = fork();
    if (tid == 0)
        exit(grandchild(stack_word));
    if (tid < 0 || wait(&status) != tid)
        return 30;
    if (status != 0)
        return status;
    return check_all(stack_word, 300, 0) ? 40 : 0;  /* not the grandchild's 400 */
}

int main(int argc, char **argv)
{
    volatile int stack_word;
    int tid, status;

    CHECK(new_pages((void *)NP, NP_LEN) == 0);
    first_values(&stack_word);
    tid = fork();
    CHECK(tid >= 0);
    if (tid == 0)
        exit(child(&stack_word));
    set_all(&stack_word, 200);
    release_child(tid);
    CHECK(wait(&status) == tid);
    if (status != 0)
        fail("child reported check %d", status);
    CHECK(check_all(&stack_word, 200, 0) == 0);    /* nothing of the child's */
    CHECK(remove_pages((void *)NP) == 0);
    pass();
}
