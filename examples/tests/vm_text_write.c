/*
 * vm_text_write: a write into the program's text or read-only data kills
 * the writer (status -2) and changes nothing; a system call asked to write
 * there returns an error instead of killing or writing.
 */
#define TEST_NAME "vm_text_write"
#include <stdlib.h>
#include "testlib.h"

int main(int argc, char **argv);

static const char rodata[] = "constant";

static int run_child(void (*body)(void))
{
    int tid = fork(), status = 0;

    if (tid == 0) {
        body();
        exit(0);                       /* must not get here */
    }
    CHECK(tid > 0);
    CHECK(wait(&status) == tid);
    return status;
}

static void write_text(void) { *(volatile char *)(void *)main = 0x90; }
static void write_rodata(void) { *(volatile char *)rodata = 'X'; }

int main(int argc, char **argv)
{
    unsigned char before = *(volatile unsigned char *)(void *)main;

    CHECK(run_child(write_text) == -2);
    CHECK(run_child(write_rodata) == -2);
    CHECK(*(volatile unsigned char *)(void *)main == before);
    CHECK(rodata[0] == 'c');
    /* The kernel's own writes are validated: an error, not a kill. */
    CHECK(readfile("vm_text_write", (char *)(void *)main, 16, 0) < 0);
    CHECK(readfile("vm_text_write", (char *)rodata, 4, 0) < 0);
    CHECK(*(volatile unsigned char *)(void *)main == before);
    CHECK(rodata[0] == 'c');
    pass();
}
