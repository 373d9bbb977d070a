/* stdlib.c: number conversions, rand, qsort. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int digit_value(int c)
{
    if (isdigit(c)) return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

/* Skips blanks, a sign and a base prefix; settles the base. */
static const char *scan_prefix(const char *s, int *base, int *negative)
{
    while (isspace((unsigned char)*s))
        s++;
    *negative = (*s == '-');
    if (*s == '-' || *s == '+')
        s++;
    if ((*base == 0 || *base == 16) && s[0] == '0' && (s[1] | 32) == 'x'
        && digit_value((unsigned char)s[2]) < 16) {
        *base = 16;
        return s + 2;
    }
    if (*base == 0)
        *base = (s[0] == '0') ? 8 : 10;
    return s;
}

/* Accumulates digits; saturates at limit and reports overflow. */
static unsigned long scan_digits(const char **sp, int base, unsigned long limit,
                                 int *overflow, int *any)
{
    const char *s = *sp;
    unsigned long v = 0;
    int d;

    *overflow = 0;
    *any = 0;
    for (; (d = digit_value((unsigned char)*s)) < base; s++) {
        *any = 1;
        if (v > (limit - (unsigned long)d) / (unsigned long)base)
            *overflow = 1;
        else
            v = v * (unsigned long)base + (unsigned long)d;
    }
    *sp = s;
    return *overflow ? limit : v;
}

unsigned long strtoul(const char *str, char **endptr, int base)
{
    const char *s;
    int negative, overflow, any;
    unsigned long v;

    if (base < 0 || base == 1 || base > 36) {
        if (endptr) *endptr = (char *)str;
        return 0;
    }
    s = scan_prefix(str, &base, &negative);
    v = scan_digits(&s, base, ULONG_MAX, &overflow, &any);
    if (endptr) *endptr = (char *)(any ? s : str);
    return (negative && !overflow) ? -v : v;
}

long strtol(const char *str, char **endptr, int base)
{
    const char *s;
    int negative, overflow, any;
    unsigned long limit, v;

    if (base < 0 || base == 1 || base > 36) {
        if (endptr) *endptr = (char *)str;
        return 0;
    }
    s = scan_prefix(str, &base, &negative);
    limit = negative ? (unsigned long)LONG_MAX + 1 : (unsigned long)LONG_MAX;
    v = scan_digits(&s, base, limit, &overflow, &any);
    if (endptr) *endptr = (char *)(any ? s : str);
    return negative ? (long)(0 - v) : (long)v;
}

int atoi(const char *str) { return (int)strtol(str, NULL, 10); }
long atol(const char *str) { return strtol(str, NULL, 10); }
int abs(int j) { return j < 0 ? -j : j; }
long labs(long j) { return j < 0 ? -j : j; }

/* A small linear congruential generator: fine for demos, not for secrets. */
static unsigned int rand_state = 1;

int rand(void)
{
    rand_state = rand_state * 1103515245u + 12345u;
    return (int)(rand_state >> 1);
}

void srand(unsigned int seed) { rand_state = seed; }

static void swap_bytes(char *a, char *b, size_t n)
{
    while (n--) {
        char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

/* Insertion sort: O(n^2), but small and with no recursion on a small stack. */
void qsort(void *base, size_t nmemb, size_t size,
           int (*compar)(const void *, const void *))
{
    char *b = base;
    size_t i, j;

    for (i = 1; i < nmemb; i++)
        for (j = i; j > 0 && compar(b + (j - 1) * size, b + j * size) > 0; j--)
            swap_bytes(b + (j - 1) * size, b + j * size, size);
}
