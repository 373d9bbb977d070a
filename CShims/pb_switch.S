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
// Resumes the kernel context whose stack pointer is in rsp: pops what pb_context_switch (or
// pb_run_guest, or pb_context_init) pushed and returns into it.
pb_context_resume:
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        ret
        .size pb_context_switch, .-pb_context_switch

// First return of a fresh kernel context (see pb_context_init): r12 = fn, r13 = arg, r14 = the
// slot holding the saved sp of the context to resume when fn returns. fn returns only once the
// thread's kernel side is done, with every Swift frame of it released; the stack it leaves holds
// nothing, so it is simply never resumed.
        .type pb_context_trampoline, @function
pb_context_trampoline:
        movq %r13, %rdi
        andq $-16, %rsp
        callq *%r12
        movq (%r14), %rsp
        jmp pb_context_resume
        .size pb_context_trampoline, .-pb_context_trampoline

// void *pb_context_init(void *stack_top, void (*fn)(void *), void *arg, void **exit_sp)
        .globl pb_context_init
        .type pb_context_init, @function
pb_context_init:
        movq %rdi, %rax
        andq $-16, %rax
        leaq pb_context_trampoline(%rip), %r8
        movq %r8, -8(%rax)       // return address
        movq $0, -16(%rax)       // rbp
        movq $0, -24(%rax)       // rbx
        movq %rsi, -32(%rax)     // r12 = fn
        movq %rdx, -40(%rax)     // r13 = arg
        movq %rcx, -48(%rax)     // r14 = exit_sp
        movq $0, -56(%rax)       // r15
        subq $56, %rax
        ret
        .size pb_context_init, .-pb_context_init

// void pb_run_guest(pb_trapframe *tf, pb_event *ev)
// Runs a guest and returns when it traps: the kernel side of a thread calls it like any function.
// It saves the caller's callee-saved registers on the kernel stack and that stack pointer in
// pb_kernel_sp, then leaves for the guest (pb_enter_guest, which never returns). The handler that
// takes the guest's next trap saves the guest state in tf and the reason in *ev, and comes back
// through pb_resume_kernel: pb_run_guest returns to its caller with the kernel context as it was.
        .globl pb_run_guest
        .type pb_run_guest, @function
pb_run_guest:
        pushq %rbp
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, pb_kernel_sp(%rip)
        subq $8, %rsp            // 16-byte alignment at the call
        callq pb_enter_guest
        ud2
        .size pb_run_guest, .-pb_run_guest

// void pb_resume_kernel(void): from a trap handler (or the exit path), back into the kernel
// context that pb_run_guest saved, which then returns. The handler's own frames, on the
// signal stack, are left behind: they hold nothing (C, no allocation).
        .globl pb_resume_kernel
        .type pb_resume_kernel, @function
pb_resume_kernel:
        movq pb_kernel_sp(%rip), %rsp
        jmp pb_context_resume
        .size pb_resume_kernel, .-pb_resume_kernel

// void pb_exit_to_guest(const uint64_t block[20], const void *fpstate, uint64_t how)
// The way back to a guest without a host system call (see exit_to_guest in pb_machine.c): block holds the
// general registers in mcontext order r8..rcx, then an iretq frame (rip, cs, rflags, rsp, ss);
// fpstate is a 64-byte aligned xsave area (how & 1) or fxsave area; how & 2: the host has
// FSGSBASE and the guest runs with FS base 0; how bits 16-31 and 32-47: the guest's GS and FS
// selectors (null or 0x2b, each thread's own), loaded here, after the last C code.
// Everything from pb_exit_window_start to pb_exit_window_end is the exit window: pb_in_kernel
// is already 0, so an interrupt signal that lands here finds neither the kernel (it would only
// note a pending interrupt, which nobody would look at before the guest ran) nor the guest's
// registers (half of them restored). The handlers recognise the window by its addresses and
// take the interrupt as if the guest had been interrupted before its first instruction, with
// the state in the current trap frame, which this code only reads.
        .globl pb_exit_to_guest
        .type pb_exit_to_guest, @function
        .globl pb_exit_window_start
        .globl pb_exit_window_end
pb_exit_to_guest:
pb_exit_window_start:
        movl $0, pb_in_kernel(%rip)
        // An interrupt noted while the kernel ran (before the store above) is taken now; one
        // after it lands in the window. Either way none waits for the guest's next trap.
        movl pb_pending_timer(%rip), %eax
        orl pb_pending_io(%rip), %eax
        jnz 3f
        // FS. 0x2b: loading it sets the base from its descriptor, 0 (measured), so nothing of
        // the host's base is left to 64-bit guest code. Null: the selector is loaded only if
        // the kernel holds another (a null load is the slow one, about 70 ns against 13 for
        // 0x2b on the measured host), and the base is written 0 where FSGSBASE allows; without
        // it the host's base stays (arch_prctl would be a system call each way).
        movq %rdx, %rcx
        shrq $32, %rcx
        movzwl %cx, %ecx
        testl $0xfffc, %ecx
        jz 5f
        movl %ecx, %fs
        jmp 1f
5:      movl %fs, %eax
        cmpw %ax, %cx
        je 6f
        movl %ecx, %fs
6:      testq $2, %rdx
        jz 1f
        xorl %eax, %eax
        wrfsbase %rax
        // GS: the host's base is 0 (else restore_host_segments puts it back by arch_prctl),
        // the same as 0x2b's, so only the selector changes, and only if the kernel holds another.
1:      movq %rdx, %rcx
        shrq $16, %rcx
        movzwl %cx, %ecx
        movl %gs, %eax
        cmpw %ax, %cx
        je 7f
        movl %ecx, %gs
7:      testq $1, %rdx
        jz 2f
        // Every user component but PKRU (bit 9): the protection keys are the host's policy.
        movl $0xfffffdff, %eax
        movl $0xffffffff, %edx
        xrstor64 (%rsi)
        jmp 4f
2:      fxrstor64 (%rsi)
4:      movq %rdi, %rsp
        popq %r8
        popq %r9
        popq %r10
        popq %r11
        popq %r12
        popq %r13
        popq %r14
        popq %r15
        popq %rdi
        popq %rsi
        popq %rbp
        popq %rbx
        popq %rdx
        popq %rax
        popq %rcx
        iretq
3:      movl $1, pb_in_kernel(%rip)
        jmp pb_exit_interrupted
pb_exit_window_end:
        .size pb_exit_to_guest, .-pb_exit_to_guest

        .section .note.GNU-stack,"",@progbits
