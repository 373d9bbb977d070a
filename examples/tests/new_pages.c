/*
 * new_pages: the error cases of new_pages/remove_pages from the ABI, and a
 * working allocation that is zero-filled, writable and removable.
 */
#define TEST_NAME "new_pages"
#include "testlib.h"

#define BASE ((char *)0x40000000)

int main(int argc, char **argv)
{
    int i;

    CHECK(new_pages(BASE + 1, PAGE_SIZE) < 0);               /* unaligned base */
    CHECK(new_pages(BASE, 0) < 0);                           /* empty */
    CHECK(new_pages(BASE, -PAGE_SIZE) < 0);                  /* negative */
    CHECK(new_pages(BASE, PAGE_SIZE + 1) < 0);               /* not whole pages */
    CHECK(new_pages((void *)0x00800000, PAGE_SIZE) < 0);     /* kernel memory */
    CHECK(new_pages((void *)0x00FFF000, 2 * PAGE_SIZE) < 0); /* straddles 16 MiB */
    CHECK(new_pages((void *)0xFFFFF000u, 2 * PAGE_SIZE) < 0);/* wraps past 4 GiB */
    CHECK(new_pages((void *)main, PAGE_SIZE) < 0 ||          /* our own text page */
          ((unsigned int)main & (PAGE_SIZE - 1)) != 0);
    CHECK(new_pages((void *)((unsigned int)main & ~(PAGE_SIZE - 1)), PAGE_SIZE) < 0);

    CHECK(new_pages(BASE, 3 * PAGE_SIZE) == 0);
    for (i = 0; i < 3 * PAGE_SIZE; i++)
        if (BASE[i] != 0)
            fail("new page byte %d is %d, not 0", i, BASE[i]);
    for (i = 0; i < 3 * PAGE_SIZE; i++)
        BASE[i] = (char)i;
    CHECK(BASE[3 * PAGE_SIZE - 1] == (char)(3 * PAGE_SIZE - 1));
    CHECK(new_pages(BASE + PAGE_SIZE, PAGE_SIZE) < 0);       /* already mapped */
    CHECK(new_pages(BASE - PAGE_SIZE, 2 * PAGE_SIZE) < 0);   /* overlaps */
    CHECK(remove_pages(BASE + PAGE_SIZE) < 0);               /* not a region start */
    CHECK(remove_pages((void *)0x50000000) < 0);             /* nothing there */
    CHECK(remove_pages(BASE) == 0);
    CHECK(remove_pages(BASE) < 0);                           /* already gone */
    CHECK(new_pages(BASE, PAGE_SIZE) == 0);                  /* free again, and zeroed */
    CHECK(BASE[0] == 0 && BASE[PAGE_SIZE - 1] == 0);
    CHECK(remove_pages(BASE) == 0);
    pass();
}
