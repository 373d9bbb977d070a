/*
 * stubshapes: system-call stubs written by hand in the shapes of 15-410
 * student libsyscalls, with no `.size` (so no symbol delimits them) and, in
 * the stripped copy stubshapes_stripped, no symbols at all. The loader finds
 * them by their bytes (Loader/SyscallStub+Scan.swift) and redirects those it
 * can prove safe to the gate; the rest keep trapping. The program prints
 * which stubs were redirected (their `int` became a `jmp`), then calls each
 * with known values in every register and prints what came back: the output
 * must be the same with --no-fastcall, redirected list aside.
 */
#define TEST_NAME "stubshapes"
#include "testlib.h"

/* Redirected: each shape with a known prefix, called directly, nothing
 * jumping into it, padding after it. */
int s_gettid(void);                       /* int $n; ret */
int s_yield(int tid);                     /* push %esi; mov 8(%esp),%esi; int; pop %esi; ret */
int s_print(int len, const char *buf);    /* push %esi; lea 8(%esp),%esi; int; pop %esi; ret */
int s_print_esp(int len, const char *buf);/* push %esi; mov %esp,%esi; add $8,%esi; ... */
int sleep_clob(int ticks);                /* calls s_sleep_clob: mov 4(%esp),%esi; int; ret */
int s_status(int status);                 /* packed right after s_ticks_packed */
void s_vanish(void) __attribute__((noreturn));          /* 1: int $n; jmp 1b */
void s_task_vanish(int) __attribute__((noreturn));      /* push; mov; 1: int; pop; jmp 1b */
/* Redirected, with a frame pointer (push %ebp; mov %esp,%ebp first): the
 * tails after the `int` run in the gate's thunk (pop %ebp; ret, pop %esi;
 * pop %ebp; ret, leave; ret, mov %ebp,%esp; pop %ebp; ret, with or without
 * pop %esi), the prologue in place. */
int s_fp_gettid(void);                    /* push %ebp; mov; int; pop %ebp; ret */
int fp_sleep_clob(int ticks);             /* calls s_fp_sleep_clob: ...; mov 8(%ebp),%esi; int; pop %ebp; ret */
int s_fp_yield(int tid);                  /* ...; push %esi; mov 8(%ebp),%esi; int; pop %esi; pop %ebp; ret */
int s_fp_yield_leave(int tid);            /* the same, ending pop %esi; leave; ret */
int s_fp_yield_mov(int tid);              /* ... pop %esi; mov %ebp,%esp (8B E5); pop %ebp; ret */
int s_fp_print(int len, const char *buf); /* ...; push %esi; lea 8(%ebp),%esi; int; pop %esi; leave; ret */
int s_fp_gettid_leave(void);              /* push %ebp; mov; int; leave; ret */
int s_fp_gettid_mov(void);                /* push %ebp; mov (8B EC); int; mov %ebp,%esp; pop %ebp; ret */
/* Trapping: no padding after it; a jump into it; its address + 2 stored as
 * data; called only through a pointer; one byte off the shape; a frame-pointer
 * stub jumped into. */
int s_ticks_packed(void);
int s_gettid_jumped(void);
int s_gettid_addr(void);
int s_gettid_ptr(void);
int s_gettid_odd(void);
int s_fp_gettid_jumped(void);             /* a frame-pointer stub whose pop %ebp is jumped to */
extern char s_sleep_clob[], s_fp_sleep_clob[];

__asm__(
    ".text\n"
    ".p2align 4\n.globl s_gettid\ns_gettid: int $0x48; ret\n"
    ".p2align 4\n.globl s_yield\ns_yield: pushl %esi; movl 8(%esp),%esi; int $0x45; popl %esi; ret\n"
    ".p2align 4\n.globl s_print\ns_print: pushl %esi; leal 8(%esp),%esi; int $0x4E; popl %esi; ret\n"
    ".p2align 4\n.globl s_print_esp\ns_print_esp: pushl %esi; movl %esp,%esi; addl $8,%esi; int $0x4E; popl %esi; ret\n"
    ".p2align 4\n.globl s_sleep_clob\ns_sleep_clob: movl 4(%esp),%esi; int $0x4B; ret\n"
    ".p2align 4\n.globl s_ticks_packed\ns_ticks_packed: int $0x53; ret\n"
    ".globl s_status\ns_status: pushl %esi; movl 8(%esp),%esi; int $0x59; popl %esi; ret\n"
    ".p2align 4\n.globl s_vanish\ns_vanish: 1: int $0x60; jmp 1b\n"
    ".p2align 4\n.globl s_task_vanish\ns_task_vanish: pushl %esi; movl 8(%esp),%esi; 2: int $0x57; popl %esi; jmp 2b\n"
    ".p2align 4\n.globl s_gettid_jumped\ns_gettid_jumped: int $0x48; ret\n"
    ".p2align 4\n.globl s_gettid_addr\ns_gettid_addr: int $0x48; ret\n"
    ".p2align 4\n.globl s_gettid_ptr\ns_gettid_ptr: int $0x48; ret\n"
    ".p2align 4\n.globl s_gettid_odd\ns_gettid_odd: int $0x48; nop; ret\n"
    ".p2align 4\n.globl s_fp_gettid\ns_fp_gettid: pushl %ebp; movl %esp,%ebp; int $0x48; popl %ebp; ret\n"
    ".p2align 4\n.globl s_fp_sleep_clob\ns_fp_sleep_clob: pushl %ebp; movl %esp,%ebp; movl 8(%ebp),%esi; int $0x4B; popl %ebp; ret\n"
    ".p2align 4\n.globl s_fp_yield\ns_fp_yield: pushl %ebp; movl %esp,%ebp; pushl %esi; movl 8(%ebp),%esi; int $0x45; popl %esi; popl %ebp; ret\n"
    ".p2align 4\n.globl s_fp_yield_leave\ns_fp_yield_leave: pushl %ebp; movl %esp,%ebp; pushl %esi; movl 8(%ebp),%esi; int $0x45; popl %esi; leave; ret\n"
    /* mov %ebp,%esp in its other encoding (8B E5): gas writes 89 EC. */
    ".p2align 4\n.globl s_fp_yield_mov\ns_fp_yield_mov: pushl %ebp; movl %esp,%ebp; pushl %esi; movl 8(%ebp),%esi; int $0x45; popl %esi; .byte 0x8b, 0xe5; popl %ebp; ret\n"
    ".p2align 4\n.globl s_fp_print\ns_fp_print: pushl %ebp; movl %esp,%ebp; pushl %esi; leal 8(%ebp),%esi; int $0x4E; popl %esi; leave; ret\n"
    ".p2align 4\n.globl s_fp_gettid_leave\ns_fp_gettid_leave: pushl %ebp; movl %esp,%ebp; int $0x48; leave; ret\n"
    /* mov %esp,%ebp as 8B EC (gas writes 89 E5). */
    ".p2align 4\n.globl s_fp_gettid_mov\ns_fp_gettid_mov: pushl %ebp; .byte 0x8b, 0xec; int $0x48; movl %ebp,%esp; popl %ebp; ret\n"
    ".p2align 4\n.globl s_fp_gettid_jumped\ns_fp_gettid_jumped: pushl %ebp; movl %esp,%ebp; int $0x48; popl %ebp; ret\n"
    ".p2align 4\n"
    /* Never run: its jump into s_gettid_jumped's ret is what the scan must see. */
    "never_run: jmp s_gettid_jumped+2\n"
    /* And into s_fp_gettid_jumped's pop %ebp, which the jump to the thunk would overwrite. */
    "never_run_fp: jmp s_fp_gettid_jumped+5\n"
    ".p2align 4\n"
    /* The stub that loads %esi without saving it, called as a cdecl function. */
    ".globl sleep_clob\nsleep_clob: pushl %esi; pushl 8(%esp); call s_sleep_clob; addl $4,%esp; popl %esi; ret\n"
    ".globl fp_sleep_clob\nfp_sleep_clob: pushl %esi; pushl 8(%esp); call s_fp_sleep_clob; addl $4,%esp; popl %esi; ret\n"
    ".data\n.globl gettid_addr_plus_2\ngettid_addr_plus_2: .long s_gettid_addr+2\n"
    /* A second word moves .bss on: at 0x010058e0, crt0's `mov %eax,0x10058e0`
     * holds E0 58, which reads as `loopne` into s_print's prefix, and the scan
     * (rule 3, every byte offset read as a branch) would rightly keep s_print
     * trapping. Layout luck either way; this keeps every shape covered. */
    ".long 0\n"
    ".text\n");

/* Calls fn(a, b) with known values in every register, DF and CF set, and
 * records what came back. */
struct regs { unsigned int eax, ebx, ecx, edx, esi, edi, ebp, eflags, esp_delta; };
void call_regs(void *fn, unsigned int a, unsigned int b, struct regs *out);
void *call_target;
__asm__(
    ".text\n.globl call_regs\ncall_regs:\n"
    "    pushl %ebp; pushl %ebx; pushl %esi; pushl %edi\n"
    "    movl 20(%esp), %eax; movl %eax, call_target\n"
    "    movl %esp, %eax; pushl %eax\n"                    /* esp before */
    "    pushl 32(%esp)\n"                                 /* b */
    "    pushl 32(%esp)\n"                                 /* a */
    "    movl $0x11111111, %ebx; movl $0x22222222, %ecx; movl $0x33333333, %edx\n"
    "    movl $0x44444444, %esi; movl $0x55555555, %edi; movl $0x66666666, %ebp\n"
    "    movl $0x77777777, %eax\n"
    "    std; stc\n"
    "    call *call_target\n"
    "    pushfl; cld\n"
    "    pushl %eax\n"
    "    movl 52(%esp), %eax\n"                            /* out */
    "    popl 0(%eax)\n"
    "    movl %ebx, 4(%eax); movl %ecx, 8(%eax); movl %edx, 12(%eax)\n"
    "    movl %esi, 16(%eax); movl %edi, 20(%eax); movl %ebp, 24(%eax)\n"
    "    popl 28(%eax)\n"
    "    addl $8, %esp\n"
    "    popl %ecx; subl %esp, %ecx; movl %ecx, 32(%eax)\n"
    "    popl %edi; popl %esi; popl %ebx; popl %ebp\n"
    "    ret\n");

static int redirected(const void *stub, int int_offset)
{
    return ((const unsigned char *)stub)[int_offset] == 0xE9;
}

static void show(const char *name, void *fn, unsigned int a, unsigned int b, int clobbers_esi, int show_eax)
{
    struct regs r;

    call_regs(fn, a, b, &r);
    printf("%s: eax=%s ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x ebp=%08x flags=%03x esp_delta=%u\n",
           name, show_eax ? (r.eax == 0 ? "0" : "nonzero") : "-", r.ebx, r.ecx, r.edx, r.esi, r.edi,
           r.ebp, r.eflags & 0xCD5, r.esp_delta);
    CHECK(r.ebx == 0x11111111 && r.ecx == 0x22222222 && r.edx == 0x33333333);
    CHECK(r.edi == 0x55555555 && r.ebp == 0x66666666 && r.esp_delta == 0);
    CHECK(r.esi == (clobbers_esi ? a : 0x44444444u));
    CHECK(r.eflags & 0x400);   /* DF as it was */
}

int main(int argc, char **argv)
{
    static const struct { const char *name; const void *stub; int at; } sites[] = {
        { "s_gettid", s_gettid, 0 }, { "s_yield", s_yield, 5 }, { "s_print", s_print, 5 },
        { "s_print_esp", s_print_esp, 6 }, { "s_sleep_clob", s_sleep_clob, 4 },
        { "s_status", s_status, 5 }, { "s_vanish", s_vanish, 0 }, { "s_task_vanish", s_task_vanish, 5 },
        { "s_ticks_packed", s_ticks_packed, 0 }, { "s_gettid_jumped", s_gettid_jumped, 0 },
        { "s_gettid_addr", s_gettid_addr, 0 }, { "s_gettid_ptr", s_gettid_ptr, 0 },
        { "s_gettid_odd", s_gettid_odd, 0 },
        { "s_fp_gettid", s_fp_gettid, 3 }, { "s_fp_sleep_clob", s_fp_sleep_clob, 6 },
        { "s_fp_yield", s_fp_yield, 7 }, { "s_fp_yield_leave", s_fp_yield_leave, 7 },
        { "s_fp_yield_mov", s_fp_yield_mov, 7 }, { "s_fp_print", s_fp_print, 7 },
        { "s_fp_gettid_leave", s_fp_gettid_leave, 3 }, { "s_fp_gettid_mov", s_fp_gettid_mov, 3 },
        { "s_fp_gettid_jumped", s_fp_gettid_jumped, 3 },
    };
    int (*volatile by_pointer)(void) = s_gettid_ptr;
    int tid = gettid(), n = 0, status = 0, pid;
    unsigned int i;

    printf("stubshapes: redirected:");
    for (i = 0; i < sizeof(sites) / sizeof(sites[0]); i++) {
        if (redirected(sites[i].stub, sites[i].at)) { printf(" %s", sites[i].name); n++; }
    }
    printf(" (%d)\n", n);

    /* Each stub called directly (a call the scan sees) and checked. */
    CHECK(s_gettid() == tid && s_gettid_jumped() == tid && s_gettid_addr() == tid);
    CHECK(by_pointer() == tid && s_gettid_odd() == tid);
    CHECK(s_yield(-1) == 0 && sleep_clob(0) == 0 && s_ticks_packed() >= 0);
    CHECK(s_print(14, "s_print: ok.\n\n") == 0 && s_print_esp(18, "s_print_esp: ok.\n\n") == 0);
    CHECK(s_fp_gettid() == tid && s_fp_gettid_leave() == tid && s_fp_gettid_mov() == tid);
    CHECK(s_fp_gettid_jumped() == tid && fp_sleep_clob(0) == 0);
    CHECK(s_fp_yield(-1) == 0 && s_fp_yield_leave(-1) == 0 && s_fp_yield_mov(-1) == 0);
    CHECK(s_fp_print(15, "s_fp_print: ok.\n\n") == 0);

    /* Every register but eax (and, for the stub that loads it unsaved, esi) as it was. */
    show("s_gettid", (void *)s_gettid, 0, 0, 0, 0);
    show("s_yield", (void *)s_yield, (unsigned int)-1, 0, 0, 1);
    show("s_print", (void *)s_print, 4, (unsigned int)"abc\n", 0, 1);
    show("s_print_esp", (void *)s_print_esp, 4, (unsigned int)"def\n", 0, 1);
    show("s_sleep_clob", (void *)s_sleep_clob, 0, 0, 1, 1);
    show("s_ticks_packed", (void *)s_ticks_packed, 0, 0, 0, 0);
    show("s_gettid_odd", (void *)s_gettid_odd, 0, 0, 0, 0);
    show("s_fp_gettid", (void *)s_fp_gettid, 0, 0, 0, 0);
    show("s_fp_sleep_clob", (void *)s_fp_sleep_clob, 0, 0, 1, 1);
    show("s_fp_yield", (void *)s_fp_yield, (unsigned int)-1, 0, 0, 1);
    show("s_fp_yield_leave", (void *)s_fp_yield_leave, (unsigned int)-1, 0, 0, 1);
    show("s_fp_yield_mov", (void *)s_fp_yield_mov, (unsigned int)-1, 0, 0, 1);
    show("s_fp_print", (void *)s_fp_print, 4, (unsigned int)"ghi\n", 0, 1);
    show("s_fp_gettid_leave", (void *)s_fp_gettid_leave, 0, 0, 0, 0);
    show("s_fp_gettid_mov", (void *)s_fp_gettid_mov, 0, 0, 0, 0);
    show("s_fp_gettid_jumped", (void *)s_fp_gettid_jumped, 0, 0, 0, 0);

    /* The noreturn shapes: a child sets its status and vanishes. */
    pid = fork();
    if (pid == 0) { s_status(42); s_vanish(); }
    CHECK(pid > 0 && wait(&status) == pid && status == 42);
    printf("stubshapes: child status %d\n", status);
    printf("PASS %s\n", TEST_NAME);
    s_task_vanish(0);
}
