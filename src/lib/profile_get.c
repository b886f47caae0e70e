/* profile_get.c - typed reads of profile values (see profile_get.h). */
#include "config.h"
#include "profile_get.h"
#include "strdist.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *kind(const struct bf_pnode *n)
{
	switch (n->t) {
	case BF_PT_MAP: return "a mapping";
	case BF_PT_SEQ: return "a list";
	case BF_PT_NULL: return "empty";
	default: return "a scalar";
	}
}

static void sub(char *out, size_t cap, const char *path, const char *key)
{
	snprintf(out, cap, "%s%s%s", path, *path ? "." : "", key);
}

void bf_pget_keys(struct bf_pchk *c, const struct bf_pnode *map, const char *path, const char *const *allowed)
{
	size_t i;

	if (!map || map->t != BF_PT_MAP)
		return;
	for (i = 0; i < map->n; i++) {
		const struct bf_pnode *k = map->kids[i];
		const char *const *a;
		const char *hint;
		char full[96];

		for (a = allowed; *a; a++)
			if (!strcmp(*a, k->key))
				break;
		if (*a)
			continue;
		sub(full, sizeof(full), path, k->key);
		hint = bf_str_suggest(k->key, allowed);
		if (hint)
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_UNKNOWN_KEY, &k->keypos, full,
				 "unknown key '%.40s' in %s (did you mean '%s'?)", k->key, *path ? path : "the profile",
				 hint);
		else
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_UNKNOWN_KEY, &k->keypos, full,
				 "unknown key '%.40s' in %s", k->key, *path ? path : "the profile");
	}
}

bool bf_pget_is(struct bf_pchk *c, const struct bf_pnode *n, enum bf_ptype t, const char *path)
{
	if (n->t == t)
		return true;
	bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_SYNTAX, &n->pos, path, "%s must be %s, not %s", path,
		 t == BF_PT_MAP ? "a mapping" : t == BF_PT_SEQ ? "a list" : "a scalar", kind(n));
	return false;
}

/* The scalar at map.key: 1, 0 (absent), -1 (not a scalar, reported). */
static int scalar(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path,
		  bool required, const struct bf_pnode **out, char *full, size_t cap)
{
	const struct bf_pnode *n = bf_ptree_get(map, key);

	sub(full, cap, path, key);
	*out = n;
	if (!n || n->t == BF_PT_NULL) {
		if (required)
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_MISSING, n ? &n->pos : &map->pos, full,
				 "%s is required", full);
		return 0;
	}
	if (n->t != BF_PT_SCALAR) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &n->pos, full, "%s must be a single value, not %s",
			 full, kind(n));
		return -1;
	}
	return 1;
}

int bf_pget_str(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path, bool required,
		char *out, size_t cap)
{
	const struct bf_pnode *n;
	const unsigned char *s;
	char full[96];
	int r = scalar(c, map, key, path, required, &n, full, sizeof(full));

	if (r <= 0)
		return r;
	for (s = (const unsigned char *)n->s; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			break;
	if (*s) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &n->pos, full, "%s contains a control character", full);
		return -1;
	}
	if (strlen(n->s) >= cap) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_RANGE, &n->pos, full, "%s is longer than %zu bytes", full,
			 cap - 1);
		return -1;
	}
	snprintf(out, cap, "%s", n->s);
	return 1;
}

int bf_pget_uint(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path, bool required,
		 unsigned min, unsigned max, unsigned *out)
{
	const struct bf_pnode *n;
	unsigned long v;
	char full[96], *end;
	int r = scalar(c, map, key, path, required, &n, full, sizeof(full));

	if (r <= 0)
		return r;
	errno = 0;
	v = strtoul(n->s, &end, 0);
	if (!isdigit((unsigned char)n->s[0]) || *end || errno) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &n->pos, full, "%s takes a number, not '%.40s'", full,
			 n->s);
		return -1;
	}
	if (v < min || v > max) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_RANGE, &n->pos, full, "%s=%lu is out of range [%u, %u]", full,
			 v, min, max);
		return -1;
	}
	*out = (unsigned)v;
	return 1;
}

int bf_pget_bool(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path, bool required,
		 bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", NULL }, *const no[] = { "false", "no", "off", NULL };
	const struct bf_pnode *n;
	char full[96];
	int i, r = scalar(c, map, key, path, required, &n, full, sizeof(full));

	if (r <= 0)
		return r;
	for (i = 0; yes[i]; i++) {
		if (!strcasecmp(n->s, yes[i])) {
			*out = true;
			return 1;
		}
		if (!strcasecmp(n->s, no[i])) {
			*out = false;
			return 1;
		}
	}
	bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &n->pos, full, "%s takes true or false, not '%.40s'", full, n->s);
	return -1;
}

int bf_pget_enum(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path, bool required,
		 const char *const *words, char *out, size_t cap)
{
	const struct bf_pnode *n;
	const char *hint;
	char full[96], list[160] = "";
	int i, r = scalar(c, map, key, path, required, &n, full, sizeof(full));

	if (r <= 0)
		return r;
	for (i = 0; words[i]; i++) {
		if (!strcmp(n->s, words[i])) {
			snprintf(out, cap, "%s", words[i]);
			return 1;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", words[i]);
	}
	hint = bf_str_suggest(n->s, words);
	bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &n->pos, full, "%s takes one of %s, not '%.40s'%s%s%s", full, list,
		 n->s, hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
	return -1;
}

int bf_pget_mac(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path, bool required,
		char out[18])
{
	const struct bf_pnode *n;
	char full[96];
	unsigned i;
	int r = scalar(c, map, key, path, required, &n, full, sizeof(full));

	if (r <= 0)
		return r;
	for (i = 0; i < 17 && n->s[i]; i++) {
		if (i % 3 == 2 ? n->s[i] != ':' : !isxdigit((unsigned char)n->s[i]))
			break;
	}
	if (i != 17 || n->s[17]) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &n->pos, full,
			 "%s takes a MAC address like 02:00:00:00:00:01, not '%.40s'", full, n->s);
		return -1;
	}
	for (i = 0; i < 17; i++)
		out[i] = (char)tolower((unsigned char)n->s[i]);
	out[17] = 0;
	if (strtoul(out, NULL, 16) & 1) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &n->pos, full, "%s=%s is a multicast address", full, out);
		return -1;
	}
	return 1;
}

bool bf_profile_ifname_ok(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.:-", s[i]))
			return false;
	return true;
}
