/*
 * libc_guest: the libc pieces that need the kernel, run as a guest: long
 * printf output (more than one print call), lprintf, 64-bit arithmetic,
 * a large malloc that grows the heap by many pages, strdup/realloc, and
 * panic-free error paths of the string conversions.
 */
#define TEST_NAME "libc_guest"
#include <simics.h>
#include <stdlib.h>
#include <string.h>
#include "testlib.h"

static void test_long_printf(void)
{
    char line[601];
    int n;

    memset(line, '=', 600);
    line[600] = '\0';
    n = printf("%s\n", line);               /* 601 bytes: three print calls */
    CHECK(n == 601);
}

static void test_lprintf(void)
{
    CHECK(lprintf("libc_guest: a line for the host log, %d + %d = %d", 2, 2, 4) >= 0);
    MAGIC_BREAK;                             /* only logs in Pebblebed */
}

static void test_64bit(void)
{
    volatile unsigned long long big = 0xFEDCBA9876543210ULL;
    volatile long long neg = -1234567890123456789LL;
    char buf[64];

    CHECK(big / 1000 == 18364758544493064ULL);
    CHECK(big % 0x123456789ULL == 2522100240ULL);
    CHECK(neg / 987654321 == -1249999988LL);
    snprintf(buf, sizeof(buf), "%llu %lld", big, neg);
    CHECK(strcmp(buf, "18364758544493064720 -1234567890123456789") == 0);
}

static void test_heap(void)
{
    char *big = malloc(4 << 20), *s, *t;
    int i;

    CHECK(big != NULL);
    for (i = 0; i < (4 << 20); i += 4096)
        big[i] = (char)i;
    for (i = 0; i < (4 << 20); i += 4096)
        CHECK(big[i] == (char)i);
    free(big);
    s = strdup("pebbles");
    CHECK(s != NULL && strcmp(s, "pebbles") == 0);
    t = realloc(s, 100000);
    CHECK(t != NULL && strcmp(t, "pebbles") == 0);
    free(t);
    CHECK(malloc(0x7ffffff0) == NULL);
}

int main(int argc, char **argv)
{
    test_long_printf();
    test_lprintf();
    test_64bit();
    test_heap();
    CHECK(strtol("junk", NULL, 10) == 0 && atoi("-42") == -42);
    pass();
}
