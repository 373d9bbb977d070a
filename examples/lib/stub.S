/*
 * stub.S: one system-call trap stub, instantiated once per row of
 * syscalls.list by the Makefile with -DNAME=, -DVECTOR= and -DARGS_0/1/N
 * (and -DNORETURN). The kernel preserves every register but %eax, and %esi
 * is callee-saved in cdecl, so the stubs save and restore it.
 */
#define ASSEMBLER
#include <syscall_int.h>

    .text
    .globl NAME
    .type NAME, @function
    .p2align 4
NAME:
#if defined(ARGS_0)
1:  int $VECTOR
#elif defined(ARGS_1)
    pushl %esi
    movl 8(%esp), %esi          /* the only argument, by value */
1:  int $VECTOR
    popl %esi
#else
    pushl %esi
    leal 8(%esp), %esi          /* the caller's argument words are the packet */
1:  int $VECTOR
    popl %esi
#endif
#ifdef NORETURN
    jmp 1b                      /* the kernel never returns here; if it did, trap again */
#else
    ret
#endif
    .size NAME, . - NAME

    .section .note.GNU-stack, "", @progbits
