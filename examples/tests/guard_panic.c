/*
 * guard_panic MODE: asks the kernel to panic through the debug-only vector
 * 0x8F (enabled by `pebblebed run --debug-panic-vector`): 0 a broken
 * invariant, 1 a bad pointer read in the kernel, 2 a Swift runtime trap,
 * 3 a kernel stack overflow, 4 a scheduler invariant check (kernelAssert)
 * that fails. With the vector enabled the machine must stop
 * with a panic report and exit code 70, so PASS is never printed; without
 * it the call is an unknown vector and must return an error.
 */
#define TEST_NAME "guard_panic"
#include "testlib.h"
#include <stdlib.h>

int main(int argc, char **argv)
{
    int mode = argc > 1 ? atoi(argv[1]) : 0;
    int ret;

    printf("guard_panic: mode %d\n", mode);
    __asm__ volatile("int $0x8F" : "=a"(ret) : "S"(mode) : "memory");
    printf("guard_panic: vector 0x8F returned %d\n", ret);
    CHECK(ret < 0);
    pass();
}
