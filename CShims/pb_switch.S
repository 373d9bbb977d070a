// Stack switches the kernel needs and C cannot express.
        .text

// void pb_context_switch(void **save_sp, void *load_sp)
// Saves the callee-saved registers on the current kernel stack, stores its sp in *save_sp and
// resumes the kernel context whose sp is load_sp.
        .globl pb_context_switch
        .type pb_context_switch, @function
pb_context_switch:
        pushq %rbp
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, (%rdi)
        movq %rsi, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        ret
        .size pb_context_switch, .-pb_context_switch

// First return of a fresh kernel context (see pb_context_init): r12 = fn, r13 = arg.
        .type pb_context_trampoline, @function
pb_context_trampoline:
        movq %r13, %rdi
        andq $-16, %rsp
        callq *%r12
        ud2
        .size pb_context_trampoline, .-pb_context_trampoline

// void *pb_context_init(void *stack_top, void (*fn)(void *), void *arg)
        .globl pb_context_init
        .type pb_context_init, @function
pb_context_init:
        movq %rdi, %rax
        andq $-16, %rax
        leaq pb_context_trampoline(%rip), %rcx
        movq %rcx, -8(%rax)      // return address
        movq $0, -16(%rax)       // rbp
        movq $0, -24(%rax)       // rbx
        movq %rsi, -32(%rax)     // r12 = fn
        movq %rdx, -40(%rax)     // r13 = arg
        movq $0, -48(%rax)       // r14
        movq $0, -56(%rax)       // r15
        subq $56, %rax
        ret
        .size pb_context_init, .-pb_context_init

// void pb_enter_kernel_stack(void *top, void (*fn)(const pb_event *), const pb_event *ev)
// Leaves the signal handler's alternate stack for the current thread's kernel stack.
        .globl pb_enter_kernel_stack
        .type pb_enter_kernel_stack, @function
pb_enter_kernel_stack:
        movq %rdi, %rsp
        andq $-16, %rsp
        movq %rdx, %rdi
        callq *%rsi
        ud2
        .size pb_enter_kernel_stack, .-pb_enter_kernel_stack

        .section .note.GNU-stack,"",@progbits
