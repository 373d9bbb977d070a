/*
 * simics_calls: every Simics magic call from a program with its own
 * sim_call. Prints what the calls answered (the Swift test compares memsize
 * with --memory) and checks what it can itself:
 *  - the loader turned sim_call's xchg %ebx,%ebx into int $0x8E;
 *  - SIM_IN_SIMICS answers 1 in %eax; SIM_MEMSIZE answers KiB;
 *  - SIM_PUTS, SIM_BREAKPOINT and a test-harness call return, leaving the
 *    callee-saved registers alone;
 *  - an xchg %ebx,%ebx outside sim_call is still a no-op.
 */
#define TEST_NAME "simics_calls"
#include "testlib.h"
#include "simics_lib.h"

/* A magic instruction outside sim_call: must not trap. Returns %eax as the
 * instruction left it (preset to 0x55). */
static int stray_magic(void)
{
    int eax;

    __asm__ volatile("pushl %%ebx\n\t"
                     "movl $0x04100000, %%ebx\n\t"
                     "movl $0x55, %%eax\n\t"
                     "xchg %%ebx, %%ebx\n\t"
                     "popl %%ebx"
                     : "=a"(eax) : : "ecx", "edx", "memory");
    return eax;
}

/* SIM_PUTS through sim_call with %esi and %edi holding known values, which
 * the trap must hand back unchanged. */
static int puts_keeps_registers(void)
{
    int esi, edi;

    __asm__ volatile("movl $0x11111111, %%esi\n\t"
                     "movl $0x22222222, %%edi\n\t"
                     "pushl $0\n\t"
                     "pushl %2\n\t"
                     "pushl $0x04100002\n\t"
                     "call sim_call\n\t"
                     "addl $12, %%esp"
                     : "=&S"(esi), "=&D"(edi)
                     : "r"("simics_calls: registers kept across SIM_PUTS")
                     : "eax", "ecx", "edx", "memory");
    return esi == 0x11111111 && edi == 0x22222222;
}

int main(int argc, char **argv)
{
    const unsigned char *site = sim_call_magic_site();

    CHECK(site != 0);
    CHECK(site[0] == 0xCD && site[1] == 0x8E);
    CHECK(sim_in_simics() == 1);
    printf("simics_calls: memsize %d KiB\n", sim_memsize());
    sim_puts("simics_calls: hello from sim_puts");
    CHECK(puts_keeps_registers());
    sim_call(SIM_TEST_REPORT, 7, 9);
    sim_breakpoint();
    CHECK(stray_magic() == 0x55);
    pass();
}
