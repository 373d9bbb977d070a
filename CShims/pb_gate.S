// The system-call gate (issue 20): the 64-bit code a patched call site reaches by a far jump
// from compatibility mode, instead of `int $n` and a host signal. See include/pb_gate.h for the
// pages below guest memory and Machine/README.md ("The fast path") for the whole path.
//
// A guest thunk (32-bit, CS 0x23) executes `ljmp $0x33, $entry_k`; entry k (64-bit, in one of
// the gate's two banks) loads PB_GATE_MAGIC + k into r11 and jumps here. A far jump pushes nothing and
// reads no guest memory, so the only facts the gate uses are where it was entered (r11, set by
// the entry itself) and the CPU state; every guest register is data to save, never trusted.
// r8-r11 are free: 32-bit code cannot see them, the exit reloads them from the trap frame, and
// the gate leaves the frame's copies as they were (as a trap would find them).
//
// The frame the gate writes is the one `int $n` at the thunk's +5 would have produced through
// the signal path: registers, eip at the `int`, the flags, CS/SS, error code n<<3|2, trap 13,
// the xsave components in use, and a PB_EV_SYSCALL event for vector n. The kernel's
// system-call path then moves eip 2 bytes on, to the thunk's copy of the stub's tail.
//
// Everything from pb_gate_window_start to pb_gate_window_end (and the entries themselves) is
// the gate window: interrupts are on (pb_in_kernel is 0) but the kernel has not been entered.
// pb_gate_signal recognises a signal there by its address: an interrupt only notes itself
// (the kernel takes the note on its way back out, before the guest runs again, as if it had
// come just after the call), and a single-step trap from the guest's own TF is folded into the
// saved flags. It touches no segment register, so the checks below still see the guest's.
#include "include/pb_gate.h"

// From pb_machine.h, which is C (pb_gate.c checks that they agree).
#define PB_GUEST_CS 0x23
#define PB_HOST_CS 0x33
#define PB_USER_DS 0x2b
#define PB_EV_SYSCALL 1
#define PB_EV_SEGMENT 7

#define R_RDI 64
#define R_RSI 72
#define R_RBP 80
#define R_RBX 88
#define R_RDX 96
#define R_RAX 104
#define R_RCX 112
#define R_RSP 120
#define R_RIP 128
#define R_EFLAGS 136
#define R_CSGSFS 144
#define R_ERR 152
#define R_TRAPNO 160
#define R_OLDMASK 168
#define TF_FPSIZE 184
#define TF_FPSTATE 192
#define EV_KIND 0
#define EV_SIGNO 4
#define EV_CODE 8
#define EV_VECTOR 12
#define EV_ADDR 16
#define EV_ERR 24

        .text
        .globl pb_gate_entry
        .type pb_gate_entry, @function
        .globl pb_gate_window_start
        .globl pb_gate_window_end
        .p2align 4
pb_gate_entry:
pb_gate_window_start:
        // The guest's stack pointer is only data: the gate runs on the thread's kernel stack,
        // below the context pb_run_guest saved there (everything below pb_kernel_sp is free).
        movq %rsp, %r10
        movq pb_kernel_sp(%rip), %rsp
        // The guest's flags; then the host's: DF clear (C and Swift assume it), AC and NT
        // clear (a guest's AC would make the emulator's own unaligned accesses fault; iretq
        // with NT set faults). TF is already clear (pb_gate_signal took a guest's TF off).
        // popfq is slow, so only a guest that set AC or NT pays for it.
        pushfq
        popq %r9
        cld
        testl $0x44000, %r9d         // AC (bit 18), NT (bit 14)
        jnz 6f
0:      movl pb_gate_traced(%rip), %r8d
        testl %r8d, %r8d
        jnz 5f
1:      movq pb_gate_frame(%rip), %r8
        movq %rdi, R_RDI(%r8)
        movq %rsi, R_RSI(%r8)
        movq %rbp, R_RBP(%r8)
        movq %rbx, R_RBX(%r8)
        movq %rdx, R_RDX(%r8)
        movq %rax, R_RAX(%r8)
        movq %rcx, R_RCX(%r8)
        movq %r10, R_RSP(%r8)
        movq %r9, R_EFLAGS(%r8)
        // Every guest register is saved: rax..rdi, rbx, rbp, r12 are scratch from here on
        // (the kernel's own callee-saved registers are above pb_kernel_sp).
        // Segments: a thread may hold null or the user data segment in FS and GS (kept in
        // pb_gate_fsgs for the frame); anything else, a DS/ES other than 0x2b or an FS base of
        // its own is refused. The host's FS base goes back first.
        rdfsbase %rdi
        movq pb_gate_host_fs(%rip), %r9
        wrfsbase %r9
        // What every call that follows the rules looks like, checked here, inside the window:
        // a signal in the window touches no segment register, so these are the guest's. (Past
        // the window an interrupt's handler would run restore_host_segments and repair a bad
        // DS first: the check would pass what it should refuse.) Anything else takes the trap
        // path's own verdict and bookkeeping in C, pb_gate_segments, as every call did
        // before (issue 20, item 4: README.md, Performance).
        xorl %eax, %eax
        xorl %ecx, %ecx
        movw %ds, %ax
        movw %es, %cx
        cmpl $PB_USER_DS, %eax
        jne 8f
        cmpl $PB_USER_DS, %ecx
        jne 8f
        movw %fs, %ax                // the upper bits of eax and ecx are still 0
        movw %gs, %cx
        testl $0xfffc, %eax          // null, any RPL
        jz 10f
        cmpl $PB_USER_DS, %eax
        jne 8f
10:     testl $0xfffc, %ecx
        jz 11f
        cmpl $PB_USER_DS, %ecx
        jne 8f
        cmpl $0, pb_gate_host_gs_zero(%rip)   // else the host's GS base must be put back
        je 8f
11:     testq %rdi, %rdi             // the guest's FS base: 0 (or the host's, as the C allows)
        jz 12f
        cmpq %r9, %rdi
        jne 8f
12:     shlq $32, %rax
        shlq $16, %rcx
        orq %rcx, %rax
        movq %rax, pb_gate_fsgs(%rip)
        xorl %r12d, %r12d            // no offending selector
        jmp 9f
8:      movq $-1, %r12               // for pb_gate_segments
9:
        // Interrupts off from here: the guest's registers are saved, and the C below runs
        // outside the gate's addresses, where an interrupt signal that found pb_in_kernel still
        // 0 would take the code for a guest's own 64-bit code and kill it (1 run in 20 of
        // `regs` did, before this line moved up from the end). A signal from here on only
        // notes itself, and the exit takes the note.
        movl $1, pb_in_kernel(%rip)
pb_gate_window_end:
        cmpq $-1, %r12
        jne 2f
        movq %r11, %rbx              // the entry's tag: r11 is the C callee's to clobber
        subq $8, %rsp                // 16-byte alignment at the call (pb_kernel_sp is 8 mod 16)
        call pb_gate_segments
        addq $8, %rsp
        movq %rbx, %r11
        movq %rax, %r12              // the offending selector, 0 if none
        movq pb_gate_frame(%rip), %r8
2:      // Which entry: r11 was loaded by the entry itself. Anything else is a guest that
        // switched to 64-bit mode and jumped here: a segment violation, as on the trap path.
        movq %r11, %rax
        subq $PB_GATE_MAGIC, %rax
        cmpq $PB_GATE_COUNT, %rax
        jae 7f
        // Thunk k's `int`: bank k/1024, slot k%1024 (pb_gate.h); vector (k%1024)/4.
        movl %eax, %ecx
        andl $(PB_GATE_BANK_COUNT - 1), %ecx
        shll $4, %ecx
        addl $(PB_GATE_THUNKS + PB_GATE_INT_OFFSET), %ecx
        movl %eax, %edx
        shrl $10, %edx               // the bank
        shll $17, %edx               // times PB_GATE_BANK_STRIDE (pb_gate.c checks it)
        subl %edx, %ecx
        movq %rcx, R_RIP(%r8)
        andl $(PB_GATE_BANK_COUNT - 1), %eax
        shrl $2, %eax                // vector
        movq %rax, %rbx
3:      movabsq $((PB_USER_DS << 48) | PB_GUEST_CS), %rcx
        orq pb_gate_fsgs(%rip), %rcx  // the thread's GS (bits 16-31) and FS (32-47)
        movq %rcx, R_CSGSFS(%r8)
        leaq 2(,%rbx,8), %rcx        // what #GP reports for `int $n`: n<<3 | 2 (IDT)
        movq %rcx, R_ERR(%r8)
        movq $13, R_TRAPNO(%r8)
        movq $0, R_OLDMASK(%r8)
        // The xsave components in use (standard format, the layout of the signal frames; the
        // header's XSTATE_BV marks what is live), all but PKRU, as the exit restores them.
        movq TF_FPSTATE(%r8), %rdi
        // XSAVE writes only XSTATE_BV of the header; XRSTOR faults unless the rest (XCOMP_BV,
        // the reserved bytes) is zero, and a frame whose first entry is this gate has never
        // had a header copied in from a signal frame.
        xorl %eax, %eax
        movq %rax, 520(%rdi)
        movq %rax, 528(%rdi)
        movq %rax, 536(%rdi)
        movq %rax, 544(%rdi)
        movq %rax, 552(%rdi)
        movq %rax, 560(%rdi)
        movq %rax, 568(%rdi)
        movl pb_gate_xmask(%rip), %eax
        movl pb_gate_xmask+4(%rip), %edx
        xsave64 (%rdi)
        movl pb_gate_fpsize(%rip), %eax
        movl %eax, TF_FPSIZE(%r8)
        movq pb_gate_event(%rip), %rdi
        movl $PB_EV_SYSCALL, EV_KIND(%rdi)
        movl $11, EV_SIGNO(%rdi)     // what the trap path reports: SIGSEGV, SI_KERNEL
        movl $128, EV_CODE(%rdi)
        movl %ebx, EV_VECTOR(%rdi)
        movq $0, EV_ADDR(%rdi)
        movq %rcx, EV_ERR(%rdi)
        testq %r12, %r12
        jz 4f
        movl $PB_EV_SEGMENT, EV_KIND(%rdi)
        movq %r12, EV_ADDR(%rdi)
4:      jmp pb_resume_kernel

6:      pushq $0x202                 // the host's flags: IF and the reserved bit only
        popfq
        jmp 0b

5:      // A single-step trap on the guest's far jump (its own TF): pb_gate_signal cleared TF
        // in the gate and noted it; the guest's flags keep it, as after `int $n`.
        orq $0x100, %r9
        movl $0, pb_gate_traced(%rip)
        jmp 1b

7:      movq $0, R_RIP(%r8)
        xorl %ebx, %ebx
        testq %r12, %r12
        jnz 3b
        movl $PB_HOST_CS, %r12d
        jmp 3b
        .size pb_gate_entry, .-pb_gate_entry

        .section .note.GNU-stack,"",@progbits
