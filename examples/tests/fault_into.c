/* fault_into: executes `into` with OF set, a trap (eip already past it),
 * with only crt0's autostack handler installed; must be killed, not
 * resumed silently after the instruction (issue 17, item 7). */
#define TEST_NAME "fault_into"
#include "testlib.h"

int main(int argc, char **argv)
{
    printf("fault_into: executing into with OF set\n");
    /* 0x7fffffff + 1 overflows: OF = 1. */
    __asm__ volatile("movl $0x7fffffff, %%eax\n\taddl $1, %%eax\n\tinto" ::: "eax", "cc");
    fail("survived into with OF set");
}
