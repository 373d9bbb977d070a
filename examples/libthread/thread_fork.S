/*
 * thread_fork.S: the two places where the thread library must control the
 * stack pointer exactly.
 */
#define ASSEMBLER
#include <syscall_int.h>

    .text

/*
 * int _thr_fork(void *stack_top, void (*start)(void *), void *arg)
 * thread_fork gives the child every register of the parent, %esp included,
 * so the child must leave the parent's stack before touching it: the new
 * stack, start and arg travel in callee-saved registers, which the kernel
 * copies into the child.
 */
    .globl _thr_fork
    .type _thr_fork, @function
_thr_fork:
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 16(%esp), %ebx         /* stack_top */
    movl 20(%esp), %esi         /* start */
    movl 24(%esp), %edi         /* arg */
    int $THREAD_FORK_INT
    testl %eax, %eax
    jz 1f
    popl %edi                   /* parent (or error): an ordinary return */
    popl %esi
    popl %ebx
    ret
1:  movl %ebx, %esp             /* child: onto its own stack at once */
    xorl %ebp, %ebp             /* no caller frame for debuggers to follow */
    subl $12, %esp              /* keep %esp 16-byte aligned at the call */
    pushl %edi
    call *%esi                  /* start never returns (it ends in thr_exit) */
2:  jmp 2b
    .size _thr_fork, . - _thr_fork

/*
 * void _thr_vanish_flag(volatile int *flag)
 * After the store, this thread uses no memory but its code: the int
 * instruction pushes nothing on the user stack.
 */
    .globl _thr_vanish_flag
    .type _thr_vanish_flag, @function
_thr_vanish_flag:
    movl 4(%esp), %eax
    movl $1, (%eax)
1:  int $VANISH_INT
    jmp 1b
    .size _thr_vanish_flag, . - _thr_vanish_flag

    .section .note.GNU-stack, "", @progbits
