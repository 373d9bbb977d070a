/*
 * vm_many_mappings: more separate host mappings than the host allows at
 * once (vm.max_map_count 65530). Reading untouched pages shows the one
 * zero frame at every page, which no two neighbours can share a mapping
 * for, so reading 65536 pages needs 65536 mappings. The kernel's soft-TLB
 * must stay bounded and evict; every page keeps its contents. Needs
 * --memory of at least 260 MiB (reserved, hardly touched).
 */
#define TEST_NAME "vm_many_mappings"
#include "testlib.h"

#define AREA 0x40000000u
#define PAGES 65536u                    /* 256 MiB of address space */
#define STRIDE 97u

static unsigned int at(unsigned int i) { return AREA + i * PAGE_SIZE; }

int main(int argc, char **argv)
{
    unsigned int i;

    CHECK(new_pages((void *)AREA, (int)(PAGES * PAGE_SIZE)) == 0);
    for (i = 0; i < PAGES; i++)
        if (*(volatile unsigned int *)at(i) != 0)
            fail("untouched page %u is not zero", i);
    for (i = 0; i < PAGES; i += STRIDE)
        *(volatile unsigned int *)at(i) = i + 1;
    for (i = 0; i < PAGES; i++)        /* again, after evictions */
        if (*(volatile unsigned int *)at(i) != (i % STRIDE == 0 ? i + 1 : 0))
            fail("page %u holds %u", i, *(volatile unsigned int *)at(i));
    CHECK(remove_pages((void *)AREA) == 0);
    pass();
}
