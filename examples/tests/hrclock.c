/* hrclock: the Pebblebed benchmark clock extension (int $0x82, see
 * Sources/Pebblebed/Syscalls/Kernel+PebblebedCalls.swift): stores wall and CPU
 * nanoseconds, both advancing; a bad or read-only buffer gives -1 and stores
 * nothing. */
#define TEST_NAME "hrclock"
#include "testlib.h"

static unsigned long long buf[3];

static int clock_call(void *p)
{
    int r;

    __asm__ volatile("int $0x82" : "=a"(r) : "S"(p) : "memory");
    return r;
}

int main(void)
{
    unsigned long long before_wall, before_cpu;
    volatile unsigned int spin = 0;
    int i;

    buf[2] = 0x1234;
    CHECK(clock_call(buf) == 0);
    CHECK(buf[0] > 0 && buf[1] > 0 && buf[2] == 0x1234);
    before_wall = buf[0];
    before_cpu = buf[1];
    for (i = 0; i < 20000000; i++)
        spin += i;
    CHECK(clock_call(buf) == 0);
    CHECK(buf[0] > before_wall);
    CHECK(buf[1] > before_cpu);
    CHECK(clock_call(NULL) == -1);
    CHECK(clock_call((void *)0xFFFFFFF8) == -1);          /* runs past the end of memory */
    CHECK(clock_call((void *)main) == -1);                /* text is read-only */
    CHECK(clock_call((char *)buf + 1) == 0);              /* unaligned is fine */
    pass();
}
