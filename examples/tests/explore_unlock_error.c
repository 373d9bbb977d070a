/*
 * explore_unlock_error: DELIBERATELY BROKEN (missing unlock on an error
 * path). withdraw() returns early when the balance is short and forgets to
 * release the lock. Whether the error path runs depends on the order: if
 * the withdrawal comes before the deposit, the lock stays held and the
 * depositor waits for it forever (the mutex yields to the holder, which has
 * exited: every thread spins or waits, a deadlock).
 * explore_unlock_error_ok is the correct twin.
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_unlock_error"
#endif
#include <thread.h>
#include <mutex.h>
#include "testlib.h"

static mutex_t m;
static int balance;

static int withdraw(int amount)
{
    mutex_lock(&m);
    if (balance < amount) {
#ifdef CORRECT
        mutex_unlock(&m);
#endif
        return -1;                   /* BUG (without CORRECT): still holding m */
    }
    balance -= amount;
    mutex_unlock(&m);
    return 0;
}

static void *depositor(void *arg)
{
    mutex_lock(&m);
    balance += 10;
    mutex_unlock(&m);
    return NULL;
}

static void *spender(void *arg)
{
    return (void *)withdraw(5);
}

int main(void)
{
    int d, s;
    void *r;

    CHECK(thr_init(4096) == 0);
    CHECK(mutex_init(&m) == 0);
    CHECK((d = thr_create(depositor, NULL)) > 0);
    CHECK((s = thr_create(spender, NULL)) > 0);
    CHECK(thr_join(d, NULL) == 0);
    CHECK(thr_join(s, &r) == 0);
    mutex_lock(&m);
    if (balance != ((int)r == 0 ? 5 : 10))
        fail("balance %d after withdraw returned %d", balance, (int)r);
    mutex_unlock(&m);
    pass();
}
