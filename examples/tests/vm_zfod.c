/*
 * vm_zfod: bss and new_pages memory read zero, reading does not make a
 * page writable by others (the shared zero frame is never written), and
 * frames coming back from freed or written memory are zeroed again.
 */
#define TEST_NAME "vm_zfod"
#include "testlib.h"

#define BSS_PAGES 16
#define NP ((volatile unsigned char *)0x40000000)
#define NP_PAGES 32

static volatile unsigned char bss_block[BSS_PAGES * PAGE_SIZE];

static int all_zero(volatile unsigned char *p, int n)
{
    int i;

    for (i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    int i, round;

    CHECK(all_zero(bss_block, sizeof(bss_block)));          /* read first: zero frame */
    bss_block[3 * PAGE_SIZE + 1] = 0xEE;                    /* then write one page */
    CHECK(bss_block[3 * PAGE_SIZE + 1] == 0xEE);
    CHECK(all_zero(bss_block, 3 * PAGE_SIZE));               /* the others still zero */
    CHECK(all_zero(bss_block + 4 * PAGE_SIZE, (BSS_PAGES - 4) * PAGE_SIZE));

    for (round = 0; round < 3; round++) {
        CHECK(new_pages((void *)NP, NP_PAGES * PAGE_SIZE) == 0);
        CHECK(all_zero(NP, NP_PAGES * PAGE_SIZE));
        for (i = 0; i < NP_PAGES * PAGE_SIZE; i += 64)       /* dirty every frame */
            NP[i] = (unsigned char)(i / 64 + 1);
        CHECK(all_zero(bss_block + 4 * PAGE_SIZE, PAGE_SIZE));
        CHECK(remove_pages((void *)NP) == 0);
    }
    /* Elsewhere, the freed dirty frames come back zeroed. */
    CHECK(new_pages((void *)0x50000000, NP_PAGES * PAGE_SIZE) == 0);
    for (i = 0; i < NP_PAGES; i++)
        ((volatile unsigned char *)0x50000000)[i * PAGE_SIZE + 8] = 1;
    for (i = 0; i < NP_PAGES; i++) {
        volatile unsigned char *p = (volatile unsigned char *)0x50000000 + i * PAGE_SIZE;
        CHECK(all_zero(p, 8) && p[8] == 1 && all_zero(p + 9, PAGE_SIZE - 9));
    }
    CHECK(remove_pages((void *)0x50000000) == 0);
    pass();
}
