/*
 * print_storm: threads print numbered lines at the same time. Each printf
 * is one print call, which the kernel never interleaves, so every line
 * must come out whole (checked by whoever reads the output: lines of the
 * form "print_storm T L ....." with 40 dots).
 */
#define TEST_NAME "print_storm"
#include <thread.h>
#include "testlib.h"

#define THREADS 4
#define LINES 25

static void *talker(void *arg)
{
    int i;

    for (i = 0; i < LINES; i++)
        printf("print_storm %d %02d ........................................\n", (int)arg, i);
    return NULL;
}

int main(int argc, char **argv)
{
    int tids[THREADS], i;

    CHECK(thr_init(16 * 1024) == 0);
    for (i = 0; i < THREADS; i++)
        CHECK((tids[i] = thr_create(talker, (void *)i)) > 0);
    for (i = 0; i < THREADS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    pass();
}
