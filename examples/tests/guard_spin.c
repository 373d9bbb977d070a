/*
 * guard_spin: prints one line and then computes forever, so that a host
 * signal sent to the emulator interrupts guest code (not the idle kernel).
 * Used by the host-signal tests; it never ends by itself.
 */
#define TEST_NAME "guard_spin"
#include "testlib.h"

int main(int argc, char **argv)
{
    volatile unsigned int x = 1;

    printf("guard_spin: spinning\n");
    for (;;)
        x = x * 1103515245u + 12345u;
}
