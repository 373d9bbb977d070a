/*
 * rwlock_downgrade: a writer downgrades to a reader. A reader that queued
 * while it wrote gets in while the downgraded holder still reads, a writer
 * that queued after the reader stays out until both readers leave, and the
 * reader sees the data the writer wrote.
 */
#define TEST_NAME "rwlock_downgrade"
#include <thread.h>
#include <rwlock.h>
#include <syscall.h>
#include "testlib.h"

static rwlock_t rw;
static volatile int data, reader_in, reader_done, writer_in;

static void *reader(void *arg)
{
    rwlock_lock(&rw, RWLOCK_READ);
    if (data != 42)
        fail("reader saw %d, not the written 42", data);
    reader_in = 1;
    while (!reader_done)                   /* hold the read lock until told */
        thr_yield(-1);
    rwlock_unlock(&rw);
    return NULL;
}

static void *writer(void *arg)
{
    rwlock_lock(&rw, RWLOCK_WRITE);
    writer_in = 1;
    rwlock_unlock(&rw);
    return NULL;
}

/* Yields for a while so queued threads can run (if they were allowed to). */
static void let_others_run(void)
{
    int i;

    for (i = 0; i < 50; i++)
        thr_yield(-1);
}

int main(int argc, char **argv)
{
    int r, w;

    CHECK(thr_init(16 * 1024) == 0);
    CHECK(rwlock_init(&rw) == 0);
    rwlock_lock(&rw, RWLOCK_WRITE);
    CHECK((r = thr_create(reader, NULL)) > 0);
    while (rw.next_ticket < 2)              /* the reader queues behind us */
        thr_yield(-1);
    CHECK((w = thr_create(writer, NULL)) > 0);
    while (rw.next_ticket < 3)              /* the writer queues behind it */
        thr_yield(-1);
    let_others_run();
    CHECK(reader_in == 0);
    data = 42;
    rwlock_downgrade(&rw);
    while (!reader_in)                      /* must get in: we are a reader now */
        thr_yield(-1);
    let_others_run();
    if (writer_in)
        fail("a writer got in while two readers held the lock");
    rwlock_unlock(&rw);
    let_others_run();
    if (writer_in)
        fail("a writer got in while a reader held the lock");
    reader_done = 1;
    CHECK(thr_join(r, NULL) == 0);
    CHECK(thr_join(w, NULL) == 0);
    CHECK(writer_in == 1);
    pass();
}
