/*
 * guard_threadbomb [lib|raw|both]: creates threads until the kernel refuses.
 *   lib: thr_create with small stacks until it fails (new_pages runs out),
 *        every thread waiting on a condition; then all are released, joined.
 *   raw: bare thread_fork whose children deschedule at once on the parent's
 *        stack, so only kernel memory limits them: the kernel must refuse
 *        with an error, not run the host out of memory or mappings.
 * Then the machine must still create threads and fork.
 */
#define TEST_NAME "guard_threadbomb"
#include "testlib.h"
#include <stdlib.h>
#include <string.h>
#include <thread.h>
#include <mutex.h>
#include <cond.h>

#define MAX_RAW 100000

static mutex_t lock;
static cond_t released_cv;
static int released;

static void *waiter(void *arg)
{
    mutex_lock(&lock);
    while (!released)
        cond_wait(&released_cv, &lock);
    mutex_unlock(&lock);
    return arg;
}

static int lib_bomb(void)
{
    static int tids[MAX_RAW];
    int n = 0, err = 0;
    while (n < MAX_RAW) {
        int tid = thr_create(waiter, (void *)n);
        if (tid < 0) { err = tid; break; }
        tids[n++] = tid;
    }
    printf("guard_threadbomb: lib: %d threads, then thr_create failed with %d\n", n, err);
    mutex_lock(&lock);
    released = 1;
    cond_broadcast(&released_cv);
    mutex_unlock(&lock);
    for (int i = 0; i < n; i++) {
        void *st;
        if (thr_join(tids[i], &st) < 0 || (int)st != i)
            fail("join of thread %d", tids[i]);
    }
    return n;
}

static volatile int raw_go;   /* the children's deschedule word: 0 until released */

/* The child touches no memory: it deschedules on raw_go, then vanishes. */
static int raw_thread(void)
{
    int r;
    __asm__ volatile("int $0x52\n\t"
                     "test %%eax, %%eax\n\t"
                     "jnz 1f\n\t"
                     "int $0x46\n\t"
                     "int $0x60\n"
                     "1:"
                     : "=a"(r) : "S"(&raw_go) : "memory", "cc");
    return r;
}

static int raw_bomb(void)
{
    static int tids[MAX_RAW];
    int n = 0, err = 0;
    raw_go = 0;
    while (n < MAX_RAW) {
        int tid = raw_thread();
        if (tid < 0) { err = tid; break; }
        tids[n++] = tid;
    }
    printf("guard_threadbomb: raw: %d threads, then thread_fork failed with %d\n", n, err);
    raw_go = 1;
    for (int i = 0; i < n; i++)
        make_runnable(tids[i]);      /* fails harmlessly for one that never descheduled */
    /* They vanish as soon as they run; wait until none is left to yield to. */
    for (int i = 0; i < n; i++)
        while (yield(tids[i]) == 0)
            ;
    return n;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "both";
    thr_init(4096);
    mutex_init(&lock);
    cond_init(&released_cv);
    if (strcmp(mode, "raw") != 0)
        CHECK(lib_bomb() > 8);
    if (strcmp(mode, "lib") != 0)
        CHECK(raw_bomb() > 8);
    /* The machine still works: a thread and a child task. */
    released = 1;
    int tid = thr_create(waiter, (void *)7);
    void *st;
    CHECK(tid > 0 && thr_join(tid, &st) == 0 && (int)st == 7);
    pass();
}
