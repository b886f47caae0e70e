/* profile_get.h - typed reads of profile tree values with diagnostics
 * (bf_pget_*). Internal to the profile module. */
#ifndef BF_PROFILE_GET_H
#define BF_PROFILE_GET_H

#include <stdbool.h>
#include <stddef.h>

#include "profile_tree.h"

/* Where a value sits, for messages: a key path and the diagnostics. */
struct bf_pchk {
	struct bf_profile_result *res;
	const struct bf_profile_ctx *ctx;
	struct bf_profile *p;
	bool oom;
};

/* Report keys of map not in allowed (NULL-terminated), with did-you-mean. */
void bf_pget_keys(struct bf_pchk *c, const struct bf_pnode *map, const char *path, const char *const *allowed);
/* Check that n is a mapping / a sequence; reports a syntax error if not. */
bool bf_pget_is(struct bf_pchk *c, const struct bf_pnode *n, enum bf_ptype t, const char *path);

/* Read map.key. Return 1 when read, 0 when absent (reported when
 * required), -1 when present but bad (reported). */
int bf_pget_str(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path, bool required,
		char *out, size_t cap);
int bf_pget_uint(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path, bool required,
		 unsigned min, unsigned max, unsigned *out);
int bf_pget_bool(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path, bool required,
		 bool *out);
/* One of a NULL-terminated list of words (exact). */
int bf_pget_enum(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path, bool required,
		 const char *const *words, char *out, size_t cap);
/* A unicast MAC address aa:bb:cc:dd:ee:ff (stored lower-case). */
int bf_pget_mac(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path, bool required,
		char out[18]);

/* An interface name the kernel accepts: 1..15 bytes of [A-Za-z0-9_.:-]. */
bool bf_profile_ifname_ok(const char *s);

#endif
