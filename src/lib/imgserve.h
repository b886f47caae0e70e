/* imgserve.h - serve one image to a BMC (bf_imgserve_*): an HTTP server
 * (libmicrohttpd) that answers GET of one unguessable path with the
 * concatenation of the given files (the BFB, then bf.cfg), nothing else,
 * and only while it runs. */
#ifndef BF_IMGSERVE_H
#define BF_IMGSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bf_imgserve;

/* Is "ADDR[:PORT]" usable (well-formed, not a wildcard)? 0 or -EINVAL
 * with a sentence; nothing is opened. */
int bf_imgserve_check(const char *listen);
/* Listen on "ADDR[:PORT]" ("[v6]:PORT"; no port: one the kernel picks) and
 * serve paths[0..n-1] concatenated. 0 or -errno with a sentence. */
int bf_imgserve_start(const char *listen, const char *const *paths, size_t n, struct bf_imgserve **out);
/* What the BMC is given: "ADDR:PORT/TOKEN/image.bfb" (no scheme). */
const char *bf_imgserve_uri(const struct bf_imgserve *s);
uint64_t bf_imgserve_size(const struct bf_imgserve *s);
/* Bytes sent so far, and whether one GET has sent them all. */
uint64_t bf_imgserve_sent(struct bf_imgserve *s, bool *complete);
void bf_imgserve_stop(struct bf_imgserve *s);

#endif
