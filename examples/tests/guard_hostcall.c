/*
 * guard_hostcall: guest code that tries to reach the host kernel directly.
 * Each attempt runs in a forked child; the kernel must kill that child with
 * a message (status -2) and the machine, and this parent, live on.
 *
 *   guard_hostcall            every mode in turn, then PASS
 *   guard_hostcall MODE       only MODE, in a child (for one-line tests)
 *
 * Modes: int80-getpid, int80-write, int80-exit (i386 gate), syscall32
 * (the `syscall` instruction in compatibility mode), sysenter, syscall64
 * (far jump to the 64-bit code segment 0x33, then `syscall`), far64-host
 * (64-bit mode, then a jump to a host address above 4 GiB), far64-spin
 * (64-bit mode, looping until the timer interrupts it), vsyscall (64-bit
 * mode, then a call into the vsyscall page), fsbase (64-bit
 * mode, read through FS and come back to 32-bit mode: FS must not lead to
 * host memory), alignment-check (EFLAGS.AC set across system calls, then an
 * unaligned store: the guest's own alignment fault, not the emulator's).
 */
#define TEST_NAME "guard_hostcall"
#include "testlib.h"
#include <stdlib.h>
#include <string.h>

static const char leak[] = "LEAK: host write from guest\n";

static void int80_getpid(void)
{
    __asm__ volatile("int $0x80" :: "a"(20) : "memory");
}

static void int80_write(void)
{
    __asm__ volatile("int $0x80" :: "a"(4), "b"(1), "c"(leak), "d"(sizeof(leak) - 1) : "memory");
}

static void int80_exit(void)
{
    /* If this ran, the whole emulator would exit with status 0. */
    __asm__ volatile("int $0x80" :: "a"(1), "b"(0) : "memory");
}

static void syscall32(void)
{
    __asm__ volatile("syscall" :: "a"(20) : "ecx", "memory");
}

static void sysenter(void)
{
    __asm__ volatile("sysenter" :: "a"(20) : "ecx", "edx", "memory");
}

/* Far jump to CS 0x33: from here on the CPU decodes 64-bit code. */
#define TO_64 "ljmp $0x33, $1f\n1:\n.code64\n"
#define BACK_32 ".code32\n"

static void syscall64(void)
{
    /* write(1, leak, len) with the x86-64 numbering. */
    __asm__ volatile(TO_64
                     "mov $1, %%eax\n"
                     "mov $1, %%edi\n"
                     "mov %0, %%esi\n"
                     "mov %1, %%edx\n"
                     "syscall\n"
                     "ud2\n"
                     BACK_32
                     :: "r"(leak), "r"(sizeof(leak) - 1) : "eax", "edi", "esi", "edx", "ecx", "memory");
}

static void far64_host(void)
{
    /* A canonical address far above the guest range: unmapped in practice. */
    __asm__ volatile(TO_64
                     "movabs $0x00007f0000001000, %%rax\n"
                     "jmp *%%rax\n"
                     BACK_32
                     ::: "eax", "memory");
}

/* The vsyscall page (gettimeofday) is the one host entry at a fixed address. If the call ran,
 * the host would write the time into our buffer and we would come back to 32-bit code and say
 * LEAK; the filter traps it, so the child dies instead. */
static unsigned int tv[4];

static void vsyscall(void)
{
    tv[0] = tv[1] = tv[2] = tv[3] = 0;   /* mapped writable now */
    __asm__ volatile(TO_64
                     "mov %%esp, %%esp\n"
                     "mov %%ebx, %%edi\n"          /* zero-extends: the guest address */
                     "xor %%esi, %%esi\n"
                     "movabs $0xffffffffff600000, %%rax\n"
                     "call *%%rax\n"
                     "sub $8, %%rsp\n"
                     "movl $4f, (%%rsp)\n"
                     "movl $0x23, 4(%%rsp)\n"
                     "lretl\n"
                     BACK_32
                     "4:\n"
                     :: "b"(tv) : "eax", "ecx", "edx", "edi", "esi", "memory");
    printf("guard_hostcall: LEAK: vsyscall gettimeofday ran: %u s\n", tv[0]);
    exit(8);
}

static void far64_spin(void)
{
    __asm__ volatile(TO_64 "2: jmp 2b\n" BACK_32 ::: "memory");
}

static unsigned int fsbase_seen[2];

/* Reads the first word at the FS base in 64-bit mode (on the host that is
 * glibc's thread control block, which points at itself) and returns to
 * 32-bit code with a far return to CS 0x23. The kernel must leave no host
 * pointer in FS while a guest runs, so the read faults and the child dies. */
static void fsbase(void)
{
    fsbase_seen[0] = fsbase_seen[1] = 1;   /* mapped writable now: the stores cannot fault */
    __asm__ volatile(TO_64
                     "mov %%ebx, %%ebx\n"          /* zero-extend: upper halves are undefined */
                     "mov %%esp, %%esp\n"
                     "mov %%fs:0, %%rax\n"
                     "mov %%eax, (%%rbx)\n"
                     "shr $32, %%rax\n"
                     "mov %%eax, 4(%%rbx)\n"
                     "sub $8, %%rsp\n"
                     "movl $3f, (%%rsp)\n"
                     "movl $0x23, 4(%%rsp)\n"
                     "lretl\n"
                     BACK_32
                     "3:\n"
                     :: "b"(fsbase_seen) : "eax", "memory");
    printf("guard_hostcall: LEAK: FS base word %08x%08x\n", fsbase_seen[1], fsbase_seen[0]);
    exit(8);
}

/* EFLAGS.AC on: the kernel must not inherit it (its own unaligned accesses would fault); the
 * guest's next unaligned store is its own alignment-check fault. */
static void alignment_check(void)
{
    static char buf[16] __attribute__((aligned(8)));
    __asm__ volatile("pushf; orl $0x40000, (%%esp); popf" ::: "memory", "cc");
    gettid();
    get_ticks();
    *(volatile int *)(buf + 1) = 5;
}

struct mode {
    const char *name;
    void (*run)(void);
    int expect;   /* the child's exit status: -2 when the kernel must kill it */
};

static const struct mode modes[] = {
    { "int80-getpid", int80_getpid, -2 },
    { "int80-write", int80_write, -2 },
    { "int80-exit", int80_exit, -2 },
    { "syscall32", syscall32, -2 },
    { "sysenter", sysenter, -2 },
    { "syscall64", syscall64, -2 },
    { "far64-host", far64_host, -2 },
    { "far64-spin", far64_spin, -2 },
    { "vsyscall", vsyscall, -2 },
    { "fsbase", fsbase, -2 },
    { "alignment-check", alignment_check, -2 },
};
#define NMODES (int)(sizeof(modes) / sizeof(modes[0]))

/* Runs one mode in a child; returns the child's status. */
static int run_in_child(const struct mode *m)
{
    int pid = fork();
    if (pid < 0)
        fail("fork: %d", pid);
    if (pid == 0) {
        m->run();
        printf("guard_hostcall: %s survived\n", m->name);
        exit(3);
    }
    int status = 12345;
    int got = wait(&status);
    if (got != pid)
        fail("wait returned %d, expected %d", got, pid);
    return status;
}

int main(int argc, char **argv)
{
    int checked = 0;
    for (int i = 0; i < NMODES; i++) {
        if (argc > 1 && strcmp(argv[1], modes[i].name) != 0)
            continue;
        int status = run_in_child(&modes[i]);
        printf("guard_hostcall: %s -> status %d\n", modes[i].name, status);
        if (status != modes[i].expect)
            fail("%s: status %d, expected %d", modes[i].name, status, modes[i].expect);
        checked++;
    }
    if (checked == 0)
        fail("no mode named %s", argv[1]);
    pass();
}
