/*
 * fastcall: the system-call gate (issue 20) from the guest's side. Prints
 * whether its gettid stub was redirected to the gate (the loader's doing;
 * --no-fastcall leaves it trapping), then checks what must hold either way:
 * - a far jump straight into gettid's gate entry, with known values in every
 *   register and DF and CF set, is a gettid: eax = tid, the rest unchanged;
 * - with TF set, the step trap of the far jump is folded into the saved
 *   flags and the next one comes after the thunk's ret (the child dies there);
 * - a call made with a segment register loaded kills the caller, as a trap;
 * - a far jump into the gate's code other than an entry kills the caller.
 */
#define TEST_NAME "fastcall"
#include "testlib.h"

/* pb_gate.h: entry k = 4 * vector + shape, 16 bytes each, from 0x00FF0000;
 * gettid (0x48) has shape 0 (int $n; ret). */
#define GATE_ENTRY(vector, shape) (0x00FF0000u + ((vector) * 4u + (shape)) * 16u)
#define GATE_TRAMPOLINE 0x00FF4000u

struct direct { unsigned int eax, ebx, ecx, edx, esi, edi, ebp, eflags, esp_delta; };
void direct_entry(struct direct *out);
__asm__(
    ".text\n.globl direct_entry\ndirect_entry:\n"
    "    pushl %ebp; pushl %ebx; pushl %esi; pushl %edi\n"
    "    movl %esp, %eax; pushl %eax\n"                  /* esp before */
    "    movl $0x11111111, %ebx; movl $0x22222222, %ecx; movl $0x33333333, %edx\n"
    "    movl $0x44444444, %esi; movl $0x55555555, %edi; movl $0x66666666, %ebp\n"
    "    movl $0x77777777, %eax\n"
    "    std; stc\n"
    "    pushl $1f\n"                                    /* the thunk's ret comes back here */
    "    ljmp $0x33, $" "0x00FF1200" "\n"
    "1:  pushfl; cld\n"
    "    pushl %eax\n"
    "    movl 32(%esp), %eax\n"                         /* out (4 saved + esp + flags + eax) */
    "    popl 0(%eax)\n"
    "    movl %ebx, 4(%eax); movl %ecx, 8(%eax); movl %edx, 12(%eax)\n"
    "    movl %esi, 16(%eax); movl %edi, 20(%eax); movl %ebp, 24(%eax)\n"
    "    popl 28(%eax)\n"
    "    popl %ecx; subl %esp, %ecx; movl %ecx, 32(%eax)\n"
    "    popl %edi; popl %esi; popl %ebx; popl %ebp\n"
    "    ret\n");

/* TF set for the far jump into gettid's entry: the step trap on the jump
 * lands in the gate, which folds it into the saved flags; the call completes
 * and the next step trap, after the thunk's ret, kills the child at
 * stepped_back (the guest has no handler), as after `int $0x48`. */
extern char stepped_back[];
static void child_stepped(void)
{
    __asm__ volatile("pushl $stepped_back\n"
                     "pushfl; orl $0x100, (%%esp); popfl\n"
                     "ljmp $0x33, $0x00FF1200\n"
                     ".globl stepped_back\nstepped_back: nop\n" ::: "memory");
    fail("single-stepped past the gate");
}

static void child_with_gs(void)
{
    /* 0x23 loads (it is the user code segment) but a Pebbles program may not hold it in a
     * data register: the gate must refuse it as the trap path does. (Null and 0x2b are fine.) */
    __asm__ volatile("movl $0x23, %%eax; movl %%eax, %%gs" ::: "eax");
    gettid();
    fail("gettid with %%gs = 0x23 returned");
}

static void child_into_gate(void)
{
    __asm__ volatile("ljmp $0x33, $0x00FF4000");
    fail("a jump into the gate's trampoline returned");
}

static void expect_killed(void (*child)(void), const char *what)
{
    int pid = fork(), status = 0;

    if (pid == 0) { child(); vanish(); }
    CHECK(pid > 0);
    CHECK(wait(&status) == pid);
    if (status != -2) fail("%s: child ended with status %d, not killed", what, status);
    printf("fastcall: %s: killed\n", what);
}

int main(int argc, char **argv)
{
    int tid = gettid();
    struct direct d;

    printf("fastcall: gettid %s\n", *(unsigned char *)gettid == 0xE9 ? "redirected" : "traps");
    /* print's stub takes its argument first: the jump replaces its int, at +5. */
    printf("fastcall: print %s\n", ((unsigned char *)print)[5] == 0xE9 ? "redirected" : "traps");

    direct_entry(&d);
    CHECK((int)d.eax == tid);
    CHECK(d.ebx == 0x11111111 && d.ecx == 0x22222222 && d.edx == 0x33333333);
    CHECK(d.esi == 0x44444444 && d.edi == 0x55555555 && d.ebp == 0x66666666);
    CHECK((d.eflags & 0x401) == 0x401);   /* DF and CF as they were */
    CHECK(d.esp_delta == 0);
    printf("fastcall: direct entry ok\n");

    printf("fastcall: stepped return at %#x\n", (unsigned int)stepped_back);
    expect_killed(child_stepped, "single-stepped far jump");
    expect_killed(child_with_gs, "gettid with %gs = 0x23");
    expect_killed(child_into_gate, "jump into the gate's trampoline");
    pass();
}
