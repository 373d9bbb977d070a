/* p410_abort_panic: an abort-type 15-410 test ended by the library's own
 * panic (task_vanish) before its END line; `--report` must judge it passed.
 * With an argument it reaches its END line instead, and must fail. */
#include <syscall.h>
#include <stdlib.h>
#include "410_tests.h"

DEF_TEST_NAME("p410_abort_panic:");

int main(int argc, char **argv)
{
    REPORT_LOCAL_INIT;
    REPORT_START_ABORT;
    if (argc < 2)
        panic("p410_abort_panic: the library gives up, as expected");
    REPORT_END_FAIL;
    exit(1);
}
