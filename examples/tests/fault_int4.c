/* fault_int4: executes `int $4` (the overflow vector, a trap), with only
 * crt0's autostack handler installed; must be killed, not resumed
 * silently after the instruction (issue 17, item 7). */
#define TEST_NAME "fault_int4"
#include "testlib.h"

int main(int argc, char **argv)
{
    printf("fault_int4: executing int $4\n");
    __asm__ volatile("int $4");
    fail("survived int $4");
}
