/* fault_null: reads address 0; the kernel must kill it (status -2). */
#define TEST_NAME "fault_null"
#include "testlib.h"

int main(int argc, char **argv)
{
    printf("fault_null: reading address 0\n");
    printf("read %d\n", *(volatile int *)0);
    fail("survived reading address 0");
}
