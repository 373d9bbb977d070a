/*
 * malloc_threads: threads allocate, fill, check and free blocks at the same
 * time; a heap that is not thread-safe hands out overlapping blocks or
 * corrupts its lists.
 */
#define TEST_NAME "malloc_threads"
#include <thread.h>
#include <stdlib.h>
#include <string.h>
#include "testlib.h"

#define THREADS 8
#define ROUNDS 400
#define KEEP 16

static void *churn(void *arg)
{
    unsigned char *blocks[KEEP] = { 0 };
    size_t sizes[KEEP] = { 0 };
    unsigned int seed = (unsigned int)(int)arg * 7919u + 1;
    int r, k;
    size_t j;

    for (r = 0; r < ROUNDS; r++) {
        k = r % KEEP;
        for (j = 0; j < sizes[k]; j++)
            if (blocks[k][j] != (unsigned char)((int)arg + k))
                fail("thread %d: block %d was overwritten", (int)arg, k);
        free(blocks[k]);
        seed = seed * 1103515245u + 12345u;
        sizes[k] = (seed >> 8) % 3000 + 1;
        blocks[k] = malloc(sizes[k]);
        if (blocks[k] == NULL)
            fail("thread %d: malloc(%u) failed", (int)arg, (unsigned)sizes[k]);
        memset(blocks[k], (int)arg + k, sizes[k]);
        if (r % 32 == 0)
            thr_yield(-1);
    }
    for (k = 0; k < KEEP; k++)
        free(blocks[k]);
    return NULL;
}

int main(int argc, char **argv)
{
    int tids[THREADS], i;

    CHECK(thr_init(16 * 1024) == 0);
    for (i = 0; i < THREADS; i++)
        CHECK((tids[i] = thr_create(churn, (void *)(i + 1))) > 0);
    churn((void *)100);
    for (i = 0; i < THREADS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    pass();
}
