/* p410_abort_halt: an abort-type 15-410 test that ends by halting the
 * machine before its END line; `--report` must judge it passed. */
#include <syscall.h>
#include <stdlib.h>
#include "410_tests.h"

DEF_TEST_NAME("p410_abort_halt:");

int main(void)
{
    REPORT_LOCAL_INIT;
    REPORT_START_ABORT;
    halt();
    REPORT_END_FAIL;   /* not reached */
    exit(1);
}
