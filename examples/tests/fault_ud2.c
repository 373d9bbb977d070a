/* fault_ud2: executes an invalid opcode (ud2); must be killed. */
#define TEST_NAME "fault_ud2"
#include "testlib.h"

int main(int argc, char **argv)
{
    printf("fault_ud2: executing ud2\n");
    __asm__ volatile("ud2");
    fail("survived ud2");
}
