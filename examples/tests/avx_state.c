/* avx_state: the upper halves of the ymm registers (an xsave component
 * beyond the legacy area, which traps copy only while it is in use) survive
 * system calls and switches between two threads that both use them.
 * Passes trivially on a host without AVX. */
#define TEST_NAME "avx_state"
#include <thread.h>
#include "testlib.h"

static int have_avx(void)
{
    unsigned int a = 1, b, c, d;

    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
    return (c >> 28) & 1;   /* OSXSAVE is implied: the host kernel uses xsave */
}

/* Loads `v` into all eight dwords of ymm1, traps `rounds` times (yield and
 * gettid), then returns how many dwords changed. */
static int check(unsigned int v, int rounds)
{
    unsigned int in[8], out[8];
    int i, bad = 0;

    for (i = 0; i < 8; i++)
        in[i] = v + i;
    __asm__ volatile("vmovdqu %0, %%ymm1" :: "m"(in));   /* gcc uses no vector registers here (no -msse) */
    for (i = 0; i < rounds; i++) {
        yield(-1);
        gettid();
    }
    __asm__ volatile("vmovdqu %%ymm1, %0" : "=m"(out));
    for (i = 0; i < 8; i++)
        bad += out[i] != in[i];
    return bad;
}

static void *other(void *arg)
{
    return (void *)check(0xB0B0B000u, 2000);
}

int main(void)
{
    void *their;
    int tid, mine;

    if (!have_avx())
        pass();
    CHECK(thr_init(16 * 1024) == 0);
    CHECK((tid = thr_create(other, NULL)) > 0);
    mine = check(0xA0A0A000u, 2000);
    CHECK(thr_join(tid, &their) == 0);
    CHECK(mine == 0);
    CHECK((int)their == 0);
    pass();
}
