/*
 * simics_halt: SIM_HALT stops the whole machine at once, with a child task
 * still sleeping. The exit code is the first task's status (set to 7 here);
 * nothing after the call runs.
 */
#define TEST_NAME "simics_halt"
#include "testlib.h"
#include "simics_lib.h"

int main(int argc, char **argv)
{
    int child = fork();

    CHECK(child >= 0);
    if (child == 0) {
        for (;;)
            sleep(1000);
    }
    set_status(7);
    printf("simics_halt: halting\n");
    sim_halt();
    fail("still running after SIM_HALT");
}
