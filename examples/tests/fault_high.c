/* fault_high: reads 0xFFFFF000, which is not mapped; must be killed. */
#define TEST_NAME "fault_high"
#include "testlib.h"

int main(int argc, char **argv)
{
    printf("fault_high: reading address 0xFFFFF000 (stack near %p)\n", (void *)&argc);
    printf("read %d\n", *(volatile int *)0xFFFFF000u);
    fail("survived reading 0xFFFFF000");
}
