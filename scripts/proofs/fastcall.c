/* Throwaway proof of mechanism for issue 20 (not project code): 32-bit code at CS 0x23 enters a
 * 64-bit gate by a far jump (EA ptr16:32, valid in compatibility mode) to an entry placed below
 * 0x01000000; the entry loads its number into r11 and jumps on to the gate in this binary, which
 * switches to its own stack without trusting a guest register, saves the flags, xsaves, xrstors
 * and goes back to the 32-bit code with iretq (CS 0x23, SS 0x2b). It checks that every guest
 * register and the flags (DF, CF) survive, counts round trips, and times them beside getpid.
 * Build: gcc -O2 scripts/proofs/fastcall.c -o /tmp/fastcall && /tmp/fastcall */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

uint64_t gate_sp, gate_count, gate_r11, host_sp;
_Alignas(64) unsigned char xarea[4096];
extern char gate[], back64[];
__asm__(
    ".text\n.globl gate\ngate:\n"
    "  mov %rsp, %r10\n"                 /* guest esp (zero-extended by the mode switch) */
    "  mov gate_sp(%rip), %rsp\n"        /* our stack: never the guest's */
    "  pushfq\n"                         /* guest flags, then host flags (DF, AC, TF clear) */
    "  push $0x202\n  popfq\n"
    "  mov %r11, gate_r11(%rip)\n  incq gate_count(%rip)\n"
    "  push %rax\n push %rdx\n"
    "  mov $7, %eax\n xor %edx, %edx\n"
    "  xsave64 xarea(%rip)\n xrstor64 xarea(%rip)\n"
    "  pop %rdx\n pop %rax\n"
    "  pop %r9\n"                        /* guest flags */
    "  push $0x2b\n push %r10\n push %r9\n push $0x23\n"
    "  mov resume32(%rip), %r9\n push %r9\n"
    "  iretq\n"
    ".globl back64\nback64:\n  mov host_sp(%rip), %rsp\n  ret\n");
uint64_t resume32;

static uint64_t ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000ULL + t.tv_nsec; }

static void run32(void *code, void *stack) {
    __asm__ volatile(
        "push %%rbp; push %%rbx; push %%r12; push %%r13; push %%r14; push %%r15\n"
        "lea 1f(%%rip), %%rax; push %%rax\n"
        "mov %%rsp, host_sp(%%rip)\n"
        "mov %1, %%rsp\n"
        "push $0x2b; pop %%rax; mov %%eax, %%ds; mov %%eax, %%es; mov %%eax, %%ss\n"
        "push $0x23; push %0; lretq\n"
        "1: pop %%r15; pop %%r14; pop %%r13; pop %%r12; pop %%rbx; pop %%rbp\n"
        :: "r"(code), "r"(stack) : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
}

int main(void) {
    unsigned char *low = mmap((void *)0x00f00000, 4096, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    unsigned char *code = mmap((void *)0x01000000, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    unsigned char *stk = mmap((void *)0x02000000, 65536, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    static _Alignas(16) unsigned char gstack[65536];
    gate_sp = (uint64_t)(gstack + sizeof gstack);
    /* 64-bit entry in the low page: mov $5,%r11d; movabs $gate,%rax would clobber rax: use r10 */
    unsigned char *e = low;
    *e++ = 0x41; *e++ = 0xbb; uint32_t five = 5; memcpy(e, &five, 4); e += 4;          /* mov $5,%r11d */
    *e++ = 0x49; *e++ = 0xba; uint64_t g = (uint64_t)gate; memcpy(e, &g, 8); e += 8;   /* movabs $gate,%r10 */
    *e++ = 0x41; *e++ = 0xff; *e++ = 0xe2;                                            /* jmp *%r10 */
    *e++ = 0x49; *e++ = 0xba; g = (uint64_t)back64; memcpy(e, &g, 8); e += 8;          /* exit entry at +19 */
    *e++ = 0x41; *e++ = 0xff; *e++ = 0xe2;
    mprotect(low, 4096, PROT_READ | PROT_EXEC);
    /* 32-bit loop: set sentinels, std+stc, far jump to the entry, check them after, loop; then
     * far jump to the exit entry. esi counts errors. */
    unsigned char p[] = {
        0xb9, 0, 0, 0, 0,             /* mov $N,%ecx */
        0x31, 0xf6,                   /* xor %esi,%esi */
        0xbb, 0x11, 0x22, 0x33, 0x44, /* 7: mov $0x44332211,%ebx */
        0xbf, 0x55, 0x66, 0x77, 0x08, /* mov $0x08776655,%edi */
        0xbd, 0x99, 0xaa, 0xbb, 0x0c, /* mov $0x0cbbaa99,%ebp */
        0xfd, 0xf9,                   /* std; stc */
        0xea, 0, 0, 0, 0, 0x33, 0,    /* 24: ljmp $0x33,$entry */
        0x72, 0x01, 0x46,             /* 31 resume: jc +1; inc %esi */
        0x9c, 0x58, 0xa9, 0, 4, 0, 0, /* pushf; pop %eax; test $0x400,%eax */
        0x75, 0x01, 0x46,             /* jnz +1; inc %esi */
        0xfc,                         /* cld */
        0x81, 0xfb, 0x11, 0x22, 0x33, 0x44, 0x74, 0x01, 0x46, /* cmp ebx; je +1; inc esi */
        0x81, 0xff, 0x55, 0x66, 0x77, 0x08, 0x74, 0x01, 0x46, /* cmp edi */
        0x81, 0xfd, 0x99, 0xaa, 0xbb, 0x0c, 0x74, 0x01, 0x46, /* cmp ebp */
        0x49, 0x75, 0xcd,             /* dec %ecx; jnz 7 */
        0x89, 0x35, 0, 0, 0, 0,       /* mov %esi,(result) */
        0xea, 0, 0, 0, 0, 0x33, 0,    /* ljmp $0x33,$exit */
    };
    size_t n = sizeof p;
    uint32_t iters = 1000000, entry = (uint32_t)(uint64_t)low, exit_entry = entry + 19;
    uint32_t result = 0x01000800;
    memcpy(p + 1, &iters, 4);
    memcpy(p + 25, &entry, 4);
    /* the loop's back edge: jnz's rel8 at n-14, relative to n-13, back to offset 7 */
    p[n - 14] = (unsigned char)(7 - (int)(n - 13));
    memcpy(p + n - 11, &result, 4);
    memcpy(p + n - 6, &exit_entry, 4);
    memcpy(code, p, n);
    resume32 = 0x01000000 + 31;
    uint64_t t0 = ns();
    run32(code, stk + 65536 - 16);
    uint64_t t1 = ns();
    uint32_t errors = *(uint32_t *)(code + 0x800);
    for (int i = 0; i < 1000; i++) syscall(SYS_getpid);
    uint64_t t2 = ns();
    for (uint32_t i = 0; i < iters; i++) syscall(SYS_getpid);
    uint64_t t3 = ns();
    printf("round trips %lu (r11=%lu) register/flag errors %u: %.1f ns each; getpid %.1f ns\n",
           (unsigned long)gate_count, (unsigned long)gate_r11, errors,
           (double)(t1 - t0) / iters, (double)(t3 - t2) / iters);
    return errors != 0 || gate_count != iters;
}
