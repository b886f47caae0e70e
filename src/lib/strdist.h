/* strdist.h - "did you mean": the closest known name to a misspelt one
 * (bf_str_*). */
#ifndef BF_STRDIST_H
#define BF_STRDIST_H

/* Edit distance between a and b (99 when either is longer than 64). */
unsigned bf_str_distance(const char *a, const char *b);
/* The entry of the NULL-terminated list closest to name: equal ignoring
 * case, or at most 2 edits away (and fewer than half of name's length);
 * NULL if none. */
const char *bf_str_suggest(const char *name, const char *const *list);

#endif
