/*
 * explore_watch_page: a watched access must leave its page withdrawn.
 *
 * The worker makes two accesses in a row to one page with no call between:
 * first to a word nobody else uses, then to a word main reads without
 * synchronisation (a data race). explore's race run sees the race only if
 * the first access, once carried out, left the page withdrawn, so that the
 * second one faults too. write_after_step's first access is stepped (negl is
 * not one the kernel carries out: its page is shown for the step and must be
 * withdrawn after it); write_after_emulated's is carried out by the kernel.
 * The test expects explore to report racing instructions in both functions.
 * The program is otherwise correct: explore ends with no bug.
 */
#define TEST_NAME "explore_watch_page"
#include <thread.h>
#include "testlib.h"

/* One page: the private words and the shared ones next to each other. */
static struct {
    int private1, shared1, private2, shared2;
} page __attribute__((aligned(4096)));

__attribute__((noinline)) static void write_after_step(void)
{
    asm volatile("negl %0" : "+m"(page.private1));
    asm volatile("movl $1, %0" : "=m"(page.shared1));
}

__attribute__((noinline)) static void write_after_emulated(void)
{
    asm volatile("movl $2, %0" : "=m"(page.private2));
    asm volatile("movl $3, %0" : "=m"(page.shared2));
}

static void *worker(void *arg)
{
    write_after_step();
    write_after_emulated();
    return NULL;
}

int main(void)
{
    int tid, seen;

    CHECK(thr_init(4096) == 0);
    CHECK((tid = thr_create(worker, NULL)) > 0);
    /* Unsynchronised reads: they race with the worker's writes. */
    seen = *(volatile int *)&page.shared1 + *(volatile int *)&page.shared2;
    CHECK(thr_join(tid, NULL) == 0);
    CHECK(seen == 0 || seen == 1 || seen == 3 || seen == 4);
    pass();
}
