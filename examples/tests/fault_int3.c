/* fault_int3: executes a breakpoint (int3) with no handler; must be killed. */
#define TEST_NAME "fault_int3"
#include "testlib.h"

int main(int argc, char **argv)
{
    printf("fault_int3: executing int3\n");
    __asm__ volatile("int3");
    fail("survived int3");
}
