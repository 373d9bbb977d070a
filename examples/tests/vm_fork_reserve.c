/*
 * vm_fork_reserve: with memory tight, fork is refused when the frames its
 * copy-on-write pages could need cannot be reserved, and the parent goes
 * on unharmed. A fork that is granted keeps its promise: even with every
 * remaining frame taken by new_pages afterwards, parent and child can
 * still write every shared page. Run with a small --memory.
 */
#define TEST_NAME "vm_fork_reserve"
#include <stdlib.h>
#include "testlib.h"

#define CHUNK (16 * PAGE_SIZE)
#define AREA 0x40000000u
#define FILLER 0x90000000u
#define MAX_CHUNKS 4096

static int grab(unsigned int base, int max, int size)
{
    int n = 0;

    while (n < max && new_pages((void *)(base + (unsigned int)n * size), size) == 0)
        n++;
    return n;
}

static void fill(int chunks, unsigned int salt)
{
    unsigned int a;

    for (a = AREA; a < AREA + (unsigned int)chunks * CHUNK; a += PAGE_SIZE / 4)
        *(volatile unsigned int *)a = a ^ salt;
}

static int verify(int chunks, unsigned int salt)
{
    unsigned int a;

    for (a = AREA; a < AREA + (unsigned int)chunks * CHUNK; a += PAGE_SIZE / 4)
        if (*(volatile unsigned int *)a != (a ^ salt))
            return 0;
    return 1;
}

static void release(int from, int to)
{
    int i;

    for (i = from; i < to; i++)
        CHECK(remove_pages((void *)(AREA + (unsigned int)i * CHUNK)) == 0);
}

/* The child: its pages must be its own, and writable though memory is full. */
static int child(int kept)
{
    int reject = 0;

    deschedule(&reject);               /* until the parent has taken the rest */
    if (new_pages((void *)0xA0000000, PAGE_SIZE) >= 0)
        return 3;                      /* memory should be gone by now */
    if (!verify(kept, 1))
        return 1;
    fill(kept, 2);
    return verify(kept, 2) ? 0 : 2;
}

int main(int argc, char **argv)
{
    int total, kept, tid, status, filler;

    total = grab(AREA, MAX_CHUNKS, CHUNK);
    CHECK(total >= 8 && total < MAX_CHUNKS);
    release(total * 3 / 5, total);    /* keep 60%, written: fork needs as much again */
    kept = total * 3 / 5;
    fill(kept, 1);
    CHECK(fork() < 0);
    CHECK(verify(kept, 1));
    fill(kept, 1);                     /* the refused fork left everything private */

    release(total * 2 / 5, kept);      /* keep 40%: now fork fits */
    kept = total * 2 / 5;
    tid = fork();
    CHECK(tid >= 0);
    if (tid == 0)
        exit(child(kept));
    filler = grab(FILLER, MAX_CHUNKS * 16, PAGE_SIZE);   /* take every frame left */
    CHECK(new_pages((void *)0xA0000000, PAGE_SIZE) < 0);
    while (make_runnable(tid) < 0)
        yield(-1);
    fill(kept, 3);                     /* the parent's copies, with memory full */
    CHECK(verify(kept, 3));
    CHECK(wait(&status) == tid);
    if (status != 0)
        fail("child failed check %d", status);
    CHECK(verify(kept, 3));
    printf("vm_fork_reserve: %d chunks, kept %d, filler %d pages\n", total, kept, filler);
    pass();
}
