/*
 * vm_exhaust: new_pages until the machine refuses, every granted page can
 * be written (no overcommit), the refusal sticks, and after freeing the
 * same amount can be had again, also as one region. Run with a small
 * --memory so that it stays quick.
 */
#define TEST_NAME "vm_exhaust"
#include "testlib.h"

#define CHUNK (16 * PAGE_SIZE)
#define AREA 0x40000000u
#define MAX_CHUNKS 4096

static int grab_all(unsigned int base)
{
    int n = 0;

    while (n < MAX_CHUNKS && new_pages((void *)(base + (unsigned int)n * CHUNK), CHUNK) == 0)
        n++;
    return n;
}

static void fill(unsigned int base, int chunks, int salt)
{
    unsigned int a;

    for (a = base; a < base + (unsigned int)chunks * CHUNK; a += PAGE_SIZE)
        *(volatile unsigned int *)a = a ^ (unsigned int)salt;
}

static void verify(unsigned int base, int chunks, int salt)
{
    unsigned int a;

    for (a = base; a < base + (unsigned int)chunks * CHUNK; a += PAGE_SIZE)
        if (*(volatile unsigned int *)a != (a ^ (unsigned int)salt))
            fail("page %#x lost its contents", a);
}

static void free_all(unsigned int base, int chunks)
{
    int i;

    for (i = 0; i < chunks; i++)
        CHECK(remove_pages((void *)(base + (unsigned int)i * CHUNK)) == 0);
}

int main(int argc, char **argv)
{
    int n, m;

    n = grab_all(AREA);
    CHECK(n > 4 && n < MAX_CHUNKS);
    fill(AREA, n, 1);                  /* every promise is kept */
    verify(AREA, n, 1);
    CHECK(new_pages((void *)0x80000000, CHUNK) < 0);

    free_all(AREA, n / 2);             /* half back, half again */
    m = grab_all(0x80000000);
    if (m != n / 2)
        fail("freed %d chunks but got %d back", n / 2, m);
    fill(0x80000000, m, 2);
    verify(AREA + (unsigned int)(n / 2) * CHUNK, n - n / 2, 1);
    verify(0x80000000, m, 2);
    free_all(0x80000000, m);
    free_all(AREA + (unsigned int)(n / 2) * CHUNK, n - n / 2);

    /* Everything back: the whole amount again, as one region, zero-filled. */
    CHECK(new_pages((void *)AREA, n * CHUNK) == 0);
    {
        unsigned int a;
        for (a = AREA; a < AREA + (unsigned int)n * CHUNK; a += PAGE_SIZE)
            if (*(volatile unsigned int *)a != 0)
                fail("reused frame at %#x is not zero", a);
    }
    fill(AREA, n, 3);
    verify(AREA, n, 3);
    CHECK(remove_pages((void *)AREA) == 0);
    printf("vm_exhaust: %d chunks of %d KiB\n", n, CHUNK / 1024);
    pass();
}
