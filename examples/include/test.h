/*
 * test.h: the test-support header of 15-410 test programs: the report
 * macros and calls (410_tests.h, report.h), the simulator helpers
 * (simics.h) and the system calls, in one include. Safe to include from
 * assembly (.S): only the constants are left then.
 */
#ifndef _TEST_H
#define _TEST_H

#include <syscall.h>
#include <simics.h>
#include <410_tests.h>

#endif /* _TEST_H */
