/* smoke.h - what a fuzz target may give the make-check driver (smoke.c).
 * Under libFuzzer none of this is linked: the corpus comes from make fuzz. */
#ifndef BF_FUZZ_SMOKE_H
#define BF_FUZZ_SMOKE_H

#include <stddef.h>

/* Optional: a target that defines this adds seeds made in code (e.g. a
 * firmware image from the library's writer) with bf_fuzz_add_seed. */
void bf_fuzz_seed(void) __attribute__((weak));
void bf_fuzz_add_seed(const void *data, size_t len);

#endif
