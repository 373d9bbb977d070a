/* trap_anchor [n]: the physical limit of a Pebblebed system call, a bare host
 * signal round trip from 32-bit guest code. 32-bit code at 0x01000000 (code
 * segment 0x23, as Pebblebed runs guests) executes `int $0x41` n times; each
 * arrives as SIGSEGV on a sigaltstack, the handler steps over the instruction
 * and returns (rt_sigreturn). A final `int $0x42` switches back to 64-bit code.
 * See /work/shared/proofs/compat32.c. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include "bench.h"

#define CODE ((unsigned char *)0x1000000)
#define STACK ((unsigned char *)0x2000000)

static unsigned long back_rip, back_rsp;
static bench_time t0, d;
static long n;

static void handler(int sig, siginfo_t *si, void *ctx)
{
    greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;

    (void)sig; (void)si;
    if ((g[REG_ERR] >> 3) == 0x41) {   /* the system call: step over it */
        g[REG_RIP] += 2;
        return;
    }
    d = bench_since(t0);                /* int $0x42: done, back to 64-bit code */
    g[REG_RIP] = back_rip;
    g[REG_RSP] = back_rsp;
    g[REG_CSGSFS] = (g[REG_CSGSFS] & ~0xffffULL) | 0x33;
}

static void finish(void)
{
    bench_report("trap", d, n);
    _exit(0);
}

/* mov $n,%ecx; 1: int $0x41; dec %ecx; jnz 1b; int $0x42; jmp . */
static void write_code(long count)
{
    unsigned char p[] = {0xb9, 0, 0, 0, 0, 0xcd, 0x41, 0x49, 0x75, 0xfb, 0xcd, 0x42, 0xeb, 0xfe};
    unsigned int c = (unsigned int)count;

    memcpy(p + 1, &c, 4);
    memcpy(CODE, p, sizeof p);
}

int main(int argc, char **argv)
{
    static char altstack[256 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    struct sigaction sa;

    n = bench_arg(argc, argv, 1, 200000);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    if (sigaltstack(&ss, NULL) || sigaction(SIGSEGV, &sa, NULL) ||
        mmap(CODE, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != CODE ||
        mmap(STACK, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != STACK) {
        perror("trap_anchor: setup");
        return 1;
    }
    write_code(n);
    back_rip = (unsigned long)finish;
    __asm__ volatile("mov %%rsp,%0" : "=r"(back_rsp));
    back_rsp = ((back_rsp - 4096) & ~15UL) - 8;   /* below this frame, as after a call */
    t0 = bench_now();
    __asm__ volatile(
        "mov %0, %%rsp\n"
        "pushq $0x2b\n pop %%rax\n mov %%eax,%%ds\n mov %%eax,%%es\n mov %%eax,%%ss\n"
        "pushq $0x23\n pushq %1\n lretq\n"
        :: "r"((unsigned long)STACK + 65536 - 64), "r"((unsigned long)CODE) : "rax", "memory");
    return 1;
}
