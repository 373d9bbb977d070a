/* fault_div0: divides by zero; must be killed. */
#define TEST_NAME "fault_div0"
#include "testlib.h"

int main(int argc, char **argv)
{
    volatile int zero = 0, one = 1;

    printf("fault_div0: dividing by zero\n");
    printf("quotient %d\n", one / zero);
    fail("survived dividing by zero");
}
