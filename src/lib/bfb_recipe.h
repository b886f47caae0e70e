/* bfb_recipe.h - generated image content for pack manifests (recipes):
 * parameters, sizes, deterministic filler, info image JSON and an
 * initramfs (gzip'd newc cpio made with libarchive). Internal to
 * bfb_manifest.c and bfb_pack.c (bf_bfb_recipe_*). */
#ifndef BF_BFB_RECIPE_H
#define BF_BFB_RECIPE_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "bfb_pack.h"

#define BF_BFB_RECIPE_STR_MAX 4096

/* Replace ${key} from the pack's parameters. 0 or -EINVAL (unknown key,
 * unterminated, too long). */
int bf_bfb_recipe_subst(struct bf_bfb_pack *p, const char *in, char *out, size_t cap);
/* "1234", "64KiB", "4MiB", "1GiB" (after substitution) -> bytes. */
int bf_bfb_recipe_size(const char *s, uint64_t *bytes);
/* A new file in the pack's temporary directory; its path in out. */
int bf_bfb_recipe_tmpfile(struct bf_bfb_pack *p, char *out, size_t cap);
/* Generated content written to path. */
int bf_bfb_recipe_fill(const char *path, uint64_t len, uint64_t seed);
int bf_bfb_recipe_info(struct bf_bfb_pack *p, yaml_document_t *d, yaml_node_t *spec, const char *path);
int bf_bfb_recipe_initramfs(struct bf_bfb_pack *p, yaml_document_t *d, yaml_node_t *spec,
			    const char *base_dir, const char *path);
void bf_bfb_recipe_cleanup(struct bf_bfb_pack *p);

/* YAML helpers shared with bfb_manifest.c. */
const char *bf_bfb_yaml_scalar(yaml_document_t *d, yaml_node_t *n);
yaml_node_t *bf_bfb_yaml_get(yaml_document_t *d, yaml_node_t *map, const char *key);

#endif
