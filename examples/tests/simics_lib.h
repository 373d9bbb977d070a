/*
 * simics_lib.h: the Simics interface of a 15-410 user library, written out
 * here so that the simics_* test programs carry their own sim_call, as
 * programs built against 410's libraries do. sim_call(cmd, a, b) puts cmd in
 * %ebx, a in %ecx, b in %edx and executes the magic instruction
 * `xchg %ebx,%ebx`; Simics answers in %eax. On a bare CPU the instruction
 * does nothing; Pebblebed's loader makes it trap into the kernel. The
 * helpers (sim_halt, ...) are the library's, and call this sim_call: the
 * library's own sim_call is then never linked.
 *
 * Define SIM_CALL_UNSIZED before including to get a sim_call without a
 * .size directive (hand-written assembly often has none: size 0 in .symtab).
 */
#ifndef _SIMICS_LIB_H
#define _SIMICS_LIB_H

#include <simics.h>   /* the SIM_ numbers and the helpers, which call this sim_call */

int sim_call(int cmd, ...);

__asm__(
    ".text\n"
    ".globl sim_call\n"
    ".type sim_call, @function\n"
    "sim_call:\n"
    "    pushl %ebx\n"
    "    movl 8(%esp), %ebx\n"
    "    movl 12(%esp), %ecx\n"
    "    movl 16(%esp), %edx\n"
    "    xchg %ebx, %ebx\n"
    "    popl %ebx\n"
    "    ret\n"
#ifndef SIM_CALL_UNSIZED
    ".size sim_call, . - sim_call\n"
#endif
);

/* The bytes of sim_call's magic instruction site: 87 DB before the loader
 * ran, CD 8E (int $0x8E) after. Found by scanning the routine's first bytes. */
static inline const unsigned char *sim_call_magic_site(void)
{
    const unsigned char *p = (const unsigned char *)sim_call;
    int i;

    for (i = 0; i < 32; i++)
        if ((p[i] == 0x87 && p[i + 1] == 0xDB) || (p[i] == 0xCD && p[i + 1] == 0x8E))
            return p + i;
    return 0;
}

#endif /* _SIMICS_LIB_H */
