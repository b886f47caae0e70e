/* rshim/misc.h - the misc file of an rshim device directory (rshimd's or
 * the upstream daemon's /dev/rshim<N>/misc): reading it whole, writing one
 * "KEY value" line, and finding a key's value in its text (bf_rshim_misc_*). */
#ifndef BF_RSHIM_MISC_H
#define BF_RSHIM_MISC_H

#include <stddef.h>

#define BF_RSHIM_MISC_MAX 65536   /* what one read of misc may give, at most */

/* Read dir/misc from its start to its end or cap - 1 bytes, NUL-terminated
 * (*len, if given, gets the length). A read interrupted by a signal is
 * tried again unless a stop was requested (bf_stop_requested: then
 * -EINTR). 0 or -errno. */
int bf_rshim_misc_read(const char *dir, char *buf, size_t cap, size_t *len);
/* Write line (one "KEY value\n") to dir/misc in one write. 0 or -errno
 * (the daemon's answer: EINVAL for an unknown key or a bad value). */
int bf_rshim_misc_write(const char *dir, const char *line);
/* The value of key in the first len bytes of text: the first token after
 * the key column of the line that starts with key and a blank, up to a
 * blank, '(' or the end of the line, cut to cap - 1 bytes, NUL-terminated.
 * 0, or -ENOENT (no such line; out is ""). */
int bf_rshim_misc_value(const char *text, size_t len, const char *key, char *out, size_t cap);

#endif
