/*
 * fuzz [calls [seed [tasks [threads]]]]: a seeded system-call fuzzer.
 *
 * The first task forks `tasks` workers (default 4) and only waits. Even
 * workers are single-threaded (so fork, exec and task_vanish can be fuzzed);
 * odd ones run `threads` threads (default 4). Every thread makes random
 * calls on vectors 0x41..0x8F with random and adversarial arguments:
 * NULL, low memory, text, unmapped pages, page edges, the top of memory,
 * huge and negative numbers, packets that straddle into unmapped pages.
 * Calls that end things run where they cannot end the run: fork and
 * thread_fork children vanish at once, task_vanish runs in a forked child,
 * halt and the host gate 0x80 are never called, and getchar (which waits
 * for a key) is skipped. Solo workers also fork children that swexn-resume
 * with adversarial registers and die of their own faults. Buffers the kernel may write are always in a
 * per-thread scratch region followed by an unmapped page, so a kernel that
 * accepts a bad length fails loudly instead of corrupting the fuzzer.
 *
 * The verdict: every worker must end normally and report its calls; then the
 * machine must still fork, map memory and print PASS. Runs are reproducible
 * per seed up to thread interleaving.
 */
#define TEST_NAME "fuzz"
#include "testlib.h"
#include <stdlib.h>
#include <string.h>
#include <thread.h>
#include <simics.h>

#define PAGE 4096u
#define U(p) ((unsigned int)(p))
/* Per-thread scratch: 4 mapped pages, then 4 never-mapped ones. */
#define SCRATCH_BASE 0x60000000u
#define SCRATCH_PAGES 4u
#define SCRATCH_STRIDE (8u * PAGE)
#define MAX_THREADS 16

/* One stub per vector 0x41..0x8F, 16 bytes apart: `int` takes only an immediate. */
__asm__(".text\n"
        ".p2align 4\n"
        "fuzz_stubs:\n"
        ".set fuzz_v, 0x41\n"
        ".rept 0x4F\n"
        ".p2align 4\n"
        "int $fuzz_v\n"
        "ret\n"
        ".set fuzz_v, fuzz_v + 1\n"
        ".endr\n");
extern char fuzz_stubs[];

static int trap(int vector, unsigned int esi)
{
    int r;
    void *stub = fuzz_stubs + 16 * (vector - 0x41);
    __asm__ volatile("call *%1" : "=a"(r) : "r"(stub), "S"(esi) : "memory", "cc");
    return r;
}

/* The child runs no code of ours: it vanishes before touching the shared stack. */
static int thread_fork_vanish(void)
{
    int r;
    __asm__ volatile("int $0x52\n\ttest %%eax, %%eax\n\tjnz 1f\n\tint $0x60\n1:"
                     : "=a"(r) :: "memory", "cc");
    return r;
}

static int fork_vanish(void)
{
    int r;
    __asm__ volatile("int $0x41\n\ttest %%eax, %%eax\n\tjnz 1f\n\tint $0x60\n1:"
                     : "=a"(r) :: "memory", "cc");
    return r;
}

/* task_vanish(status) in a forked child (fork ignores %esi). */
static int fork_task_vanish(unsigned int status)
{
    int r;
    __asm__ volatile("int $0x41\n\ttest %%eax, %%eax\n\tjnz 1f\n\tint $0x57\n1:"
                     : "=a"(r) : "S"(status) : "memory", "cc");
    return r;
}

struct fuzzer {
    unsigned int rng;
    int index;            /* thread index within the worker */
    int solo;             /* the worker is single-threaded */
    unsigned int scratch; /* this thread's scratch region */
    int calls, errors, forks;
};

static int budget_per_thread;
static int verbose;                       /* 5th argument "v": log every call (slow) */
static const unsigned int one = 1;
static const char *names[] = { "readme.txt", ".", "hello", "no_such_program", "", "fuzz/../hello" };

static unsigned int next(struct fuzzer *f)
{
    unsigned int x = f->rng;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    return f->rng = x;
}
static unsigned int pick(struct fuzzer *f, unsigned int n) { return next(f) % n; }

/* Numbers: small, boundary, negative, huge, page multiples, or random. */
static unsigned int number(struct fuzzer *f)
{
    static const unsigned int edges[] = { 0, 1, 2, 4, 16, 24, 25, 79, 80, 255, 256, 4095, 4096, 8192,
        0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0xfffff000, 0x10000000 };
    switch (pick(f, 4)) {
    case 0: return edges[pick(f, sizeof edges / sizeof *edges)];
    case 1: return pick(f, 64) - 8u;
    case 2: return (pick(f, 16) + 1) * PAGE;
    default: return next(f);
    }
}

/* Addresses the kernel may only read through: anything but our live stack words. */
static unsigned int pointer(struct fuzzer *f, int writable)
{
    unsigned int end = f->scratch + SCRATCH_PAGES * PAGE;
    switch (pick(f, writable ? 10 : 13)) {
    case 0: return 0;
    case 1: return pick(f, 0x01000000);                  /* low memory: the "kernel" */
    case 2: return 0x01000000 - pick(f, 8);              /* straddles user start */
    case 3: return f->scratch + pick(f, SCRATCH_PAGES * PAGE);
    case 4: return end - pick(f, 64);                     /* page edge */
    case 5: return end + pick(f, 4 * PAGE);               /* unmapped */
    case 6: return 0xFFFFFFFF - pick(f, 8);               /* top of memory, wrap */
    case 7: return 0xC0000000 + pick(f, 0x1000000);       /* unmapped high */
    case 8: return writable ? 0x80000000 + pick(f, 0x40000000) : next(f);   /* nothing of ours there */
    case 9: return U(fuzz_stubs) + pick(f, 0x400);         /* text: read-only */
    case 10: return U(names[pick(f, 6)]);                  /* strings */
    case 11: return U(&one);
    default: return U(&f) - pick(f, 256);                 /* our stack, read-only use */
    }
}

/* A packet of four argument words on our stack, or an adversarial packet address. */
static unsigned int packet(struct fuzzer *f, unsigned int *words, int writable_args)
{
    for (int i = 0; i < 4; i++)
        words[i] = pick(f, 2) ? pointer(f, writable_args) : number(f);
    switch (pick(f, 12)) {
    case 0: return 0;
    case 1: return f->scratch + SCRATCH_PAGES * PAGE - 4 * (1 + pick(f, 3));   /* straddles */
    case 2: return U(fuzz_stubs) + pick(f, 0x400);
    case 3: return 0xC0000000;
    default: return U(words);
    }
}

/* A pointer at which no 4 bytes are readable: NULL, low, unmapped, or straddling. */
static unsigned int bad_pointer(struct fuzzer *f)
{
    unsigned int end = f->scratch + SCRATCH_PAGES * PAGE;
    switch (pick(f, 5)) {
    case 0: return 0;
    case 1: return pick(f, 0x01000000) & ~3u;
    case 2: return end - 2;
    case 3: return end + pick(f, 4 * PAGE);
    default: return 0xC0000000 + (pick(f, 0x1000000) & ~3u);
    }
}

/* wait, get_cursor_pos, readfile, readline: pointers only into scratch or bad places. */
static int fuzz_writer(struct fuzzer *f, int v, unsigned int *w)
{
    switch (v) {
    case 0x44:
        return trap(v, pointer(f, 1));
    case 0x51:
        w[0] = pointer(f, 1); w[1] = pointer(f, 1);
        return trap(v, pick(f, 8) ? U(w) : packet(f, w, 1));
    case 0x62:
        w[0] = pick(f, 2) ? U(names[pick(f, 6)]) : pointer(f, 0);
        w[1] = pointer(f, 1); w[2] = number(f); w[3] = pick(f, 2) ? pick(f, 64) : number(f);
        return trap(v, pick(f, 8) ? U(w) : packet(f, w, 1));
    default:                               /* readline: never both a sane size and a good buffer */
        if (pick(f, 2)) { w[0] = (unsigned int)(-1 - (int)pick(f, 100)); w[1] = pointer(f, 1); }
        else { w[0] = 4 + pick(f, 64); w[1] = pick(f, 2) ? bad_pointer(f) : U(fuzz_stubs); }
        return trap(v, pick(f, 8) ? U(w) : bad_pointer(f));
    }
}

/* new_pages: occupied, unaligned, low, wrapping, huge or free places; undone when it works. */
static int fuzz_new_pages(struct fuzzer *f, unsigned int *w)
{
    static const unsigned int bases[] = { 0, 0x1000, 0x00FFF000, 0xFFFFF000, 0xFFFFE000, 0x01000000 };
    unsigned int base;
    switch (pick(f, 4)) {
    case 0: base = bases[pick(f, 6)]; break;
    case 1: base = f->scratch + PAGE * pick(f, 8); break;
    case 2: base = number(f); break;
    default: base = (0x70000000 + pick(f, 0x70000000)) & ~(PAGE - 1); break;   /* free */
    }
    w[0] = base;
    w[1] = pick(f, 2) ? PAGE * (1 + pick(f, 4)) : number(f);
    int r = trap(0x49, pick(f, 8) ? U(w) : bad_pointer(f));
    if (r == 0 && remove_pages((void *)base) < 0)
        fail("remove_pages(%#x) after new_pages(%#x, %d) worked", base, base, (int)w[1]);
    return r;
}

/* Simics magic calls (vector 0x8E) take the command in %ebx: never SIM_HALT (0x04100004). */
static int simics_call(struct fuzzer *f)
{
    static const unsigned int cmds[] = { 0x04100000, 0x04100001, 0x04100002, 0x04100003, 0x04108000, 0x12345678 };
    unsigned int cmd = pick(f, 4) ? cmds[pick(f, 6)] : next(f);
    if (cmd == 0x04100004)
        cmd = 0;
    unsigned int arg = pick(f, 2) ? pointer(f, 0) : U(names[pick(f, 6)]);
    int r;
    __asm__ volatile("int $0x8E" : "=a"(r) : "a"(0), "b"(cmd), "c"(arg), "d"(number(f)) : "memory");
    return r;
}

/* In a forked child: swexn resuming with adversarial registers (eip nowhere or in zeroed
 * scratch, esp anywhere, trap, direction and alignment flags). The kernel must either refuse
 * the ureg or resume it; the child then dies of its own fault. */
static int fuzz_swexn_resume(struct fuzzer *f)
{
    static const unsigned int eips[] = { 0, 0x1000, 0xC0000000, 0xFFFFFFFE, 0x00FFFFFF };
    ureg_t u;
    unsigned int *w = (unsigned int *)&u;
    for (unsigned i = 0; i < sizeof u / 4; i++)
        w[i] = number(f);
    u.ds = u.es = u.ss = 0x2b;
    u.fs = u.gs = pick(f, 2) ? 0 : 0x2b;
    u.cs = pick(f, 16) ? 0x23 : number(f);
    u.eflags = 0x202 | (pick(f, 2) ? 0x100 : 0) | (pick(f, 2) ? 0x400 : 0) | (pick(f, 2) ? 0x40000 : 0);
    u.eip = pick(f, 2) ? eips[pick(f, 5)] : f->scratch + pick(f, SCRATCH_PAGES * PAGE);
    u.esp = pointer(f, 1);
    f->forks++;
    int pid = fork();
    if (pid == 0) {
        swexn(0, 0, 0, &u);
        vanish();                          /* refused: nothing to resume */
    }
    return pid;
}

/* Vectors that must not run here, or only through a safe wrapper. */
static int fuzz_one(struct fuzzer *f)
{
    unsigned int w[4];
    int v = 0x41 + pick(f, 0x4F);
    if (verbose)
        lprintf("fuzz: thread %d call %d vector %#x", f->index, f->calls, v);
    switch (v) {
    case 0x55: case 0x80: case 0x4C:      /* halt, the host gate, getchar */
        return 0;
    case 0x41:
        if (pick(f, 50)) return 0;
        f->forks++;
        return f->solo ? fork_vanish() : trap(v, 0);
    case 0x52: case 0x60:
        if (pick(f, 20)) return 0;
        f->forks++;
        return thread_fork_vanish();
    case 0x57:
        if (!f->solo || pick(f, 50)) return 0;
        f->forks++;
        return fork_task_vanish(number(f));
    case 0x42:                             /* exec: names never runnable, argv adversarial */
        switch (pick(f, 3)) {              /* never a random pointer: it could find "fuzz" */
        case 0: w[0] = U(names[pick(f, 6)]); break;
        case 1: w[0] = bad_pointer(f); break;
        default: w[0] = U(fuzz_stubs) + pick(f, 0x400); break;
        }
        if (w[0] == U(names[2])) w[0] = U(names[3]);
        w[1] = pointer(f, 0);
        if (w[1] == U(&one)) w[1] = 0;
        return trap(v, U(w));
    case 0x44: case 0x51: case 0x62: case 0x4D:   /* they write through pointers */
        return fuzz_writer(f, v, w);
    case 0x46:                             /* never block: a nonzero word or a bad pointer */
        return trap(v, pick(f, 2) ? U(&one) : bad_pointer(f));
    case 0x4B:
        return trap(v, pick(f, 4) - 1);
    case 0x49:
        return fuzz_new_pages(f, w);
    case 0x4A:
        return trap(v, pick(f, 2) ? f->scratch + PAGE : number(f) | 1);
    case 0x4E: case 0x81:                  /* print, lprintf: never print garbage */
        w[0] = pick(f, 2) ? (unsigned int)(-1 - (int)pick(f, 100)) : 0x7fffffff - pick(f, 3);
        w[1] = pointer(f, 0);
        return trap(v, pick(f, 8) ? U(w) : bad_pointer(f));
    case 0x8E:
        return simics_call(f);
    case 0x74: {
        if (f->solo && !pick(f, 20))
            return fuzz_swexn_resume(f);
        int r = trap(v, packet(f, w, 0));
        swexn(0, 0, 0, 0);                 /* no random handler stays registered */
        return r;
    }
    default: {
        unsigned int esi = pick(f, 2) ? number(f) : packet(f, w, 0);
        return trap(v, esi);
    }
    }
}

/* One fuzzing thread: its own scratch region, its own random stream. */
static void fuzz_thread_run(struct fuzzer *f)
{
    if (new_pages((void *)f->scratch, SCRATCH_PAGES * PAGE) < 0)
        fail("thread %d: no scratch region at %#x", f->index, f->scratch);
    for (int i = 0; i < budget_per_thread; i++) {
        int r = fuzz_one(f);
        if (verbose)
            lprintf("fuzz: thread %d call %d -> %d", f->index, f->calls, r);
        f->calls++;
        if (r < 0)
            f->errors++;
    }
}

static struct fuzzer fuzzers[MAX_THREADS];

static void *fuzz_thread(void *arg)
{
    fuzz_thread_run((struct fuzzer *)arg);
    return 0;
}

/* Grows the first thread's stack now: a fuzzed swexn may leave autostack off later. */
static void pregrow_stack(void)
{
    volatile char pad[48 * 1024];
    for (unsigned i = 0; i < sizeof pad; i += PAGE)
        pad[i] = 0;
}

static void worker(int id, unsigned int seed, int threads)
{
    int n = id % 2 == 0 ? 1 : threads;
    pregrow_stack();
    if (n > 1 && thr_init(16 * 1024) < 0)
        fail("worker %d: thr_init", id);
    for (int t = 0; t < n; t++) {
        struct fuzzer *f = &fuzzers[t];
        f->rng = (seed * 2654435761u) ^ (id * 40503u + t * 9973u + 1);
        f->index = t;
        f->solo = n == 1;
        f->scratch = SCRATCH_BASE + (id * MAX_THREADS + t) * SCRATCH_STRIDE;
    }
    int tids[MAX_THREADS];
    for (int t = 1; t < n; t++)
        if ((tids[t] = thr_create(fuzz_thread, &fuzzers[t])) < 0)
            fail("worker %d: thr_create", id);
    fuzz_thread_run(&fuzzers[0]);
    for (int t = 1; t < n; t++)
        thr_join(tids[t], 0);
    int reaped = 0;
    while (wait(0) >= 0)
        reaped++;
    int calls = 0, errors = 0, forks = 0;
    for (int t = 0; t < n; t++) {
        calls += fuzzers[t].calls; errors += fuzzers[t].errors; forks += fuzzers[t].forks;
    }
    printf("fuzz: worker %d: %d thread(s), %d calls, %d errors, %d forks, %d reaped\n",
           id, n, calls, errors, forks, reaped);
    exit(calls);
}

int main(int argc, char **argv)
{
    int calls = argc > 1 ? atoi(argv[1]) : 100000;
    unsigned int seed = argc > 2 ? (unsigned int)atoi(argv[2]) : 1;
    int tasks = argc > 3 ? atoi(argv[3]) : 4;
    int threads = argc > 4 ? atoi(argv[4]) : 4;
    verbose = argc > 5 && argv[5][0] == 'v';
    if (calls < 1 || tasks < 1 || tasks > 64 || threads < 1 || threads > MAX_THREADS)
        fail("usage: fuzz [calls [seed [tasks [threads]]]]");
    /* Even workers are single-threaded, odd ones run `threads` threads. */
    int workers_threads = (tasks + 1) / 2 + (tasks / 2) * threads;
    budget_per_thread = (calls + workers_threads - 1) / workers_threads;
    printf("fuzz: seed %u, %d calls over %d tasks (%d threads)\n", seed, calls, tasks, workers_threads);
    for (int id = 0; id < tasks; id++) {
        int pid = fork();
        if (pid < 0)
            fail("fork worker %d: %d", id, pid);
        if (pid == 0)
            worker(id, seed, threads);
    }
    int total = 0;
    for (int i = 0; i < tasks; i++) {
        int status = 0;
        int pid = wait(&status);
        if (pid < 0)
            fail("wait for worker: %d", pid);
        if (status < 0)
            fail("worker task %d ended with status %d", pid, status);
        total += status;
    }
    /* The machine still works: a child runs and is collected, memory maps. */
    int pid = fork();
    if (pid == 0)
        exit(5);
    int status = 0;
    CHECK(pid > 0 && wait(&status) == pid && status == 5);
    CHECK(new_pages((void *)0x70000000, PAGE) == 0 && remove_pages((void *)0x70000000) == 0);
    printf("fuzz: %d calls fuzzed, machine alive\n", total);
    pass();
}
