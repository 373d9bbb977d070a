/*
 * guard_args: every system call with bad arguments must return an error,
 * never fault the kernel and never kill the caller: NULL, low memory,
 * unmapped memory, read-only text for buffers the kernel writes, buffers
 * and strings that straddle into an unmapped page, packets that do, huge
 * and negative lengths, wrapping ranges. Calls that write must leave the
 * memory they refused untouched, and wait must not consume a child.
 * Prints "guard_args: N probes" and PASS.
 */
#define TEST_NAME "guard_args"
#include "testlib.h"
#include <stdlib.h>
#include <string.h>
#include <syscall_int.h>

/* One trap per vector: `int` needs the vector as an immediate. */
#define TRAP(v) \
    static int trap_##v(unsigned int esi) \
    { int r; __asm__ volatile("int $" #v : "=a"(r) : "S"(esi) : "memory"); return r; }
TRAP(0x42) TRAP(0x43) TRAP(0x44) TRAP(0x45) TRAP(0x46) TRAP(0x47) TRAP(0x49)
TRAP(0x4A) TRAP(0x4B) TRAP(0x4D) TRAP(0x4E) TRAP(0x4F) TRAP(0x50) TRAP(0x51)
TRAP(0x56) TRAP(0x58) TRAP(0x5A) TRAP(0x61) TRAP(0x62) TRAP(0x63) TRAP(0x70)
TRAP(0x74) TRAP(0x7F) TRAP(0x81)

#define U(p) ((unsigned int)(p))
#define PAGE 4096u
/* A one-page region whose next page is never mapped: the page edge. */
#define EDGE 0x50000000u
#define EDGE_END (EDGE + PAGE)
/* Made and removed again: certainly unmapped. */
#define GONE 0x40000000u

static int probes;
static unsigned int text;         /* read-only program text */
static unsigned int packet[8];    /* argument words for multi-argument calls */

static void expect_error(const char *what, int r)
{
    probes++;
    if (r >= 0)
        fail("%s returned %d, expected an error", what, r);
}

/* A packet at p: n words copied there (p may be the edge region). */
static unsigned int put(unsigned int p, int n, unsigned int a, unsigned int b,
                        unsigned int c, unsigned int d)
{
    unsigned int w[4] = { a, b, c, d };
    memcpy((void *)p, w, n * 4);
    return p;
}
static unsigned int pk(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
    return put(U(packet), 4, a, b, c, d);
}

/* Addresses that are never a valid buffer of `len` bytes. */
static unsigned int bad_ptrs[8];
static int nbad;
static void make_bad_ptrs(unsigned int len)
{
    nbad = 0;
    bad_ptrs[nbad++] = 0;                      /* NULL */
    bad_ptrs[nbad++] = 0x1000;                 /* low memory ("kernel") */
    bad_ptrs[nbad++] = 0x00FFFFFF & ~3u;       /* straddles the start of user memory */
    bad_ptrs[nbad++] = GONE;                   /* unmapped */
    bad_ptrs[nbad++] = len > 1 ? EDGE_END - (len - 1) : EDGE_END;   /* straddles the edge */
    if (len > 1)
        bad_ptrs[nbad++] = 0xFFFFFFFF;         /* wraps around 4 GiB (1 byte there is fine) */
}

static void setup(void)
{
    text = U(&setup);
    if (new_pages((void *)GONE, PAGE) < 0 || remove_pages((void *)GONE) < 0)
        fail("cannot make the unmapped probe page");
    if (new_pages((void *)EDGE, PAGE) < 0)
        fail("cannot map the edge page");
    memset((void *)EDGE, 'a', PAGE);           /* a string with no NUL before the edge */
}

/* Bad packets: %esi itself NULL, unmapped, or with only part of the packet mapped. */
static void bad_packets(const char *name, int (*trap)(unsigned int), int words)
{
    char what[64];
    unsigned int ps[4] = { 0, GONE, EDGE_END - 4 * (words - 1), 0x00FFFFFC };
    for (int i = 0; i < 4; i++) {
        if (ps[i] == EDGE_END - 4 * (words - 1))
            put(ps[i], words - 1, 0, 0, 0, 0);
        snprintf(what, sizeof what, "%s packet %#x", name, ps[i]);
        expect_error(what, trap(ps[i]));
    }
}

static void check_exec(void)
{
    static char *argv_ok[] = { "guard_args", 0 };
    static char bigname[300];
    char what[64];
    bad_packets("exec", trap_0x42, 2);
    make_bad_ptrs(1);
    for (int i = 0; i < nbad; i++) {
        snprintf(what, sizeof what, "exec name %#x", bad_ptrs[i]);
        expect_error(what, trap_0x42(pk(bad_ptrs[i], U(argv_ok), 0, 0)));
        snprintf(what, sizeof what, "exec argv %#x", bad_ptrs[i]);
        expect_error(what, trap_0x42(pk(U("hello"), bad_ptrs[i], 0, 0)));
        if (bad_ptrs[i] == 0)
            continue;                          /* {"hello", NULL} is a valid argv */
        unsigned int argv_bad[3] = { U("hello"), bad_ptrs[i], 0 };
        snprintf(what, sizeof what, "exec argv[1] %#x", bad_ptrs[i]);
        expect_error(what, trap_0x42(pk(U("hello"), U(argv_bad), 0, 0)));
    }
    expect_error("exec name straddling", trap_0x42(pk(EDGE, U(argv_ok), 0, 0)));
    expect_error("exec name no such program", trap_0x42(pk(U("no_such_program"), U(argv_ok), 0, 0)));
    expect_error("exec name empty", trap_0x42(pk(U(""), U(argv_ok), 0, 0)));
    expect_error("exec not an executable", trap_0x42(pk(U("readme.txt"), U(argv_ok), 0, 0)));
    memset(bigname, 'x', sizeof bigname - 1);
    expect_error("exec name too long", trap_0x42(pk(U(bigname), U(argv_ok), 0, 0)));
    /* An argv array with no terminating NULL before the edge. */
    unsigned int *arr = (unsigned int *)(EDGE_END - 8);
    arr[0] = U("hello"); arr[1] = U("x");
    expect_error("exec argv straddling", trap_0x42(pk(U("hello"), U(arr), 0, 0)));
    memset((void *)EDGE, 'a', PAGE);           /* the array above put NULs near the edge */
    expect_error("exec argv[1] straddling string", trap_0x42(pk(U("hello"), put(U(packet) + 16, 3, U("hello"), EDGE, 0, 0), 0, 0)));
    memset((void *)EDGE, 'a', PAGE);
}

/* Pointers the kernel must refuse to write 4 bytes to. */
static void make_bad_outs(void)
{
    make_bad_ptrs(4);
    bad_ptrs[nbad++] = text;                   /* read-only */
}

static void check_wait(void)
{
    char what[64];
    int pid = fork();
    if (pid == 0) { sleep(5); exit(42); }
    CHECK(pid > 0);
    make_bad_outs();
    for (int i = 0; i < nbad; i++) {
        if (bad_ptrs[i] == 0)
            continue;                          /* NULL means "do not store": valid */
        snprintf(what, sizeof what, "wait status %#x", bad_ptrs[i]);
        expect_error(what, trap_0x44(bad_ptrs[i]));
    }
    int status = 0;
    CHECK(wait(&status) == pid);               /* the child was not consumed */
    CHECK(status == 42);
    expect_error("wait with no children", trap_0x44(0));
}

static void check_scheduling(void)
{
    char what[64];
    int tids[] = { -2, 0, 0x7fffffff, (int)0x80000000, 99999 };
    for (unsigned i = 0; i < sizeof tids / sizeof *tids; i++) {
        snprintf(what, sizeof what, "yield %d", tids[i]);
        expect_error(what, trap_0x45(tids[i]));
        snprintf(what, sizeof what, "make_runnable %d", tids[i]);
        expect_error(what, trap_0x47(tids[i]));
    }
    expect_error("make_runnable self", trap_0x47(gettid()));
    make_bad_ptrs(4);
    for (int i = 0; i < nbad; i++) {
        snprintf(what, sizeof what, "deschedule %#x", bad_ptrs[i]);
        expect_error(what, trap_0x46(bad_ptrs[i]));
    }
    expect_error("sleep -1", trap_0x4B(-1));
    expect_error("sleep INT_MIN", trap_0x4B(0x80000000));
}

static void check_memory(void)
{
    char what[64];
    bad_packets("new_pages", trap_0x49, 2);
    struct { unsigned int base; unsigned int len; } np[] = {
        { 0, PAGE }, { 0x1000, PAGE }, { 0x00FFF000, 2 * PAGE }, { 0x20000001, PAGE },
        { 0x20000000, 0 }, { 0x20000000, (unsigned)-PAGE }, { 0x20000000, 100 },
        { 0x20000000, 0x7FFFF000 }, { 0xFFFFF000, 2 * PAGE }, { EDGE, PAGE },
        { EDGE - PAGE, 2 * PAGE }, { text & ~(PAGE - 1), PAGE }, { 0x80000000, 0x80000000 },
    };
    for (unsigned i = 0; i < sizeof np / sizeof *np; i++) {
        snprintf(what, sizeof what, "new_pages %#x %#x", np[i].base, np[i].len);
        expect_error(what, trap_0x49(pk(np[i].base, np[i].len, 0, 0)));
    }
    unsigned int rp[] = { 0, 0x1000, EDGE + 1, EDGE_END, GONE, text & ~(PAGE - 1), 0xFFFFF000 };
    for (unsigned i = 0; i < sizeof rp / sizeof *rp; i++) {
        snprintf(what, sizeof what, "remove_pages %#x", rp[i]);
        expect_error(what, trap_0x4A(rp[i]));
    }
    CHECK(new_pages((void *)0x20000000, 2 * PAGE) == 0);
    expect_error("remove_pages middle of a region", trap_0x4A(0x20000000 + PAGE));
    CHECK(remove_pages((void *)0x20000000) == 0);
    expect_error("remove_pages twice", trap_0x4A(0x20000000));
}

/* {size, buf} calls: readline (writes buf), print and lprintf (read it). */
static void check_sized(const char *name, int (*trap)(unsigned int), int writes)
{
    char what[64];
    bad_packets(name, trap, 2);
    int sizes[] = { -1, (int)0x80000000, 0x7fffffff, 0x10000000 };
    for (unsigned i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        snprintf(what, sizeof what, "%s size %d", name, sizes[i]);
        expect_error(what, trap(pk(sizes[i], EDGE, 0, 0)));
    }
    make_bad_ptrs(16);
    if (writes)
        bad_ptrs[nbad++] = text;
    for (int i = 0; i < nbad; i++) {
        snprintf(what, sizeof what, "%s buf %#x", name, bad_ptrs[i]);
        expect_error(what, trap(pk(16, bad_ptrs[i], 0, 0)));
    }
}

static void check_console(void)
{
    char what[64];
    int colors[] = { -1, 0x100, (int)0x80000000 };
    for (unsigned i = 0; i < sizeof colors / sizeof *colors; i++) {
        snprintf(what, sizeof what, "set_term_color %#x", colors[i]);
        expect_error(what, trap_0x4F(colors[i]));
    }
    bad_packets("set_cursor_pos", trap_0x50, 2);
    int rc[][2] = { { -1, 0 }, { 25, 0 }, { 0, -1 }, { 0, 80 }, { 0x7fffffff, 0x7fffffff } };
    for (unsigned i = 0; i < sizeof rc / sizeof *rc; i++) {
        snprintf(what, sizeof what, "set_cursor_pos %d %d", rc[i][0], rc[i][1]);
        expect_error(what, trap_0x50(pk(rc[i][0], rc[i][1], 0, 0)));
    }
    bad_packets("get_cursor_pos", trap_0x51, 2);
    static int row, col;
    make_bad_outs();
    for (int i = 0; i < nbad; i++) {
        snprintf(what, sizeof what, "get_cursor_pos row %#x", bad_ptrs[i]);
        expect_error(what, trap_0x51(pk(bad_ptrs[i], U(&col), 0, 0)));
        snprintf(what, sizeof what, "get_cursor_pos col %#x", bad_ptrs[i]);
        expect_error(what, trap_0x51(pk(U(&row), bad_ptrs[i], 0, 0)));
    }
}

static void check_readfile(void)
{
    char what[64];
    static char buf[64];
    bad_packets("readfile", trap_0x62, 4);
    make_bad_ptrs(1);
    for (int i = 0; i < nbad; i++) {
        snprintf(what, sizeof what, "readfile name %#x", bad_ptrs[i]);
        expect_error(what, trap_0x62(pk(bad_ptrs[i], U(buf), 16, 0)));
    }
    expect_error("readfile name straddling", trap_0x62(pk(EDGE, U(buf), 16, 0)));
    expect_error("readfile no such file", trap_0x62(pk(U("no_such_file"), U(buf), 16, 0)));
    expect_error("readfile count -1", trap_0x62(pk(U("readme.txt"), U(buf), -1, 0)));
    expect_error("readfile offset -1", trap_0x62(pk(U("readme.txt"), U(buf), 16, -1)));
    expect_error("readfile offset past end", trap_0x62(pk(U("readme.txt"), U(buf), 16, 0x7fffffff)));
    make_bad_ptrs(16);
    bad_ptrs[nbad++] = text;
    for (int i = 0; i < nbad; i++) {
        snprintf(what, sizeof what, "readfile buf %#x", bad_ptrs[i]);
        expect_error(what, trap_0x62(pk(U("readme.txt"), bad_ptrs[i], 16, 0)));
    }
    /* A huge count into a buffer that straddles the edge: refused, and nothing written. */
    char *tail = (char *)(EDGE_END - 16);
    memset(tail, 'z', 16);
    expect_error("readfile straddling huge count", trap_0x62(pk(U("readme.txt"), U(tail), 0x7fffffff, 0)));
    for (int i = 0; i < 16; i++)
        CHECK(tail[i] == 'z');
}

static void check_swexn(void)
{
    char what[64];
    static ureg_t u;
    static char stack[256];
    bad_packets("swexn", trap_0x74, 4);
    make_bad_ptrs(sizeof(ureg_t));
    for (int i = 0; i < nbad; i++) {
        if (bad_ptrs[i] == 0)
            continue;                          /* NULL newureg: just (de)register */
        snprintf(what, sizeof what, "swexn newureg %#x", bad_ptrs[i]);
        expect_error(what, trap_0x74(pk(0, 0, 0, bad_ptrs[i])));
    }
    expect_error("swexn eip low", trap_0x74(pk(U(stack + 256), 0x1000, 0, 0)));
    expect_error("swexn esp3 low", trap_0x74(pk(0x1000, text, 0, 0)));
    memset(&u, 0, sizeof u);
    u.ds = u.es = u.ss = 0x2b; u.cs = 0x23; u.eflags = 0x202; u.eip = text; u.esp = U(stack + 256);
    u.cs = 0x33;
    expect_error("swexn newureg 64-bit cs", trap_0x74(pk(0, 0, 0, U(&u))));
    u.cs = 0x23; u.eflags = 0x3202;            /* IOPL 3 */
    expect_error("swexn newureg iopl", trap_0x74(pk(0, 0, 0, U(&u))));
    u.eflags = 0x202; u.ss = 0x23;
    expect_error("swexn newureg ss", trap_0x74(pk(0, 0, 0, U(&u))));
}

static void check_unknown(void)
{
    char what[64];
    int (*traps[])(unsigned int) = { trap_0x43, trap_0x56, trap_0x58, trap_0x5A, trap_0x61, trap_0x63, trap_0x70, trap_0x7F };
    for (unsigned i = 0; i < sizeof traps / sizeof *traps; i++) {
        snprintf(what, sizeof what, "unknown vector #%u", i);
        expect_error(what, traps[i](U(packet)));
    }
}

int main(int argc, char **argv)
{
    setup();
    check_exec();
    check_wait();
    check_scheduling();
    check_memory();
    check_sized("readline", trap_0x4D, 1);
    check_sized("print", trap_0x4E, 0);
    check_sized("lprintf", trap_0x81, 0);
    check_console();
    check_readfile();
    check_swexn();
    check_unknown();
    printf("guard_args: %d probes\n", probes);
    pass();
}
