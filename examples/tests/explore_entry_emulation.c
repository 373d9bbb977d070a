/*
 * explore_entry_emulation: a planted function whose first instruction is
 * `sub $imm, %esp` must see the stack pointer and the flags the CPU gives.
 *
 * Under explore (or a replayed schedule) the kernel plants an int3 over the
 * first byte of the thread library's functions and carries the covered
 * instruction out itself when it can (Explore/PreemptionPoints.swift): gcc
 * starts a function without a frame pointer with `sub $N, %esp` (83 EC ib, or
 * 81 EC id for a large frame), which also sets the flags. This program
 * defines three functions under names the explorer plants (this test's
 * thread library has no semaphores) that start with each form and return the
 * flags (lahf: SF ZF AF PF CF in AH, seto: OF in AL) and %esp right after
 * it; each has an unplanted twin with the same body, run natively. The
 * immediates give no borrow (0x7c), a borrow (-16, sign-extended imm8) and
 * a signed overflow (0x7fffffff from a stack pointer above 2 GiB). Every pair
 * must agree; it prints PASS.
 */
#define TEST_NAME "explore_entry_emulation"
#include <stdio.h>
#include "testlib.h"

typedef unsigned long long (*probe)(void);

#define PROBE(name, sub, add)                                               \
    asm(".text\n.globl " #name "\n.type " #name ", @function\n" #name ":\n" \
        "\t" sub "\n\tlahf\n\tseto %al\n\tmovl %esp, %edx\n\t" add "\n"     \
        "\tandl $0xffff, %eax\n\tret\n");                                   \
    unsigned long long name(void);

PROBE(sem_wait, "subl $0x7c, %esp", "addl $0x7c, %esp")
PROBE(native_wait, "subl $0x7c, %esp", "addl $0x7c, %esp")
PROBE(sem_signal, ".byte 0x83, 0xec, 0xf0", "addl $-16, %esp")
PROBE(native_signal, ".byte 0x83, 0xec, 0xf0", "addl $-16, %esp")
PROBE(sem_destroy, ".byte 0x81, 0xec, 0xff, 0xff, 0xff, 0x7f", "addl $0x7fffffff, %esp")
PROBE(native_destroy, ".byte 0x81, 0xec, 0xff, 0xff, 0xff, 0x7f", "addl $0x7fffffff, %esp")

/* The same caller for both of a pair: %esp is the same at their entries. */
__attribute__((noinline)) static unsigned long long call(probe f)
{
    return f();
}

int main(void)
{
    static const struct { const char *name; probe planted, native; } pairs[] = {
        {"sub $0x7c (83 EC ib)", sem_wait, native_wait},
        {"sub $-16 (83 EC ib)", sem_signal, native_signal},
        {"sub $0x7fffffff (81 EC id)", sem_destroy, native_destroy},
    };
    for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        unsigned long long a = call(pairs[i].planted), b = call(pairs[i].native);
        if (a != b)
            fail("%s: esp %08x flags %04x at the planted entry, esp %08x flags %04x natively",
                 pairs[i].name, (unsigned)(a >> 32), (unsigned)a, (unsigned)(b >> 32), (unsigned)b);
    }
    pass();
}
