/*
 * new_pages_oom: asking for more memory than the machine has fails cleanly
 * (< 0, nothing mapped), and the task can still allocate normally after.
 */
#define TEST_NAME "new_pages_oom"
#include "testlib.h"

#define BASE ((char *)0x20000000)
#define HUGE (0x7FFFF000)            /* about 2 GiB: more than any test machine */

int main(int argc, char **argv)
{
    int r = new_pages(BASE, HUGE);

    if (r == 0)
        fail("new_pages of %#x bytes succeeded", HUGE);
    CHECK(remove_pages(BASE) < 0);           /* nothing was left mapped */
    CHECK(new_pages(BASE, 16 * PAGE_SIZE) == 0);
    BASE[0] = 1;
    BASE[16 * PAGE_SIZE - 1] = 2;
    CHECK(remove_pages(BASE) == 0);
    pass();
}
