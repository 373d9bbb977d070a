/* sleep_ticks: sleep(n) blocks at least n ticks, sleep(0) returns, sleep(-1) fails. */
#define TEST_NAME "sleep_ticks"
#include "testlib.h"

int main(int argc, char **argv)
{
    unsigned int before, after;

    CHECK(sleep(-1) < 0);
    CHECK(sleep(0) == 0);
    before = get_ticks();
    CHECK(sleep(10) == 0);
    after = get_ticks();
    if (after - before < 10)
        fail("sleep(10) returned after %u ticks", after - before);
    pass();
}
