/*
 * vm_many_mappings: more isolated pages than the host can map at once
 * (vm.max_map_count 65530, two mappings per isolated page). The kernel's
 * soft-TLB must stay bounded and evict; every page keeps its contents.
 * Needs --memory of at least 300 MiB (128 MiB of it is touched).
 */
#define TEST_NAME "vm_many_mappings"
#include "testlib.h"

#define AREA 0x40000000u
#define PAGES 65536u                    /* 256 MiB of address space */

int main(int argc, char **argv)
{
    unsigned int i;

    CHECK(new_pages((void *)AREA, (int)(PAGES * PAGE_SIZE)) == 0);
    for (i = 0; i < PAGES; i += 2)     /* every other page: none adjacent */
        *(volatile unsigned int *)(AREA + i * PAGE_SIZE) = i;
    for (i = 0; i < PAGES; i += 2)     /* most were evicted since: they come back */
        if (*(volatile unsigned int *)(AREA + i * PAGE_SIZE) != i)
            fail("page %u lost its contents", i);
    for (i = 1; i < PAGES; i += 2 * 97)
        if (*(volatile unsigned int *)(AREA + i * PAGE_SIZE) != 0)
            fail("untouched page %u is not zero", i);
    CHECK(remove_pages((void *)AREA) == 0);
    pass();
}
