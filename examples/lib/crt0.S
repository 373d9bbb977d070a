/*
 * crt0.S: program entry. The kernel starts the first thread at _main as if
 * called cdecl: (%esp) is a dummy return address, then argc, argv,
 * stack_high, stack_low. As in 15-410's crt0, _main calls
 * install_autostack(stack_high, stack_low) and then exit(main(argc, argv))
 * (in _pb_start).
 *
 * crt0.o is linked as an object ahead of everything else (never from an
 * archive), so its reference to install_autostack exists before any archive
 * is searched: a user's libautostack.a then supplies it, and Pebblebed's
 * (libpebbles.a, autostack.c) only when the user brings none.
 *
 * stack_high and stack_low are also kept here, in _pb_stack_high and
 * _pb_stack_low, for Pebblebed's thread library, whichever autostack runs.
 *
 * The stack's alignment is not promised, while gcc code assumes 16 bytes
 * at each call, so realign before entering C.
 */
    .text
    .globl _main
    /* Weak: a program that brings its own _main keeps it (crt0.o is linked
     * as an object, so a strong one here would clash with it). */
    .weak _main
    .type _main, @function
_main:
    xorl %ebp, %ebp             /* ends the frame chain for debuggers */
    movl %esp, %esi             /* callee-saved: survives install_autostack */
    andl $-16, %esp
    movl 12(%esi), %eax
    movl %eax, _pb_stack_high
    movl 16(%esi), %eax
    movl %eax, _pb_stack_low
    subl $8, %esp               /* two pushes below keep the call 16-aligned */
    pushl 16(%esi)              /* stack_low */
    pushl 12(%esi)              /* stack_high */
    call install_autostack
    addl $16, %esp
    subl $8, %esp
    pushl 8(%esi)               /* argv */
    pushl 4(%esi)               /* argc */
    call _pb_start              /* never returns: it ends in exit() */
1:  jmp 1b
    .size _main, . - _main

    .bss
    .align 4
    .globl _pb_stack_high, _pb_stack_low
_pb_stack_high: .long 0
_pb_stack_low:  .long 0

    .section .note.GNU-stack, "", @progbits
