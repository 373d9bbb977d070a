/*
 * explore_data_symbol: a variable named like a thread-library function is
 * not patched.
 *
 * Under explore (or a replayed schedule) the kernel plants an int3 over the
 * first byte of every thread-library function it finds by name. A program
 * may have a variable of such a name (this test's library has no rwlocks,
 * so nothing else defines rwlock_downgrade): planted, its first byte would
 * read 0xCC. It must keep its value. Prints PASS.
 */
#define TEST_NAME "explore_data_symbol"
#include <stdio.h>
#include "testlib.h"

volatile int rwlock_downgrade = 0x12345678;   /* initialized: in .data, with file contents */

int main(void)
{
    if (rwlock_downgrade != 0x12345678)
        fail("rwlock_downgrade is %08x, not 12345678: a variable was patched as code", rwlock_downgrade);
    pass();
}
