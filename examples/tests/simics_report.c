/*
 * simics_report: a 15-410-style test program whose report lines drive
 * `pebblebed run --report`. argv[1] picks the path:
 *   complete      START__TYPE_COMPLETE, END__SUCCESS               (pass)
 *   fail          START__TYPE_COMPLETE, END__FAIL                  (fail)
 *   hang          START__TYPE_COMPLETE, then sleeps forever        (fail at the timeout)
 *   abort         START__TYPE_ABORT, then writes to NULL           (pass: killed)
 *   abortfail     START__TYPE_ABORT, END__FAIL, then writes to NULL (fail)
 *   survive       START__TYPE_ABORT, then exits before an END line (pass: it ended)
 *   forever       START__TYPE_FOREVER, then loops                  (pass at the timeout)
 *   foreverexit   START__TYPE_FOREVER, then exits                  (fail)
 *   lprintf       the complete path, reported through lprintf      (pass)
 *   silent        no report lines at all                           (fail)
 * Like 410's test_name, the name carries its colon.
 */
#include <stdio.h>
#include <string.h>
#include <syscall.h>
#include <simics.h>
#include "simics_lib.h"

static const char test_name[] = "simics_report:";

static void report(const char *what, int use_lprintf)
{
    char line[128];

    snprintf(line, sizeof(line), "(^_^)_%s %s", test_name, what);
    if (use_lprintf)
        lprintf("%s", line);
    else
        sim_puts(line);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "complete";

    if (!strcmp(mode, "complete") || !strcmp(mode, "lprintf")) {
        int l = !strcmp(mode, "lprintf");
        report("START__TYPE_COMPLETE", l);
        report("END__SUCCESS", l);
    } else if (!strcmp(mode, "fail")) {
        report("START__TYPE_COMPLETE", 0);
        report("END__FAIL", 0);
    } else if (!strcmp(mode, "hang")) {
        report("START__TYPE_COMPLETE", 0);
        for (;;)
            sleep(100);
    } else if (!strcmp(mode, "abort") || !strcmp(mode, "abortfail")) {
        report("START__TYPE_ABORT", 0);
        if (!strcmp(mode, "abortfail"))
            report("END__FAIL", 0);
        *(volatile int *)0 = 1;
        report("END__FAIL", 0);
    } else if (!strcmp(mode, "survive")) {
        report("START__TYPE_ABORT", 0);
    } else if (!strcmp(mode, "forever") || !strcmp(mode, "foreverexit")) {
        report("START__TYPE_FOREVER", 0);
        while (strcmp(mode, "forever") == 0)
            yield(-1);
    } else if (strcmp(mode, "silent") != 0) {
        printf("simics_report: unknown mode %s\n", mode);
        return 2;
    }
    return 0;
}
