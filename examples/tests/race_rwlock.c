/*
 * race_rwlock: readers and writers share an array that a writer fills with
 * one value, slowly. Invariants, checked with atomic occupancy counts
 * independent of the lock under test:
 *  - no reader is inside while a writer is, and writers are exclusive;
 *  - a reader always sees the array uniform (never half written);
 *  - after rwlock_downgrade the former writer still sees its own value:
 *    no writer got in between.
 * Some writers downgrade and then check while other readers may share.
 */
#define TEST_NAME "race_rwlock"
#include <thread.h>
#include <rwlock.h>
#include "testlib.h"
#include "race_util.h"

#define READERS 3
#define WRITERS 2
#define ROUNDS 12
#define CELLS 6

static rwlock_t rw;
static volatile int data[CELLS];
static volatile int readers_in, writers_in;

static void check_uniform(int expect, const char *who)
{
    int i, first = data[0];

    for (i = 0; i < CELLS; i++) {
        if (data[i] != first)
            fail("%s saw a half-written array (cell %d is %d, cell 0 is %d)", who, i, data[i], first);
        window(2);
    }
    if (expect >= 0 && first != expect)
        fail("%s: value changed to %d under a read lock after downgrade from %d", who, first, expect);
}

static void enter_reader(const char *who)
{
    atomic_add(&readers_in, 1);
    if (atomic_load(&writers_in) != 0)
        fail("%s entered while a writer holds the lock", who);
}

static void *reader(void *arg)
{
    int r;

    for (r = 0; r < ROUNDS; r++) {
        rwlock_lock(&rw, RWLOCK_READ);
        enter_reader("reader");
        check_uniform(-1, "reader");
        atomic_add(&readers_in, -1);
        rwlock_unlock(&rw);
        window(r % 4 * 5);
    }
    return NULL;
}

static void *writer(void *arg)
{
    int w = (int)arg, r, i, value;

    for (r = 0; r < ROUNDS; r++) {
        value = w * 1000 + r;
        rwlock_lock(&rw, RWLOCK_WRITE);
        if (atomic_add(&writers_in, 1) != 0)
            fail("two writers hold the lock");
        if (atomic_load(&readers_in) != 0)
            fail("writer entered while %d readers hold the lock", readers_in);
        for (i = 0; i < CELLS; i++) {
            data[i] = value;
            window(3);
        }
        if (r % 3 == w % 3) {           /* downgrade: become a reader at once */
            atomic_add(&readers_in, 1);     /* still exclusive: no check needed */
            atomic_add(&writers_in, -1);
            rwlock_downgrade(&rw);
            window(10);
            check_uniform(value, "downgraded writer");
            atomic_add(&readers_in, -1);
        } else {
            atomic_add(&writers_in, -1);
        }
        rwlock_unlock(&rw);
        window(r % 5 * 4);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int tids[READERS + WRITERS], i;

    CHECK(thr_init(8 * 1024) == 0);
    CHECK(rwlock_init(&rw) == 0);
    for (i = 0; i < WRITERS; i++)
        CHECK((tids[i] = thr_create(writer, (void *)(i + 1))) > 0);
    for (i = 0; i < READERS; i++)
        CHECK((tids[WRITERS + i] = thr_create(reader, NULL)) > 0);
    for (i = 0; i < READERS + WRITERS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    rwlock_destroy(&rw);
    pass();
}
