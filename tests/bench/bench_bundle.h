/* bench_bundle.h - bundles for the benchmarks, built with the library's pack. */
#ifndef BENCH_BUNDLE_H
#define BENCH_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

/* Write a valid BFB to path: n images with the given ids and sizes, each
 * filled with reproducible pseudo-random bytes. 0 or a negative errno. */
int bench_bundle(const char *path, const uint8_t *ids, const uint64_t *sizes, size_t n);

#endif
