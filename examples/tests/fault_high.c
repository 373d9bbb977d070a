/* fault_high: reads 0xC0000000, high user memory that nothing maps (the
 * stack sits at the very top, so 0xFFFFF000 is mapped); must be killed. */
#define TEST_NAME "fault_high"
#include "testlib.h"

int main(int argc, char **argv)
{
    printf("fault_high: reading address 0xC0000000 (stack near %p)\n", (void *)&argc);
    printf("read %d\n", *(volatile int *)0xC0000000u);
    fail("survived reading 0xC0000000");
}
