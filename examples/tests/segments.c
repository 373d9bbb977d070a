/*
 * segments: what a Pebbles program may do with the data segment registers.
 * It may load the user data selector (0x2b) or a null selector into %fs and
 * %gs (`mov %ds,%ax; mov %ax,%fs`); the kernel keeps each thread's values
 * across system calls, faults, interrupts and switches, reports them in the
 * ureg, and takes them from a swexn newureg. Any other selector (or a null
 * %ds/%es) is a fault Pebbles would raise too: the thread is killed with the
 * selector named.
 *
 *   segments               every check below, then PASS
 *   segments notimer       the same without waiting for timer ticks (seeded
 *                          runs, where ticks come from instruction counts and
 *                          every instruction is a single step: slow)
 *   segments kill MODE     only MODE, in a child (for one-line tests)
 *
 * Checks: the selectors a program starts with (all four 0x2b); two tasks
 * (parent fs 0 gs 0x2b, child fs 0x2b gs 0) that yield to each other, make
 * system calls, take page faults and spin through timer ticks, each checking
 * its own selectors every time; a forked child inherits them; a fault's ureg
 * shows them and a swexn newureg changes them; 64-bit code after an fs load
 * finds no host pointer through %fs. Kill modes: fs-0x23, fs-0x7b, gs-0x33,
 * ds-0, es-0, fsbase.
 */
#define TEST_NAME "segments"
#include "testlib.h"
#include <stdlib.h>
#include <string.h>
#include <ureg.h>

#define USER_DS 0x2b

static unsigned int get_fs(void) { unsigned int v; __asm__ volatile("movl %%fs, %0" : "=r"(v)); return v & 0xffff; }
static unsigned int get_gs(void) { unsigned int v; __asm__ volatile("movl %%gs, %0" : "=r"(v)); return v & 0xffff; }
static unsigned int get_ds(void) { unsigned int v; __asm__ volatile("movl %%ds, %0" : "=r"(v)); return v & 0xffff; }
static unsigned int get_es(void) { unsigned int v; __asm__ volatile("movl %%es, %0" : "=r"(v)); return v & 0xffff; }
static unsigned int get_ss(void) { unsigned int v; __asm__ volatile("movl %%ss, %0" : "=r"(v)); return v & 0xffff; }
static void set_fs(unsigned int v) { __asm__ volatile("movl %0, %%fs" :: "r"(v)); }
static void set_gs(unsigned int v) { __asm__ volatile("movl %0, %%gs" :: "r"(v)); }

static void expect(const char *who, const char *after, unsigned int fs, unsigned int gs)
{
    unsigned int f = get_fs(), g = get_gs();
    if (f != fs || g != gs)
        fail("%s: after %s fs=%#x gs=%#x, expected fs=%#x gs=%#x", who, after, f, g, fs, gs);
}

/* ---- preservation ------------------------------------------------------- */

#define PAGES_BASE 0x50000000u
#define ROUNDS 400

static int wait_for_ticks = 1;

/* Spins until the timer has ticked twice, checking the selectors all along. */
static void spin_ticks(const char *who, unsigned int fs, unsigned int gs)
{
    unsigned int start = get_ticks();
    while (get_ticks() - start < 2)
        for (int i = 0; i < 20000; i++)
            if (get_fs() != fs || get_gs() != gs)
                expect(who, "a timer interrupt", fs, gs);
}

static void exercise(const char *who, unsigned int fs, unsigned int gs, unsigned int pages)
{
    set_fs(fs);
    set_gs(gs);
    expect(who, "loading them", fs, gs);
    for (int i = 0; i < ROUNDS; i++) {
        gettid();
        expect(who, "a system call", fs, gs);
        yield(-1);
        expect(who, "a yield", fs, gs);
        *(volatile unsigned int *)(pages + (i % 64) * 4096) = i;   /* first touch: a page fault */
        expect(who, "a page fault", fs, gs);
        if (wait_for_ticks && i % 100 == 0)
            spin_ticks(who, fs, gs);
    }
}

static void two_tasks(void)
{
    if (new_pages((void *)PAGES_BASE, 64 * 4096) < 0)
        fail("new_pages");
    set_fs(0);
    set_gs(USER_DS);
    int pid = fork();
    if (pid < 0)
        fail("fork: %d", pid);
    if (pid == 0) {
        expect("child", "fork", 0, USER_DS);
        exercise("child", USER_DS, 0, PAGES_BASE);
        exit(0);
    }
    /* The child's pages are copies: the parent's first touches are its own faults. */
    exercise("parent", 0, USER_DS, PAGES_BASE);
    int status = 12345;
    CHECK(wait(&status) == pid);
    if (status != 0)
        fail("child exited with %d", status);
}

/* ---- ureg and swexn ------------------------------------------------------ */

static char exn_stack[4096] __attribute__((aligned(16)));
static volatile unsigned int seen_fs, seen_gs, seen_ds, seen_es;
static volatile unsigned int resume_fs, resume_gs;

__attribute__((force_align_arg_pointer))
static void handler(void *arg, ureg_t *ureg)
{
    seen_fs = ureg->fs;
    seen_gs = ureg->gs;
    seen_ds = ureg->ds;
    seen_es = ureg->es;
    ureg->eip += 2;                              /* past the ud2 */
    ureg->fs = resume_fs;
    ureg->gs = resume_gs;
    swexn(0, 0, 0, ureg);
    fail("swexn refused fs=%#x gs=%#x", resume_fs, resume_gs);
}

static void ureg_round(unsigned int fs, unsigned int gs, unsigned int new_fs, unsigned int new_gs)
{
    CHECK(swexn(exn_stack + sizeof(exn_stack), handler, 0, 0) == 0);
    resume_fs = new_fs;
    resume_gs = new_gs;
    set_fs(fs);
    set_gs(gs);
    __asm__ volatile("ud2" ::: "memory");
    if (seen_fs != fs || seen_gs != gs)
        fail("ureg shows fs=%#x gs=%#x, the program had fs=%#x gs=%#x", seen_fs, seen_gs, fs, gs);
    if (seen_ds != USER_DS || seen_es != USER_DS)
        fail("ureg shows ds=%#x es=%#x", seen_ds, seen_es);
    expect("swexn resume", "a newureg", new_fs, new_gs);
}

static void ureg_and_swexn(void)
{
    ureg_round(0, USER_DS, USER_DS, 0);
    ureg_round(USER_DS, 0, 0, USER_DS);
    ureg_round(0, 0, USER_DS, USER_DS);
    ureg_round(USER_DS, USER_DS, 0, 0);
}

/* ---- kills ---------------------------------------------------------------- */

static void load_fs(unsigned int v) { set_fs(v); gettid(); }

static void fs_0x23(void) { load_fs(0x23); }
static void fs_0x7b(void) { load_fs(0x7b); }
static void gs_0x33(void) { set_gs(0x33); gettid(); }
static void ds_0(void) { __asm__ volatile("movl %0, %%ds; int $0x48; movl %1, %%ds" :: "r"(0), "r"(USER_DS) : "eax", "memory"); }
static void es_0(void) { __asm__ volatile("movl %0, %%es; int $0x48; movl %1, %%es" :: "r"(0), "r"(USER_DS) : "eax", "memory"); }

static unsigned int fsbase_seen[2];

/* %fs = 0x2b across a system call (the kernel takes it from the handler and
 * gives it back on the way out), then 64-bit code reads %fs:0. The FS base is
 * that of 0x2b, 0: the read faults and the thread dies, it never sees the
 * emulator's thread block. */
static void fsbase(void)
{
    fsbase_seen[0] = fsbase_seen[1] = 1;   /* mapped writable now: the stores cannot fault */
    set_fs(USER_DS);
    gettid();
    __asm__ volatile("ljmp $0x33, $1f\n1:\n.code64\n"
                     "mov %%ebx, %%ebx\n"
                     "mov %%esp, %%esp\n"
                     "mov %%fs:0, %%rax\n"
                     "mov %%eax, (%%rbx)\n"
                     "shr $32, %%rax\n"
                     "mov %%eax, 4(%%rbx)\n"
                     "sub $8, %%rsp\n"
                     "movl $3f, (%%rsp)\n"
                     "movl $0x23, 4(%%rsp)\n"
                     "lretl\n"
                     ".code32\n"
                     "3:\n"
                     :: "b"(fsbase_seen) : "eax", "memory");
    printf("segments: LEAK: FS base word %08x%08x\n", fsbase_seen[1], fsbase_seen[0]);
    exit(8);
}

struct mode {
    const char *name;
    void (*run)(void);
};

static const struct mode kills[] = {
    { "fs-0x23", fs_0x23 },
    { "fs-0x7b", fs_0x7b },
    { "gs-0x33", gs_0x33 },
    { "ds-0", ds_0 },
    { "es-0", es_0 },
    { "fsbase", fsbase },
};
#define NKILLS (int)(sizeof(kills) / sizeof(kills[0]))

static void kill_in_child(const struct mode *m)
{
    int pid = fork();
    if (pid < 0)
        fail("fork: %d", pid);
    if (pid == 0) {
        m->run();
        printf("segments: %s survived\n", m->name);
        exit(3);
    }
    int status = 12345;
    CHECK(wait(&status) == pid);
    printf("segments: %s -> status %d\n", m->name, status);
    if (status != -2)
        fail("%s: status %d, expected -2", m->name, status);
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "kill") == 0) {
        for (int i = 0; i < NKILLS; i++) {
            if (strcmp(kills[i].name, argv[2]) == 0) {
                kill_in_child(&kills[i]);
                pass();
            }
        }
        fail("no kill mode named %s", argv[2]);
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "notimer") == 0)
            wait_for_ticks = 0;
        else
            fail("unknown argument %s", argv[i]);
    }
    if (get_fs() != USER_DS || get_gs() != USER_DS || get_ds() != USER_DS ||
        get_es() != USER_DS || get_ss() != USER_DS)
        fail("started with ds=%#x es=%#x fs=%#x gs=%#x ss=%#x, expected 0x2b each",
             get_ds(), get_es(), get_fs(), get_gs(), get_ss());
    two_tasks();
    ureg_and_swexn();
    for (int i = 0; i < NKILLS; i++)
        kill_in_child(&kills[i]);
    pass();
}
