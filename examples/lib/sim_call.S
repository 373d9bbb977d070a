/*
 * sim_call.S: int sim_call(int cmd, ...), 15-410's door to the Simics
 * simulator: cmd in %ebx, the next two arguments in %ecx and %edx, then the
 * magic instruction xchg %ebx,%ebx; the simulator answers in %eax. On a
 * bare CPU the instruction does nothing; Pebblebed's loader patches the one
 * inside the symbol sim_call into a trap (MagicPatch), so the .size below
 * matters. An object of its own so a program's own sim_call wins.
 */
    .text
    .globl sim_call
    .type sim_call, @function
sim_call:
    pushl %ebx                  /* callee-saved in cdecl */
    movl 8(%esp), %ebx
    movl 12(%esp), %ecx
    movl 16(%esp), %edx
    xchg %ebx, %ebx
    popl %ebx
    ret
    .size sim_call, . - sim_call

    .section .note.GNU-stack, "", @progbits
