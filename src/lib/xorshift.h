/* xorshift.h - Marsaglia's xorshift64 (shifts 13, 7, 17): a reproducible
 * stream of pseudo-random numbers from a seed, for generated test data and
 * simulated timing; not for anything that needs to be unpredictable. */
#ifndef BF_XORSHIFT_H
#define BF_XORSHIFT_H

#include <stdint.h>

/* The next value of the stream in *x (never seed it with 0). */
static inline uint64_t bf_xorshift64(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

#endif
