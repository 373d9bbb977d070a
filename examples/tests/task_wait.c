/*
 * task_wait: wait's error returns and what it delivers.
 * - no children: < 0, *status untouched; wait(NULL) too;
 * - unwritable status pointer (unmapped, below user memory, read-only
 *   text): < 0 and the exited child is not consumed;
 * - more waiting threads than children: the extra waiter gets < 0 at once,
 *   the others each collect one child;
 * - the tid returned is the child's original thread even when another
 *   thread of the child ends it; a child killed by a fault reports -2;
 * - wait(NULL) collects without storing.
 */
#define TEST_NAME "task_wait"
#include <stdlib.h>
#include <thread.h>
#include "testlib.h"

int main(int argc, char **argv);

static volatile int waiter_result[2];
static volatile int waiters_done;

static void *waiter(void *arg)
{
    int status = 0, r = wait(&status);

    waiter_result[(int)arg] = r < 0 ? r : status;
    __sync_fetch_and_add(&waiters_done, 1);
    return NULL;
}

/* The child's first thread vanishes; a second thread ends the task with 33. */
static void *last_thread(void *arg)
{
    sleep(2);
    exit(33);
}

static void errors_without_children(void)
{
    int status = 5;

    CHECK(wait(&status) < 0);
    CHECK(status == 5);
    CHECK(wait(NULL) < 0);
}

static void bad_pointers_consume_nothing(void)
{
    int tid = fork(), status = 0;

    if (tid == 0)
        exit(17);
    CHECK(tid > 0);
    CHECK(wait((int *)0x00800000) < 0);       /* kernel memory */
    CHECK(wait((int *)0xFFFFFFFE) < 0);       /* runs off the end */
    CHECK(wait((int *)0x40000000) < 0);       /* unmapped */
    CHECK(wait((int *)(void *)main) < 0);     /* read-only text */
    CHECK(wait(&status) == tid);              /* still there */
    CHECK(status == 17);
}

static void more_waiters_than_children(void)
{
    int tid, t0, t1, status;

    tid = fork();
    if (tid == 0) {
        sleep(30);                  /* both waiters are in wait by then */
        exit(44);
    }
    waiters_done = 0;
    CHECK((t0 = thr_create(waiter, (void *)0)) > 0);
    CHECK((t1 = thr_create(waiter, (void *)1)) > 0);
    CHECK(thr_join(t0, NULL) == 0);
    CHECK(thr_join(t1, NULL) == 0);
    /* Exactly one got the child's status, the other an error. */
    if (!((waiter_result[0] == 44 && waiter_result[1] < 0) ||
          (waiter_result[1] == 44 && waiter_result[0] < 0)))
        fail("waiters got %d and %d", waiter_result[0], waiter_result[1]);
    CHECK(wait(&status) < 0);
}

static void original_tid_and_fault_status(void)
{
    int tid, status;

    tid = fork();
    if (tid == 0) {
        if (thr_init(16 * 1024) < 0 || thr_create(last_thread, NULL) < 0)
            exit(99);
        thr_exit(NULL);             /* the first thread goes first */
    }
    CHECK(wait(&status) == tid);
    CHECK(status == 33);
    tid = fork();
    if (tid == 0)
        *(volatile int *)0 = 1;     /* killed: status -2 */
    CHECK(wait(&status) == tid);
    CHECK(status == -2);
    tid = fork();
    if (tid == 0)
        exit(1);
    CHECK(wait(NULL) == tid);
}

int main(int argc, char **argv)
{
    errors_without_children();
    bad_pointers_consume_nothing();
    original_tid_and_fault_status();
    CHECK(thr_init(16 * 1024) == 0);
    more_waiters_than_children();
    pass();
}
