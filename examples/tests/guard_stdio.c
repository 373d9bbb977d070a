/*
 * guard_stdio: what a guest sees through the keyboard, the console and the
 * kernel log when the emulator's stdin, stdout or stderr was closed by its
 * parent (issue 17, 2). Those must behave as /dev/null, never as the memfd
 * behind physical memory.
 *   guard_stdio read   reads a line; with stdin closed input must end at
 *                      once (the machine halts), never return bytes.
 *   guard_stdio write  prints and logs 64 KiB, then checks that fresh zero
 *                      pages (bss, new_pages, a forked child's) are all zero;
 *                      exits 0 when they are, 3 when printed bytes leaked in.
 *   guard_stdio log N  logs N numbered lines (the kernel log's bound).
 */
#define TEST_NAME "guard_stdio"
#include "testlib.h"
#include <simics.h>
#include <string.h>
#include <stdlib.h>

#define SPAN (64 * 1024)
static char fresh[SPAN];        /* bss: zero-fill-on-demand from the zero frame */
static char line[SPAN / 16];

static int all_zero(const char *p, int n)
{
    int i;
    for (i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    int i, status;
    char *pages = (char *)0x40000000;

    if (argc > 1 && strcmp(argv[1], "read") == 0) {
        int n = readline(sizeof line - 1, line);
        if (n > 0) {
            line[n] = 0;
            printf("guard_stdio: read %d bytes: %s\n", n, line);
        }
        task_vanish(n > 0 ? 4 : 0);
    }
    if (argc > 2 && strcmp(argv[1], "log") == 0) {
        int n = atoi(argv[2]);
        for (i = 0; i < n; i++)
            lprintf("guard_stdio: log line %d of %d", i + 1, n);
        task_vanish(0);
    }
    memset(line, 'X', sizeof line - 1);
    line[sizeof line - 1] = 0;
    for (i = 0; i < SPAN / (int)(sizeof line - 1); i++) {
        print(sizeof line - 1, line);
        lprintf("%s", line);
    }
    if (!all_zero(fresh, SPAN))
        task_vanish(3);
    if (new_pages(pages, SPAN) != 0)
        task_vanish(5);
    if (!all_zero(pages, SPAN))
        task_vanish(3);
    if (fork() == 0) {
        static char child_fresh[SPAN];
        task_vanish(all_zero(child_fresh, SPAN) ? 0 : 3);
    }
    if (wait(&status) < 0)
        task_vanish(6);
    printf("PASS guard_stdio\n");
    task_vanish(status);
}
