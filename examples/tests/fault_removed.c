/* fault_removed: touches memory after remove_pages; must be killed. */
#define TEST_NAME "fault_removed"
#include "testlib.h"

#define BASE ((volatile int *)0x30000000)

int main(int argc, char **argv)
{
    CHECK(new_pages((void *)BASE, PAGE_SIZE) == 0);
    BASE[0] = 1;
    CHECK(remove_pages((void *)BASE) == 0);
    printf("fault_removed: reading a removed page\n");
    printf("read %d\n", BASE[0]);
    fail("survived reading a removed page");
}
