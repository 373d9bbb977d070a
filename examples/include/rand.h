/*
 * rand.h: 15-410's pseudo-random numbers: the Mersenne Twister MT19937
 * (Matsumoto and Nishimura), with its original seeding. The sequence for a
 * seed is the same everywhere, so a test run with a seed can be repeated.
 * One generator per program, not thread-safe (as in the course).
 */
#ifndef _RAND_H
#define _RAND_H

#if !defined(ASSEMBLER) && !defined(__ASSEMBLER__)
/* Seeds the generator. Unseeded it acts as seeded with 4357. As in the
 * original, seed 0 makes every state word 0 and genrand return only 0. */
void sgenrand(unsigned long seed);
/* The next 32-bit number, uniform over [0, 2^32). */
unsigned long genrand(void);
#endif /* !ASSEMBLER */

#endif /* _RAND_H */
