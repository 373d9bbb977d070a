/*
 * divdi3.c: the 64-bit division helpers gcc calls on i386 (__udivdi3,
 * __umoddi3, __divdi3, __moddi3, and __udivmoddi4/__divmoddi4 that newer
 * gcc calls when it needs both results). They normally come from libgcc,
 * but the host has no 32-bit libgcc, so the guest libc provides them. This file
 * must not divide 64-bit values itself (that would call itself): it uses
 * the CPU's 64/32 divl and shifts only.
 */
#include <stdint.h>

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
int64_t __divmoddi4(int64_t n, int64_t d, int64_t *rem);

/* (hi:lo) / d with hi < d, so divl cannot overflow. */
static uint32_t divl(uint32_t hi, uint32_t lo, uint32_t d, uint32_t *rem)
{
    uint32_t q, r;

    __asm__("divl %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
    *rem = r;
    return q;
}

static uint64_t udivmod(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint32_t nhi = (uint32_t)(n >> 32), d32 = (uint32_t)d;
    uint32_t qhi, qlo, r;
    uint64_t q = 0, r64 = 0;
    int i;

    if (d == 0) {                  /* same trap as a 32-bit division by zero */
        volatile uint32_t zero = 0;
        return 1 / zero;
    }
    if ((d >> 32) == 0) {          /* divisor fits in 32 bits: two divl steps */
        qhi = nhi / d32;
        qlo = divl(nhi % d32, (uint32_t)n, d32, &r);
        *rem = r;
        return ((uint64_t)qhi << 32) | qlo;
    }
    for (i = 63; i >= 0; i--) {    /* general case: shift and subtract */
        r64 = (r64 << 1) | ((n >> i) & 1);
        if (r64 >= d) {
            r64 -= d;
            q |= (uint64_t)1 << i;
        }
    }
    *rem = r64;
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    uint64_t r;

    return udivmod(n, d, &r);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;

    udivmod(n, d, &r);
    return r;
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? -(uint64_t)v : (uint64_t)v;
}

int64_t __divdi3(int64_t n, int64_t d)
{
    uint64_t r, q = udivmod(magnitude(n), magnitude(d), &r);

    return ((n < 0) != (d < 0)) ? (int64_t)(0 - q) : (int64_t)q;
}

int64_t __moddi3(int64_t n, int64_t d)
{
    uint64_t r;

    udivmod(magnitude(n), magnitude(d), &r);
    return n < 0 ? (int64_t)(0 - r) : (int64_t)r;
}

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t r, q = udivmod(n, d, &r);

    if (rem)
        *rem = r;
    return q;
}

int64_t __divmoddi4(int64_t n, int64_t d, int64_t *rem)
{
    int64_t q = __divdi3(n, d);

    if (rem)
        *rem = n - q * d;
    return q;
}
