/*
 * regs: every general register, the arithmetic flags and an xmm register
 * must survive a system call. 100,000 gettid calls, each with different
 * values loaded (so a stale copy from an earlier trap is caught too), half
 * by `int $0x48` and half through the gettid stub (the gate when the loader
 * redirected it). DF is among the flags that must come back as they went.
 */
#define TEST_NAME "regs"
#include "testlib.h"

#define ROUNDS 100000
#define FLAG_MASK 0xCD5u        /* CF PF AF ZF SF DF OF */

/* What regs_trap saw after the trap. */
struct after {
    unsigned int ebx, ecx, edx, esi, edi, ebp;
    unsigned int eflags;
    unsigned int xmm0_lo, xmm0_hi;
    unsigned int esp_before, esp_after;
    unsigned int eax;
};

void regs_trap(unsigned int seed, struct after *out);
void regs_call(unsigned int seed, struct after *out);

/*
 * Loads seed-derived values into ebx..ebp, all four dwords of xmm0 and the
 * arithmetic flags and DF, calls gettid by ENTER, and records what it finds.
 * Frame: 0(%esp) flags pattern, 4 flags after, 8 esp before; args at 32/36.
 */
#define REGS_FN(NAME, ENTER) __asm__( \
    ".text\n" \
    ".globl " #NAME "\n" \
    "" #NAME ":\n" \
    "    pushl %ebp; pushl %ebx; pushl %esi; pushl %edi\n" \
    "    subl $12, %esp\n" \
    "    movl 32(%esp), %eax\n" \
    "    movl %eax, %edx; andl $0xCD5, %edx; orl $2, %edx; movl %edx, 0(%esp)\n" \
    "    movd %eax, %xmm0; pshufd $0, %xmm0, %xmm0\n" \
    "    movl %eax, %ebx; xorl $0x11111111, %ebx\n" \
    "    movl %eax, %ecx; xorl $0x22222222, %ecx\n" \
    "    movl %eax, %edx; xorl $0x33333333, %edx\n" \
    "    movl %eax, %esi; xorl $0x44444444, %esi\n" \
    "    movl %eax, %edi; xorl $0x55555555, %edi\n" \
    "    movl %eax, %ebp; xorl $0x66666666, %ebp\n" \
    "    movl %esp, 8(%esp)\n" \
    "    pushl 0(%esp); popfl\n" \
    "    " ENTER "\n" \
    "    pushfl; popl 4(%esp); cld\n" \
    "    pushl %eax\n" \
    "    movl 40(%esp), %eax\n" \
    "    movl %ebx, 0(%eax); movl %ecx, 4(%eax); movl %edx, 8(%eax)\n" \
    "    movl %esi, 12(%eax); movl %edi, 16(%eax); movl %ebp, 20(%eax)\n" \
    "    movl 8(%esp), %ebx; movl %ebx, 24(%eax)\n" \
    "    movd %xmm0, 28(%eax); pshufd $3, %xmm0, %xmm1; movd %xmm1, 32(%eax)\n" \
    "    movl 12(%esp), %ebx; movl %ebx, 36(%eax)\n" \
    "    leal 4(%esp), %ebx; movl %ebx, 40(%eax)\n" \
    "    popl %ebx; movl %ebx, 44(%eax)\n" \
    "    addl $12, %esp\n" \
    "    popl %edi; popl %esi; popl %ebx; popl %ebp\n" \
    "    ret\n");
REGS_FN(regs_trap, "int $0x48")
REGS_FN(regs_call, "call gettid")

static void check_round(unsigned int seed, const struct after *a, int tid)
{
    const char *bad = NULL;

    if (a->ebx != (seed ^ 0x11111111u)) bad = "ebx";
    else if (a->ecx != (seed ^ 0x22222222u)) bad = "ecx";
    else if (a->edx != (seed ^ 0x33333333u)) bad = "edx";
    else if (a->esi != (seed ^ 0x44444444u)) bad = "esi";
    else if (a->edi != (seed ^ 0x55555555u)) bad = "edi";
    else if (a->ebp != (seed ^ 0x66666666u)) bad = "ebp";
    else if ((a->eflags & FLAG_MASK) != (seed & FLAG_MASK)) bad = "eflags";
    else if (a->xmm0_lo != seed || a->xmm0_hi != seed) bad = "xmm0";
    else if (a->esp_before != a->esp_after) bad = "esp";
    else if ((int)a->eax != tid) bad = "eax (gettid result)";
    if (bad)
        fail("%s changed across a trap (seed %#x, eflags %#x)", bad, seed, a->eflags);
}

int main(int argc, char **argv)
{
    struct after a;
    int tid = gettid(), i;

    printf("regs: %d traps with known register contents\n", ROUNDS);
    for (i = 0; i < ROUNDS; i++) {
        unsigned int seed = (unsigned int)i * 2654435761u;

        /* Odd rounds call the gettid stub, which the loader may have redirected to
         * the system-call gate (a far jump, no trap): both paths must agree. */
        if (i & 1)
            regs_call(seed, &a);
        else
            regs_trap(seed, &a);
        check_round(seed, &a, tid);
    }
    pass();
}
