/*
 * report.h: the 15-410 test-report interface (410user/libtest), so existing
 * 410 test programs compile unchanged. Each call writes one line to the
 * host's kernel log in the harness format, e.g.
 *     (^_^)_exec_basic: START__TYPE_COMPLETE
 *     (^_^)_exec_basic: END__SUCCESS
 * which `pebblebed run --report` turns into a verdict and an exit code.
 * Safe to include from assembly (.S): the declarations are then left out.
 */
#ifndef _REPORT_H
#define _REPORT_H

#if !defined(ASSEMBLER) && !defined(__ASSEMBLER__)

/* Defined by each test with DEF_TEST_NAME("name:") (see 410_tests.h). */
extern const char *test_name;

enum {
    START_CMPLT = 0,   /* passes with END__SUCCESS */
    START_ABORT = 1,   /* passes when the task ends (killed, panic, halt) before an END line */
    START_4EVER = 2,   /* passes if the machine is alive at the timeout */
};

enum {
    END_SUCCESS = 0,
    END_FAIL = 1,
};

void format_start(char *buf, int len, int type);
void report_start(int type);
void format_end(char *buf, int len, int type);
void report_end(int type);
void format_misc(char *buf, int len, const char *msg);
void report_misc(const char *msg);
void report_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void format_err(char *buf, int len, const char *msg, int code);
void report_err(const char *msg, int code);
void report_fatal(const char *msg, int code);
void report_on_err(const char *exp, int line, int v);
void fatal_on_err(const char *exp, int line, int v);

/* Progress marks of "forever" tests (Simics' frame-progress hooks). */
void sim_fr_prog(int i);
void sim_fr_here(void);

#endif /* !ASSEMBLER */

#endif /* _REPORT_H */
