/*
 * explore_watch_emulation: the instructions explore's race watching carries
 * out in the kernel (AccessEmulation) give exactly what the CPU gives.
 *
 * Each case runs one instruction on a memory operand twice, on the same
 * bytes at the same address: once with the stack pointer on a private stack
 * right next to the operand (the race watcher leaves accesses within 16 KiB
 * of the stack pointer alone, so the CPU runs it natively, as a stepped
 * access is run), and once on the normal stack (under `pebblebed explore`
 * the access then faults and the kernel carries it out, or steps it when it
 * is not one it knows). Registers, the arithmetic flags and the memory
 * around the operand must come out the same; any difference is a FAIL line
 * naming the case. Under `pebblebed run` both runs are native and equal.
 */
#define TEST_NAME "explore_watch_emulation"
#include <stddef.h>
#include "testlib.h"

struct rec {
    unsigned eax, ecx, edx, flags;
    unsigned mem[6];    /* the two words before the operand area, and its four */
};

struct params {
    int insn;
    unsigned m, a, c, d, f;
};

/*
 * The private stack, then the operand area `buf` at its top (page-aligned:
 * a rep stos from just below it crosses a page), the native run's record and
 * the case: all within 16 KiB of the private stack pointer.
 */
struct zone {
    unsigned char stack[8192 - 64];
    unsigned char pad[64];
    unsigned buf[4];
    struct rec native;
    struct params p;
} __attribute__((aligned(4096)));

struct zone watch_z;
void *watch_saved_esp;

#define CF 0x1
#define ARITH 0x8D5

/* One instruction with %ebx pointing at buf and %edx an index of 1 for the
 * SIB forms; flags are loaded before and read after it. */
#define INSN(n, text)                                                       \
    case n:                                                                 \
        asm volatile("pushl %[f]\n\tpopfl\n\t" text "\n\t"                  \
                     "pushfl\n\tpopl %[fo]\n\tcld"                          \
                     : "+a"(a), "+c"(c), "+d"(d), [fo] "=&S"(fo)            \
                     : "b"(watch_z.buf), [f] "m"(f)                         \
                     : "memory", "cc");                                     \
        break;

/* The rep stos cases: %edi the destination, %ecx the count, %eax the value. */
#define STOS(n, text, offset)                                               \
    case n: {                                                               \
        unsigned char *dst = (unsigned char *)watch_z.buf + (offset);       \
        asm volatile("pushl %[f]\n\tpopfl\n\t" text "\n\t"                  \
                     "pushfl\n\tpopl %[fo]\n\tcld"                          \
                     : "+a"(a), "+c"(c), "+D"(dst), [fo] "=&S"(fo)          \
                     : [f] "m"(f)                                           \
                     : "memory", "cc");                                     \
        d = (unsigned)(dst - (unsigned char *)watch_z.buf);                 \
        break;                                                              \
    }

#define CASES 61
/* Cases whose %edx is an index (1) rather than an operand. */
#define INDEXED(n) ((n) == 12 || (n) == 13)
/* rep stos cases: ecx is a count (0..5). */
#define STOSCASE(n) ((n) >= 50 && (n) <= 54)

static const char *const names[CASES] = {
    "movl (%ebx),%eax", "movl %ecx,4(%ebx)", "movl moffs,%eax", "movl %eax,moffs",
    "movl $imm,8(%ebx)", "movb (%ebx),%ah", "movb %ch,1(%ebx)", "movb $imm,3(%ebx)",
    "movzbl 1(%ebx),%ecx", "movsbl 2(%ebx),%edx", "movzwl 2(%ebx),%eax", "movswl (%ebx),%ecx",
    "movl -4(%ebx,%edx,4),%ecx", "movl %eax,disp32(,%edx,4)", "xchgl %ecx,(%ebx)", "xchgb %al,1(%ebx)",
    "addl %ecx,(%ebx)", "addl (%ebx),%ecx", "subl %ecx,(%ebx)", "subl (%ebx),%eax",
    "cmpl %ecx,(%ebx)", "cmpl (%ebx),%eax", "andl %ecx,(%ebx)", "orl (%ebx),%edx",
    "xorl %eax,(%ebx)", "testl %ecx,(%ebx)", "addb %cl,(%ebx)", "subb 1(%ebx),%ah",
    "cmpb %al,2(%ebx)", "cmpb 3(%ebx),%dh", "xorb %ch,(%ebx)", "addl $0x7f,(%ebx)",
    "subl $-128,4(%ebx)", "cmpl $0x80000000,(%ebx)", "andl $-3,(%ebx)", "orl $0x10000,(%ebx)",
    "xorl $-1,(%ebx)", "cmpl $1,(%ebx)", "addb $0x80,(%ebx)", "cmpb $0x7f,1(%ebx)",
    "testl $0x80000001,(%ebx)", "testb $0x81,2(%ebx)", "incl (%ebx)", "decl 4(%ebx)",
    "incb 1(%ebx)", "decb 2(%ebx)", "pushl (%ebx); popl %ecx", "negl (%ebx) (stepped)",
    "adcl %ecx,(%ebx) (stepped)", "sbbb %al,1(%ebx) (stepped)",
    "rep stosl", "rep stosb", "rep stosl backwards", "rep stosl across a page", "rep stosb backwards",
    "orw %cx,(%ebx) (stepped)",
    "xaddl %ecx,(%ebx)", "xaddb %dh,2(%ebx)", "cmpxchgl %ecx,12(%ebx)",
    "movl 4(%ebx),%eax; cmpxchgl %edx,4(%ebx)", "cmpxchgb %cl,2(%ebx)",
};

static void run_case(struct rec *out)
{
    const struct params *p = &watch_z.p;
    unsigned a = p->a, c = p->c, d = p->d, f = p->f, fo = 0;
    int i;

    watch_z.buf[0] = p->m;
    watch_z.buf[1] = p->m * 0x01000193u + 1;
    watch_z.buf[2] = ~p->m;
    watch_z.buf[3] = p->m ^ 0x5a5aa5a5u;
    ((unsigned *)watch_z.pad)[14] = 0x11111111;
    ((unsigned *)watch_z.pad)[15] = 0x22222222;
    switch (p->insn) {
    INSN(0, "movl (%%ebx), %%eax")
    INSN(1, "movl %%ecx, 4(%%ebx)")
    INSN(2, "movl watch_z+8192, %%eax")
    INSN(3, "movl %%eax, watch_z+8196")
    INSN(4, "movl $0x89abcdef, 8(%%ebx)")
    INSN(5, "movb (%%ebx), %%ah")
    INSN(6, "movb %%ch, 1(%%ebx)")
    INSN(7, "movb $0x5a, 3(%%ebx)")
    INSN(8, "movzbl 1(%%ebx), %%ecx")
    INSN(9, "movsbl 2(%%ebx), %%edx")
    INSN(10, "movzwl 2(%%ebx), %%eax")
    INSN(11, "movswl (%%ebx), %%ecx")
    INSN(12, "movl -4(%%ebx,%%edx,4), %%ecx")
    INSN(13, "movl %%eax, watch_z+8188(,%%edx,4)")
    INSN(14, "xchgl %%ecx, (%%ebx)")
    INSN(15, "xchgb %%al, 1(%%ebx)")
    INSN(16, "addl %%ecx, (%%ebx)")
    INSN(17, "addl (%%ebx), %%ecx")
    INSN(18, "subl %%ecx, (%%ebx)")
    INSN(19, "subl (%%ebx), %%eax")
    INSN(20, "cmpl %%ecx, (%%ebx)")
    INSN(21, "cmpl (%%ebx), %%eax")
    INSN(22, "andl %%ecx, (%%ebx)")
    INSN(23, "orl (%%ebx), %%edx")
    INSN(24, "xorl %%eax, (%%ebx)")
    INSN(25, "testl %%ecx, (%%ebx)")
    INSN(26, "addb %%cl, (%%ebx)")
    INSN(27, "subb 1(%%ebx), %%ah")
    INSN(28, "cmpb %%al, 2(%%ebx)")
    INSN(29, "cmpb 3(%%ebx), %%dh")
    INSN(30, "xorb %%ch, (%%ebx)")
    INSN(31, "addl $0x7f, (%%ebx)")
    INSN(32, "subl $-128, 4(%%ebx)")
    INSN(33, "cmpl $0x80000000, (%%ebx)")
    INSN(34, "andl $-3, (%%ebx)")
    INSN(35, "orl $0x10000, (%%ebx)")
    INSN(36, "xorl $-1, (%%ebx)")
    INSN(37, "cmpl $1, (%%ebx)")
    INSN(38, "addb $0x80, (%%ebx)")
    INSN(39, "cmpb $0x7f, 1(%%ebx)")
    INSN(40, "testl $0x80000001, (%%ebx)")
    INSN(41, "testb $0x81, 2(%%ebx)")
    INSN(42, "incl (%%ebx)")
    INSN(43, "decl 4(%%ebx)")
    INSN(44, "incb 1(%%ebx)")
    INSN(45, "decb 2(%%ebx)")
    INSN(46, "pushl (%%ebx)\n\tpopl %%ecx")
    INSN(47, "negl (%%ebx)")
    INSN(48, "adcl %%ecx, (%%ebx)")
    INSN(49, "sbbb %%al, 1(%%ebx)")
    STOS(50, "rep stosl", 0)
    STOS(51, "rep stosb", 1)
    STOS(52, "rep stosl", 12)
    STOS(53, "rep stosl", -8)
    STOS(54, "rep stosb", 14)
    INSN(55, "orw %%cx, (%%ebx)")
    INSN(56, "xaddl %%ecx, (%%ebx)")
    INSN(57, "xaddb %%dh, 2(%%ebx)")
    INSN(58, "cmpxchgl %%ecx, 12(%%ebx)")
    INSN(59, "movl 4(%%ebx), %%eax\n\tcmpxchgl %%edx, 4(%%ebx)")
    INSN(60, "cmpxchgb %%cl, 2(%%ebx)")
    }
    out->eax = a;
    out->ecx = c;
    out->edx = d;
    out->flags = fo & ARITH;
    out->mem[0] = ((unsigned *)watch_z.pad)[14];
    out->mem[1] = ((unsigned *)watch_z.pad)[15];
    for (i = 0; i < 4; i++)
        out->mem[2 + i] = watch_z.buf[i];
}

static void run_native_case(void)
{
    run_case(&watch_z.native);
}

/* Runs run_native_case with the stack pointer on watch_z.stack. */
static void on_private_stack(void)
{
    void *top = watch_z.stack + sizeof(watch_z.stack) - 16;

    asm volatile("movl %%esp, watch_saved_esp\n\t"
                 "movl %0, %%esp\n\t"
                 "call *%1\n\t"
                 "movl watch_saved_esp, %%esp"
                 : : "r"(top), "r"(run_native_case)
                 : "eax", "ecx", "edx", "memory", "cc");
}

/* Word by word (a byte-wise memcmp would be 40 watched accesses). */
static int differ(const struct rec *a, const struct rec *b)
{
    const unsigned *x = (const unsigned *)a, *y = (const unsigned *)b;
    unsigned i;

    for (i = 0; i < sizeof(*a) / sizeof(unsigned); i++)
        if (x[i] != y[i])
            return 1;
    return 0;
}

static const unsigned values[] = {
    0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x12348f80,
};
#define NVALUES (sizeof(values) / sizeof(values[0]))

int main(void)
{
    static const unsigned flags[] = { 0x2, 0x2 | ARITH };
    unsigned mi, ri, fi;
    int insn, cases = 0;
    struct rec watched;

    for (insn = 0; insn < CASES; insn++)
        for (mi = 0; mi < NVALUES; mi++)
            for (ri = 0; ri < NVALUES; ri++)
                for (fi = 0; fi < 2; fi++) {
                    struct params *p = &watch_z.p;
                    unsigned r = values[ri];

                    p->insn = insn;
                    p->m = values[mi];
                    p->a = r ^ 0x00ff00ffu;
                    p->c = STOSCASE(insn) ? ri % 6 : r;
                    p->d = INDEXED(insn) ? 1 : r * 3u;
                    p->f = flags[fi] | (insn == 52 || insn == 54 ? 0x400 : 0);
                    on_private_stack();
                    /* A point (any system call): the watcher takes back the pages
                     * the native run showed, so the run below is watched. */
                    gettid();
                    run_case(&watched);
                    cases++;
                    if (differ(&watched, &watch_z.native)) {
                        const struct rec *n = &watch_z.native, *w = &watched;
                        int k;

                        for (k = 0; k < 6; k++)
                            if (n->mem[k] != w->mem[k])
                                printf("  mem[%d]: native %08x, watched %08x\n", k, n->mem[k], w->mem[k]);
                        fail("%s with memory %08x, eax %08x, ecx %08x, edx %08x, flags %03x: "
                             "native eax %08x ecx %08x edx %08x flags %03x, "
                             "watched eax %08x ecx %08x edx %08x flags %03x",
                             names[insn], p->m, p->a, p->c, p->d, p->f,
                             n->eax, n->ecx, n->edx, n->flags, w->eax, w->ecx, w->edx, w->flags);
                    }
                }
    printf("%d cases\n", cases);
    pass();
}
