/*
 * simics_unsized: sim_call written without a .size directive (size 0 in
 * the symbol table, as in much hand-written assembly): the loader still
 * finds its magic instruction and makes it trap.
 */
#define TEST_NAME "simics_unsized"
#define SIM_CALL_UNSIZED
#include "testlib.h"
#include "simics_lib.h"

int main(int argc, char **argv)
{
    const unsigned char *site = sim_call_magic_site();

    CHECK(site != 0);
    CHECK(site[0] == 0xCD && site[1] == 0x8E);
    CHECK(sim_in_simics() == 1);
    sim_puts("simics_unsized: hello from an unsized sim_call");
    pass();
}
