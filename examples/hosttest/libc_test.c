/*
 * libc_test.c: host-side unit tests of the pure libc pieces (printf
 * formatting, strtol, string functions, 64-bit division, malloc), run by
 * `make -C examples check`. It is built exactly like a guest (i386,
 * freestanding, the same sources) but runs as a plain Linux process: the
 * few system calls the tested code makes are provided here on top of the
 * Linux i386 system call gate (int $0x80), so no Pebbles kernel is needed.
 */
#include <stdarg.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syscall.h>

/* ---- Linux i386 shims for the system calls the libc uses -------------- */

static int linux3(int nr, int a, int b, int c)
{
    int ret;

    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

static int linux_mmap2(unsigned int addr, unsigned int len)
{
    int ret;
    /* PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE */
    register int flags __asm__("esi") = 0x02 | 0x20 | 0x100000;
    register int fd __asm__("edi") = -1;

    __asm__ volatile("push %%ebp; xor %%ebp, %%ebp; int $0x80; pop %%ebp"
                     : "=a"(ret)
                     : "a"(192), "b"(addr), "c"(len), "d"(3), "r"(flags), "r"(fd)
                     : "memory");
    return ret;
}

int print(int size, char *buf) { return linux3(4, 1, (int)buf, size); }
int _pb_log(int len, char *buf) { return linux3(4, 2, (int)buf, len); }
void set_status(int status) { (void)status; }

static int exit_status;

void vanish(void)
{
    for (;;)
        linux3(1, exit_status, 0, 0);
}

void task_vanish(int status)
{
    for (;;)
        linux3(1, status, 0, 0);
}

int new_pages(void *base, int len)
{
    return linux_mmap2((unsigned int)base, (unsigned int)len) == (int)base ? 0 : -1;
}

/* ---- a tiny test framework ------------------------------------------- */

static int failures, checks;

static void check_str(const char *got, const char *want, const char *what)
{
    checks++;
    if (strcmp(got, want) != 0) {
        failures++;
        printf("FAIL %s: got \"%s\", want \"%s\"\n", what, got, want);
    }
}

static void check_int(long long got, long long want, const char *what)
{
    checks++;
    if (got != want) {
        failures++;
        printf("FAIL %s: got %lld, want %lld\n", what, got, want);
    }
}

#define FMT(want, ...) do {                                     \
        char b_[128];                                           \
        int n_ = snprintf(b_, sizeof(b_), __VA_ARGS__);         \
        check_str(b_, want, #__VA_ARGS__);                      \
        check_int(n_, (long long)strlen(want), #__VA_ARGS__);   \
    } while (0)

static void test_printf(void)
{
    char small[6];

    FMT("hello", "hello");
    FMT("42 -42 0", "%d %i %d", 42, -42, 0);
    FMT("[   42][42   ][00042][+42][ 42]", "[%5d][%-5d][%05d][%+d][% d]", 42, 42, 42, 42, 42);
    FMT("-2147483648 2147483647", "%d %d", INT_MIN, INT_MAX);
    FMT("4294967295 ffffffff FFFFFFFF 37777777777", "%u %x %X %o", UINT_MAX, UINT_MAX, UINT_MAX, UINT_MAX);
    FMT("0x1f 0X1F 017 0", "%#x %#X %#o %#x", 31, 31, 15, 0);
    FMT("-9223372036854775808", "%lld", LLONG_MIN);
    FMT("18446744073709551615", "%llu", ULLONG_MAX);
    FMT("123456789012345 1c6bf52634000", "%lld %llx", 123456789012345LL, 500000000000000LL);
    FMT("[00042][   -00042]", "[%.5d][%9.5d]", 42, -42);
    FMT("[][0]", "[%.0d][%d]", 0, 0);
    FMT("[abc][  abc][abc  ][ab]", "[%s][%5s][%-5s][%.2s]", "abc", "abc", "abc", "abc");
    FMT("(null)", "%s", (char *)NULL);
    FMT("x% y", "%c%% %c", 'x', 'y');
    FMT("0x1000000", "%p", (void *)0x1000000);
    FMT("[  7][7  ]", "[%*d][%-*d]", 3, 7, 3, 7);
    FMT("[  -7]", "[%*d]", -1 * -4, -7);
    FMT("-1 255 65535", "%hhd %hhu %hu", 255, 255, 65535);
    FMT("12 34", "%zu %ld", (size_t)12, 34L);
    FMT("%y", "%y");

    checks++;
    if (snprintf(small, sizeof(small), "%s", "truncated") != 9 || strcmp(small, "trunc") != 0) {
        failures++;
        printf("FAIL snprintf truncation: \"%s\"\n", small);
    }
}

static void test_strtol(void)
{
    char *end;

    check_int(strtol("  -123abc", &end, 10), -123, "strtol -123");
    check_str(end, "abc", "strtol end");
    check_int(strtol("0x1F", NULL, 0), 31, "strtol 0x1F base 0");
    check_int(strtol("017", NULL, 0), 15, "strtol octal");
    check_int(strtol("ff", NULL, 16), 255, "strtol hex");
    check_int(strtol("2147483647", NULL, 10), LONG_MAX, "strtol max");
    check_int(strtol("99999999999", NULL, 10), LONG_MAX, "strtol overflow");
    check_int(strtol("-2147483648", NULL, 10), LONG_MIN, "strtol min");
    check_int(strtol("-99999999999", NULL, 10), LONG_MIN, "strtol underflow");
    check_int(strtol("xyz", &end, 10), 0, "strtol none");
    check_str(end, "xyz", "strtol none end");
    check_int((long long)strtoul("4294967295", NULL, 10), 4294967295LL, "strtoul max");
    check_int((long long)strtoul("zz", NULL, 36), 35 * 36 + 35, "strtoul base 36");
    check_int(atoi("  +77"), 77, "atoi");
}

static void test_string(void)
{
    char buf[32], *save, *tok;
    int order;

    strcpy(buf, "hello");
    strcat(buf, ", world");
    check_str(buf, "hello, world", "strcat");
    check_int((long long)strlen(buf), 12, "strlen");
    check_int(strcmp("abc", "abd") < 0, 1, "strcmp less");
    check_int(strncmp("abcx", "abcy", 3), 0, "strncmp");
    check_str(strchr(buf, 'w'), "world", "strchr");
    check_str(strrchr(buf, 'o'), "orld", "strrchr");
    check_str(strstr(buf, "lo,"), "lo, world", "strstr");
    memmove(buf + 2, buf, 5);
    check_str(buf, "hehelloworld", "memmove overlap");
    strcpy(buf, "  a b  c ");
    tok = strtok_r(buf, " ", &save);
    check_str(tok, "a", "strtok_r 1");
    check_str(strtok_r(NULL, " ", &save), "b", "strtok_r 2");
    check_str(strtok_r(NULL, " ", &save), "c", "strtok_r 3");
    check_int(strtok_r(NULL, " ", &save) == NULL, 1, "strtok_r end");
    {
        static char big[5000], copy[5000];
        int k, same = 1;

        for (k = 0; k < 5000; k++)
            big[k] = (char)(k * 7);
        memcpy(copy, big, sizeof(big));
        for (k = 0; k < 5000; k++)
            same &= copy[k] == big[k];
        memset(copy + 10, 'z', 100);
        same &= copy[9] == big[9] && copy[10] == 'z' && copy[109] == 'z' && copy[110] == big[110];
        memmove(copy + 1, copy, 4000);       /* overlapping, forwards */
        same &= copy[1] == big[0] && copy[2] == big[1];
        memmove(copy, copy + 1, 4000);       /* overlapping, backwards */
        same &= copy[0] == big[0] && copy[1] == big[1];
        check_int(same, 1, "memcpy/memset/memmove on 5000 bytes");
    }
    order = memcmp("\x01\xff", "\x01\x01", 2);
    check_int(order > 0, 1, "memcmp unsigned");
}

int __popcountsi2(uint32_t x);
int __popcountdi2(uint64_t x);
int __ctzdi2(uint64_t x);
int __clzdi2(uint64_t x);
int __ffsdi2(int64_t x);
int __clrsbdi2(int64_t x);
int __paritysi2(uint32_t x);

static void test_bitops(void)
{
    /* called directly: the host test is built without any libgcc */
    check_int(__popcountsi2(0xF0F0F0F1u), 17, "popcount32");
    check_int(__popcountdi2(0xFFFFFFFFFFFFFFFFull), 64, "popcount64");
    check_int(__popcountdi2(0), 0, "popcount64 zero");
    check_int(__ctzdi2(1ull << 40), 40, "ctz64 high");
    check_int(__ctzdi2(0x80), 7, "ctz64 low");
    check_int(__clzdi2(1), 63, "clz64");
    check_int(__clzdi2(1ull << 63), 0, "clz64 top");
    check_int(__ffsdi2(0), 0, "ffs64 zero");
    check_int(__ffsdi2(1ll << 35), 36, "ffs64");
    check_int(__clrsbdi2(-1), 63, "clrsb64 -1");
    check_int(__clrsbdi2(1), 62, "clrsb64 1");
    check_int(__paritysi2(7), 1, "parity");
}

static void test_divide(void)
{
    volatile uint64_t a = 0xFEDCBA9876543210ULL, b = 0x123456789ULL, c = 1000;
    volatile int64_t s = -1234567890123456789LL, t = 987654321;

    check_int((long long)(a / c), (long long)18364758544493064ULL, "udiv 32-bit divisor");
    check_int((long long)(a % c), 720, "umod 32-bit divisor");
    /* expected values computed with Python's arbitrary-precision integers */
    check_int((long long)(a / b), 3758096384LL, "udiv 64-bit divisor");
    check_int((long long)(a % b), 2522100240LL, "umod 64-bit divisor");
    check_int(s / t, -1249999988LL, "sdiv");
    check_int(s % t, -725308641LL, "smod");
}

/* Fills, frees and reallocates blocks at random, checking contents. */
static void test_malloc(void)
{
    enum { SLOTS = 200, ROUNDS = 20000 };
    static unsigned char *blk[SLOTS];
    static size_t len[SLOTS];
    int r, i, bad = 0;
    size_t k;

    srand(12345);
    for (r = 0; r < ROUNDS && !bad; r++) {
        i = rand() % SLOTS;
        for (k = 0; k < len[i]; k++)
            if (blk[i][k] != (unsigned char)(i + k))
                bad = 1;
        if (blk[i] && ((uintptr_t)blk[i] & 15))
            bad = 2;
        if (blk[i] && rand() % 3 == 0) {
            free(blk[i]);
            blk[i] = NULL;
            len[i] = 0;
            continue;
        }
        len[i] = (size_t)(rand() % 5000);
        blk[i] = blk[i] ? realloc(blk[i], len[i]) : malloc(len[i]);
        if (!blk[i])
            bad = 3;
        for (k = 0; k < len[i]; k++)
            blk[i][k] = (unsigned char)(i + k);
    }
    check_int(bad, 0, "malloc random workout (1 content, 2 alignment, 3 NULL)");
    for (i = 0; i < SLOTS; i++)
        free(blk[i]);
    blk[0] = calloc(1000, 4);
    for (k = 0, bad = 0; k < 4000; k++)
        bad |= blk[0][k];
    check_int(bad, 0, "calloc zeroed");
    free(blk[0]);
    check_int(malloc((size_t)-16) == NULL, 1, "malloc huge fails");
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static void test_qsort(void)
{
    int v[] = { 5, 3, 9, 1, 7, 1, 0 };
    char buf[64];

    qsort(v, 7, sizeof(int), cmp_int);
    snprintf(buf, sizeof(buf), "%d%d%d%d%d%d%d", v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    check_str(buf, "0113579", "qsort");
}

int main(void)
{
    test_printf();
    test_strtol();
    test_string();
    test_divide();
    test_bitops();
    test_malloc();
    test_qsort();
    printf("%s libc_test: %d checks, %d failed\n", failures ? "FAIL" : "PASS", checks, failures);
    return failures != 0;
}

/* Entry point: Linux starts us with no arguments we need. */
__attribute__((force_align_arg_pointer)) void _start(void)
{
    exit_status = main();
    vanish();
}
