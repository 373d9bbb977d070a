/*
 * report.c: the 15-410 test-report calls (see report.h). Lines go to the
 * kernel log through lprintf, where the verdict logic of
 * `pebblebed run --report` reads them.
 */
#include <report.h>
#include <simics.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define PFX "(^_^)_"

static const char *start_words[] = {
    " START__TYPE_COMPLETE", " START__TYPE_ABORT", " START__TYPE_FOREVER",
};

void format_start(char *buf, int len, int type)
{
    const char *w = (type >= 0 && type <= START_4EVER) ? start_words[type] : " START__TYPE_UNKNOWN";
    snprintf(buf, len, "%s%s%s", PFX, test_name, w);
}

void report_start(int type)
{
    char buf[256];
    format_start(buf, sizeof(buf), type);
    lprintf("%s", buf);
}

void format_end(char *buf, int len, int type)
{
    snprintf(buf, len, "%s%s%s", PFX, test_name, type == END_SUCCESS ? " END__SUCCESS" : " END__FAIL");
}

void report_end(int type)
{
    char buf[256];
    format_end(buf, sizeof(buf), type);
    lprintf("%s", buf);
}

void format_misc(char *buf, int len, const char *msg)
{
    snprintf(buf, len, "%s%s%s", PFX, test_name, msg);
}

void report_misc(const char *msg)
{
    char buf[256];
    format_misc(buf, sizeof(buf), msg);
    lprintf("%s", buf);
}

void report_fmt(const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    report_misc(msg);
}

void format_err(char *buf, int len, const char *msg, int code)
{
    snprintf(buf, len, "%s%s%s (error %d)", PFX, test_name, msg, code);
}

void report_err(const char *msg, int code)
{
    char buf[256];
    format_err(buf, sizeof(buf), msg, code);
    lprintf("%s", buf);
}

void report_fatal(const char *msg, int code)
{
    report_err(msg, code);
    report_end(END_FAIL);
}

void report_on_err(const char *exp, int line, int v)
{
    if (v >= 0)
        return;
    lprintf("%s%sErr %d on line %d: `%s'", PFX, test_name, v, line, exp);
}

void fatal_on_err(const char *exp, int line, int v)
{
    if (v >= 0)
        return;
    report_on_err(exp, line, v);
    report_end(END_FAIL);
    exit(v);
}

void sim_fr_prog(int i)
{
    lprintf("%s%sprogress engaged (%d)", PFX, test_name, i);
}

void sim_fr_here(void)
{
    /* A forever test calls this in its loop; one log line per call would
     * flood the log, so only every 1024th is shown. */
    static unsigned int calls;
    if ((calls++ & 1023) == 0)
        lprintf("%s%sprogress", PFX, test_name);
}
