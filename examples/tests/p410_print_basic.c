/* p410_print_basic: a 15-410-style test written with 410_tests.h and
 * report.h exactly as the course's tests are, to show they build and report
 * here unchanged. */
#include <syscall.h>
#include <stdlib.h>
#include <stdio.h>
#include "410_tests.h"

DEF_TEST_NAME("p410_print_basic:");

int main(void)
{
    REPORT_LOCAL_INIT;
    REPORT_START_CMPLT;
    REPORT_ON_ERR(print(13, "Hello World!\n"));
    if (print(13, "Hello World!\n") != 0)
        REPORT_END_FAIL;
    else
        REPORT_END_SUCCESS;
    exit(0);
}
