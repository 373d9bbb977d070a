/*
 * assert_fail: a failed assert prints the expression and file:line and
 * ends the task with status -1 (checked by whoever runs it: the line
 * "assertion failed: two == 3" and the status).
 */
#define TEST_NAME "assert_fail"
#include <assert.h>
#include "testlib.h"

int main(int argc, char **argv)
{
    volatile int two = 2;

    printf("assert_fail: asserting two == 3\n");
    assert(two == 3);
    fail("survived a failed assert");
}
