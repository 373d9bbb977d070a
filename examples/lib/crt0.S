/*
 * crt0.S: program entry. The kernel starts the first thread at _main as if
 * called cdecl: (%esp) is a dummy return address, then argc, argv,
 * stack_high, stack_low. The stack's alignment is not promised, while gcc
 * code assumes 16 bytes at each call, so realign before entering C.
 */
    .text
    .globl _main
    .type _main, @function
_main:
    xorl %ebp, %ebp             /* ends the frame chain for debuggers */
    movl %esp, %ecx
    andl $-16, %esp
    pushl 16(%ecx)              /* stack_low */
    pushl 12(%ecx)              /* stack_high */
    pushl 8(%ecx)               /* argv */
    pushl 4(%ecx)               /* argc */
    call _pb_start              /* never returns: it ends in exit() */
1:  jmp 1b
    .size _main, . - _main

    .section .note.GNU-stack, "", @progbits
