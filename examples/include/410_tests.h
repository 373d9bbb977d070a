/*
 * 410_tests.h: the macros 15-410 test programs are written with, over
 * report.h. Provided so that those programs build here unchanged.
 */
#ifndef _410_TESTS_H_
#define _410_TESTS_H_

#define TEST_START_CMPLT " START__TYPE_COMPLETE"
#define TEST_START_ABORT " START__TYPE_ABORT"
#define TEST_START_4EVER " START__TYPE_FOREVER"
#define TEST_START_4EVER_PROGRESS " START__TYPE_FOREVER_PROGRESS"
#define TEST_END_SUCCESS " END__SUCCESS"
#define TEST_END_FAIL    " END__FAIL"
#define TEST_PFX "(^_^)_"

#include <simics.h>

#if !defined(ASSEMBLER) && !defined(__ASSEMBLER__)
#include <report.h>

#define DEF_TEST_NAME(x) const char *test_name = x

#define REPORT_START_CMPLT  report_start(START_CMPLT)
#define REPORT_START_ABORT  report_start(START_ABORT)
#define REPORT_START_4EVER  report_start(START_4EVER)
#define REPORT_END_SUCCESS  report_end(END_SUCCESS)
#define REPORT_END_FAIL     report_end(END_FAIL)

#define REPORT_LOCAL_INIT
#define REPORT_MISC(x)              report_misc(x)
#define REPORT_ERR(x, code)         report_err(x, code)
#define REPORT_FAIL_ERR(x, code)    report_fatal(x, code)
#define REPORT_ON_ERR(exp)          report_on_err(#exp, __LINE__, exp)
#define REPORT_FAILOUT_ON_ERR(exp)  fatal_on_err(#exp, __LINE__, exp)

#define TEST_PROG_ENGAGE(i) sim_fr_prog(i)
#define TEST_PROG_PROGRESS  sim_fr_here()
#endif /* !ASSEMBLER */

#endif /* _410_TESTS_H_ */
