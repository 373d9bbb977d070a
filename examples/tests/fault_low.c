/* fault_low: writes 0x00800000, kernel memory to a guest; must be killed. */
#define TEST_NAME "fault_low"
#include "testlib.h"

int main(int argc, char **argv)
{
    printf("fault_low: writing address 0x00800000\n");
    *(volatile int *)0x00800000 = 42;
    fail("survived writing 0x00800000");
}
