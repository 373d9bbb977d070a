/* thr_fork.S: the two pieces of the thread library that cannot be C. */
#include <syscall_int.h>

    .text
/* int thr_fork(void *stack_top, void (*entry)(tcb_t *), tcb_t *tcb) */
    .globl thr_fork
thr_fork:
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 16(%esp), %ebx       /* the child's stack, kept across the trap */
    movl 20(%esp), %esi       /* entry */
    movl 24(%esp), %edi       /* tcb */
    int $THREAD_FORK_INT
    testl %eax, %eax
    jnz 1f
    movl %ebx, %esp           /* child: own stack, never returns */
    xorl %ebp, %ebp
    pushl %edi
    pushl $0                  /* no return address */
    jmp *%esi
1:  popl %edi                 /* parent: the child's tid, or < 0 */
    popl %esi
    popl %ebx
    ret

/* void thr_vanish_setting(volatile int *flag) */
    .globl thr_vanish_setting
thr_vanish_setting:
    movl 4(%esp), %eax
    movl $1, (%eax)
    int $VANISH_INT
2:  jmp 2b

    .section .note.GNU-stack, "", @progbits
