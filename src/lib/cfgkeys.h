/* cfgkeys.h - the bf.cfg key database, bfcfg/keys.yaml (bf_cfgkeys_*):
 * every key the installer and bfcfg recognise, with its type, default,
 * install step and meaning. Read at run time: a new key is a data change. */
#ifndef BF_CFGKEYS_H
#define BF_CFGKEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bf_cfgkey_type {
	BF_CFGKEY_YESNO, BF_CFGKEY_TRUEFALSE, BF_CFGKEY_INT, BF_CFGKEY_STRING, BF_CFGKEY_IP,
	BF_CFGKEY_MAC, BF_CFGKEY_PATH, BF_CFGKEY_CRYPT, BF_CFGKEY_PBKDF2, BF_CFGKEY_LIST,
	BF_CFGKEY_ENUM, BF_CFGKEY_BOOTENTRY,
};

#define BF_CFGKEY_MAX_VALUES 8

struct bf_cfgkey {
	char *name;              /* may hold <x> placeholders: "BOOT<N>" */
	enum bf_cfgkey_type type;
	int64_t min, max;        /* int */
	size_t max_len;          /* string; 0 = unlimited */
	char *values[BF_CFGKEY_MAX_VALUES];   /* enum */
	unsigned nvalues;
	char *def, *step, *meaning, *overridden;
	bool secret;
	/* index ranges for the placeholders, in order of appearance */
	unsigned nidx;
	int64_t idx_min[4], idx_max[4];
};

struct bf_cfghook {
	char *name, *when;
};

struct bf_cfgkeys {
	struct bf_cfgkey *keys;
	size_t nkeys;
	struct bf_cfghook *hooks;
	size_t nhooks;
	char **steps;            /* step ids in file order */
	char **step_desc;
	size_t nsteps;
};

/* Parse a keys.yaml buffer (fuzzable). 0, or -EINVAL with a sentence. */
int bf_cfgkeys_parse(const char *buf, size_t len, struct bf_cfgkeys *k);
/* Load bfcfg/keys.yaml from the data directory. */
int bf_cfgkeys_load(struct bf_cfgkeys *k);
void bf_cfgkeys_free(struct bf_cfgkeys *k);
/* The entry for a variable name (placeholders matched with their ranges). */
const struct bf_cfgkey *bf_cfgkeys_find(const struct bf_cfgkeys *k, const char *name);
const struct bf_cfghook *bf_cfgkeys_hook(const struct bf_cfgkeys *k, const char *name);
/* The known key closest to name (edit distance <= 2, or equal ignoring
 * case), for "did you mean"; NULL if none. */
const char *bf_cfgkeys_suggest(const struct bf_cfgkeys *k, const char *name);

#endif
