/*
 * simics_none: a program with no sim_call symbol runs unchanged. Its own
 * magic instruction (the Simics calling sequence, inlined) stays
 * xchg %ebx,%ebx, a no-op: %eax keeps its value and nothing reaches the log.
 */
#define TEST_NAME "simics_none"
#include "testlib.h"

extern const unsigned char inline_magic[];

int main(int argc, char **argv)
{
    int eax;

    __asm__ volatile("pushl %%ebx\n\t"
                     "movl $0x04100002, %%ebx\n\t"   /* SIM_PUTS */
                     "movl $0, %%ecx\n\t"
                     "movl $0x66, %%eax\n\t"
                     ".globl inline_magic\n"
                     "inline_magic:\n\t"
                     "xchg %%ebx, %%ebx\n\t"
                     "popl %%ebx"
                     : "=a"(eax) : : "ecx", "edx", "memory");
    CHECK(eax == 0x66);
    CHECK(inline_magic[0] == 0x87 && inline_magic[1] == 0xDB);
    pass();
}
