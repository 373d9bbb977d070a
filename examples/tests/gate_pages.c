/*
 * gate_pages: what a guest sees at the system-call gate's pages,
 * 0x00FF0000..0x01000000 and 0x00FD0000..0x00FE0000 (Machine/README.md, "What a guest can see of the
 * gate"). On a host without protection keys they cannot be made unreadable
 * while the far jump still lands there, so the behaviour is defined instead:
 * - reads give the gate's bytes, the same in every address space and with or
 *   without --no-fastcall (the pages are mapped from boot either way): entry
 *   k = 4 * vector + shape at 0x00FF0000 + 16k, thunk k at 0x00FF8000 + 16k,
 *   int3 fill between; the frame-pointer shapes 4-7 in a second bank of the
 *   same layout at 0x00FD0000..0x00FE0000 (4 * vector + shape - 4);
 * - a write there, and any other access below 0x00FF0000, kills the writer
 *   with the page fault named, as anywhere else below user memory.
 */
#define TEST_NAME "gate_pages"
#include "testlib.h"

static void show(const char *what, unsigned int address, int count)
{
    const volatile unsigned char *p = (const volatile unsigned char *)address;
    int i;

    printf("gate_pages: %s at %#x:", what, address);
    for (i = 0; i < count; i++) printf(" %02x", p[i]);
    printf("\n");
}

static unsigned int target;

static void child_write(void) { *(volatile unsigned char *)target = 0x90; }
static void child_read(void) { (void)*(volatile unsigned char *)target; }

static void expect_killed(void (*child)(void), unsigned int address, const char *what)
{
    int pid, status = 0;

    target = address;
    pid = fork();
    if (pid == 0) { child(); printf("gate_pages: %s %#x survived\n", what, address); vanish(); }
    CHECK(pid > 0);
    CHECK(wait(&status) == pid);
    if (status != -2) fail("%s %#x: child ended with status %d, not killed", what, address, status);
    printf("gate_pages: %s %#x: killed\n", what, address);
}

int main(int argc, char **argv)
{
    /* gettid (0x48), shape 0: entry 0x120, thunk 0x120. */
    show("gettid's entry", 0x00FF0000u + 0x120u * 16u, 11);
    show("gettid's thunk", 0x00FF8000u + 0x120u * 16u, 9);
    /* gettid, shape 4 (push %ebp; ...; int; pop %ebp; ret): bank 1's thunk
     * 0x120, 0x20000 below bank 0's, far-jumping to bank 1's entry 0x120. */
    show("gettid's frame-pointer thunk", 0x00FD8000u + 0x120u * 16u, 10);
    show("fill", 0x00FF7FF0u, 4);
    show("last byte", 0x00FFFFFFu, 1);
    expect_killed(child_write, 0x00FF9200u, "write");
    expect_killed(child_write, 0x00FF0000u, "write");
    expect_killed(child_read, 0x00FEFFFFu, "read");
    pass();
}
