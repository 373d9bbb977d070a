/*
 * rand.c: MT19937, the Mersenne Twister of Matsumoto and Nishimura
 * (rand.h), with the seeding of the original genrand/sgenrand generator
 * (Knuth's multiplier: mt[i] = 69069 * mt[i-1]), so sgenrand(4357) gives
 * its published sequence 3510405877, 4290933890, ... Written from the
 * published algorithm.
 */
#include <rand.h>

#define N 624
#define M 397
#define MATRIX_A   0x9908b0dfUL   /* the twist's constant vector a */
#define UPPER_MASK 0x80000000UL   /* most significant bit */
#define LOWER_MASK 0x7fffffffUL   /* the other 31 */

static unsigned long mt[N];
static int mti = N + 1;           /* N + 1: never seeded */

void sgenrand(unsigned long seed)
{
    int i;

    mt[0] = seed & 0xffffffffUL;
    for (i = 1; i < N; i++)
        mt[i] = (69069 * mt[i - 1]) & 0xffffffffUL;
    mti = N;
}

/* Regenerates all N words of state at once. */
static void twist(void)
{
    unsigned long y;
    int k;

    for (k = 0; k < N; k++) {
        y = (mt[k] & UPPER_MASK) | (mt[(k + 1) % N] & LOWER_MASK);
        mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ ((y & 1) ? MATRIX_A : 0);
    }
    mti = 0;
}

unsigned long genrand(void)
{
    unsigned long y;

    if (mti >= N) {
        if (mti == N + 1)
            sgenrand(4357);
        twist();
    }
    y = mt[mti++];
    y ^= y >> 11;                  /* tempering */
    y ^= (y << 7) & 0x9d2c5680UL;
    y ^= (y << 15) & 0xefc60000UL;
    y ^= y >> 18;
    return y & 0xffffffffUL;
}
