/* profile_tree.h - the YAML of a profile as a tree with positions, and the
 * include/override merge (bf_ptree_*). Internal to the profile module. */
#ifndef BF_PROFILE_TREE_H
#define BF_PROFILE_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"

#define BF_PTREE_MAX_NODES 200000   /* bounds alias expansion */
#define BF_PTREE_MAX_DEPTH 32

enum bf_ptype { BF_PT_NULL, BF_PT_SCALAR, BF_PT_MAP, BF_PT_SEQ };

struct bf_pnode {
	enum bf_ptype t;
	char *s;                    /* scalar text */
	bool plain;                 /* an unquoted scalar */
	char *key;                  /* the key, for a child of a mapping */
	struct bf_pnode **kids;
	size_t n;
	struct bf_profile_pos pos;  /* of the value; keypos of the key */
	struct bf_profile_pos keypos;
};

/* Diagnostics sink shared by the tree and the checker. */
void bf_pdiag(struct bf_profile_result *res, enum bf_profile_sev sev, enum bf_profile_class cls,
	      const struct bf_profile_pos *pos, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Read buf (file: its name, kept by the caller) into a tree. NULL after a
 * syntax error (reported) or on ENOMEM (*oom set). */
struct bf_pnode *bf_ptree_parse(const char *file, const char *buf, size_t len, struct bf_profile_result *res,
				bool *oom);
/* Resolve `include:` of root recursively and merge: the including file's
 * keys override the included ones (mappings merge key by key, other values
 * replace, a null value deletes). canon: file's name for cycle detection
 * (NULL: file). Consumes root; returns the merged tree or
 * NULL (reported). files collects every file read (for positions). */
struct bf_pnode *bf_ptree_resolve(const struct bf_profile_ctx *ctx, struct bf_pnode *root, const char *file,
				  const char *canon, struct bf_profile *p, struct bf_profile_result *res, bool *oom);
void bf_ptree_free(struct bf_pnode *n);
struct bf_pnode *bf_ptree_get(const struct bf_pnode *map, const char *key);

#endif
