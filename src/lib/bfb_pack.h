/* bfb_pack.h - building BFBs as mlx-mkbfb does (bf_bfb_pack_*). */
#ifndef BF_BFB_PACK_H
#define BF_BFB_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_BFB_PACK_MAX 1024   /* images in one bundle */

struct bf_bfb_pack_item {
	uint8_t id, ver;
	/* Bytes from a file range (path, offset, len) or a buffer (data, len). */
	char *path;
	uint64_t offset;
	uint64_t len;
	uint8_t *data;
	unsigned seq;          /* order of appearance (for --expert) */
};

#define BF_BFB_PACK_MAX_PARAMS 32

struct bf_bfb_pack {
	struct bf_bfb_pack_item items[BF_BFB_PACK_MAX];
	size_t n;
	unsigned seq;
	/* Recipe parameters: --param values first, manifest defaults after. */
	char *param_key[BF_BFB_PACK_MAX_PARAMS], *param_val[BF_BFB_PACK_MAX_PARAMS];
	bool param_used[BF_BFB_PACK_MAX_PARAMS];   /* substituted at least once */
	size_t nparams;
	char tmpdir[64];       /* generated images live here until free */
	unsigned ngen;
};

void bf_bfb_pack_init(struct bf_bfb_pack *p);
void bf_bfb_pack_free(struct bf_bfb_pack *p);
/* Add or replace (same id and version: the later one wins, as mlx-mkbfb). */
int bf_bfb_pack_add_file(struct bf_bfb_pack *p, uint8_t id, uint8_t ver, const char *path);
int bf_bfb_pack_add_data(struct bf_bfb_pack *p, uint8_t id, uint8_t ver, const void *data, size_t len);
/* Remove every version of image id. */
void bf_bfb_pack_drop(struct bf_bfb_pack *p, uint8_t id);
/* Every image of an existing BFB (checked first); later adds override. */
int bf_bfb_pack_add_bfb(struct bf_bfb_pack *p, const char *path);
/* "NAME=FILE" or "NAME==literal" (NAME as mlx-mkbfb's options, -vN allowed). */
int bf_bfb_pack_add_arg(struct bf_bfb_pack *p, const char *arg);
/* "key=value": a recipe parameter, substituted for ${key} in the
 * manifest's strings; set before the manifest is read (wins over its
 * params: defaults). */
int bf_bfb_pack_set_param(struct bf_bfb_pack *p, const char *kv);
/* A YAML manifest (see bfb/README.md): {params: {k: v}, from: [BFB...],
 * images: [{name: N, file: F | text: T | fill: {size, seed} |
 * info: {members: [...]} | initramfs: {files: [...]}}]}; file paths
 * relative to base_dir. Parses a buffer (fuzzable). */
int bf_bfb_pack_add_manifest_buf(struct bf_bfb_pack *p, const char *buf, size_t len,
				 const char *base_dir);
int bf_bfb_pack_add_manifest(struct bf_bfb_pack *p, const char *path);

/* Write to out (temporary file + rename; refuses to replace an existing
 * file unless force). Canonical order, or order of appearance with expert;
 * versions ascending per id; bitmap and next-version fields as mlx-mkbfb.
 * progress: drive a "pack" progress bar. 0 or -errno (-EEXIST). */
int bf_bfb_pack_write(struct bf_bfb_pack *p, const char *out, bool expert, bool force,
		      bool progress);

#endif
