/* bfb_manifest.c - YAML manifests for `bfctl bfb pack --manifest`:
 *
 *   from: [base.bfb]              # optional: images of existing BFBs first
 *   images:
 *     - name: bl31                # mlx-mkbfb option name, optional -vN
 *       file: bl31.bin            # relative to the manifest's directory
 *     - name: boot-args-v2
 *       text: "console=hvc0 console=ttyAMA0 initrd=initramfs"
 *
 * Parsed from a buffer with libyaml's document API; every size is bounded.
 */
#include "config.h"
#include "bfb_pack.h"
#include "bfb.h"
#include "bfb_recipe.h"
#include "error.h"
#include "fileio.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MANIFEST_MAX (1u << 20)

const char *bf_bfb_yaml_scalar(yaml_document_t *d, yaml_node_t *n)
{
	(void)d;
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}
#define scalar bf_bfb_yaml_scalar
#define map_get bf_bfb_yaml_get

yaml_node_t *bf_bfb_yaml_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pr;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		const char *k = scalar(d, yaml_document_get_node(d, pr->key));

		if (k && !strcmp(k, key))
			return yaml_document_get_node(d, pr->value);
	}
	return NULL;
}

static int join(char *out, size_t len, const char *base, const char *rel)
{
	if (!rel[0])
		return -EINVAL;
	if (rel[0] == '/' || !base || !base[0])
		return (size_t)snprintf(out, len, "%s", rel) < len ? 0 : -ENAMETOOLONG;
	return (size_t)snprintf(out, len, "%s/%s", base, rel) < len ? 0 : -ENAMETOOLONG;
}

static int check_keys(yaml_document_t *d, yaml_node_t *map, const char *const *allowed, const char *where)
{
	yaml_node_pair_t *pr;
	size_t i;

	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		const char *k = scalar(d, yaml_document_get_node(d, pr->key));
		bool ok = false;

		for (i = 0; k && allowed[i]; i++)
			ok |= !strcmp(k, allowed[i]);
		if (!ok)
			return bf_error_ret(EINVAL, "%s: unknown key '%s'", where, k ? k : "(not a string)");
	}
	return 0;
}

/* One generated image: content written to a temporary file. */
static int generated(struct bf_bfb_pack *p, yaml_document_t *d, yaml_node_t *n, const char *base,
		     uint8_t id, uint8_t ver, const char *where)
{
	yaml_node_t *fill = map_get(d, n, "fill"), *info = map_get(d, n, "info"),
		    *initrd = map_get(d, n, "initramfs");
	char path[PATH_MAX], size[64];
	uint64_t len;
	int r;

	if ((r = bf_bfb_recipe_tmpfile(p, path, sizeof(path))) < 0)
		return r;
	if (fill) {
		const char *sz = scalar(d, map_get(d, fill, "size")), *seed = scalar(d, map_get(d, fill, "seed"));

		if (!sz)
			return bf_error_ret(EINVAL, "%s: fill needs a size", where);
		if ((r = bf_bfb_recipe_subst(p, sz, size, sizeof(size))) < 0 ||
		    (r = bf_bfb_recipe_size(size, &len)) < 0 ||
		    (r = bf_bfb_recipe_fill(path, len, seed ? strtoull(seed, NULL, 0) : 1)) < 0)
			return r;
	} else if (info) {
		if ((r = bf_bfb_recipe_info(p, d, info, path)) < 0)
			return r;
	} else if ((r = bf_bfb_recipe_initramfs(p, d, initrd, base, path)) < 0) {
		return r;
	}
	return bf_bfb_pack_add_file(p, id, ver, path);
}

static int load(struct bf_bfb_pack *p, yaml_document_t *d, const char *base)
{
	static const char *const top_keys[] = { "params", "from", "images", NULL };
	static const char *const img_keys[] = { "name", "file", "text", "fill", "info", "initramfs", NULL };
	static const char *const content[] = { "file", "text", "fill", "info", "initramfs" };
	yaml_node_t *root = yaml_document_get_root_node(d), *from, *imgs, *params;
	yaml_node_item_t *it;
	char path[PATH_MAX], str[BF_BFB_RECIPE_STR_MAX];
	size_t given = p->nparams, i;   /* set by the caller (--param) */
	int r;

	if (!root || root->type != YAML_MAPPING_NODE)
		return bf_error_ret(EINVAL, "manifest: the top level must be a mapping with 'images'");
	if ((r = check_keys(d, root, top_keys, "manifest")) < 0)
		return r;
	params = map_get(d, root, "params");
	if (params) {
		yaml_node_pair_t *pr;

		if (params->type != YAML_MAPPING_NODE)
			return bf_error_ret(EINVAL, "manifest: 'params' must be a mapping");
		for (pr = params->data.mapping.pairs.start; pr < params->data.mapping.pairs.top; pr++) {
			const char *k = scalar(d, yaml_document_get_node(d, pr->key));
			const char *v = scalar(d, yaml_document_get_node(d, pr->value));

			if (!k || !v || (size_t)snprintf(str, sizeof(str), "%s=%s", k, v) >= sizeof(str))
				return bf_error_ret(EINVAL, "manifest: bad entry in 'params'");
			if ((r = bf_bfb_pack_set_param(p, str)) < 0)
				return r;
		}
	}
	from = map_get(d, root, "from");
	if (from) {
		if (from->type != YAML_SEQUENCE_NODE)
			return bf_error_ret(EINVAL, "manifest: 'from' must be a list of BFB files");
		for (it = from->data.sequence.items.start; it < from->data.sequence.items.top; it++) {
			const char *f = scalar(d, yaml_document_get_node(d, *it));

			if (!f || bf_bfb_recipe_subst(p, f, str, sizeof(str)) < 0 ||
			    join(path, sizeof(path), base, str) < 0)
				return bf_error_ret(EINVAL, "manifest: bad entry in 'from'");
			if ((r = bf_bfb_pack_add_bfb(p, path)) < 0)
				return r;
		}
	}
	imgs = map_get(d, root, "images");
	if (!imgs || imgs->type != YAML_SEQUENCE_NODE)
		return bf_error_ret(EINVAL, "manifest: 'images' must be a list");
	for (it = imgs->data.sequence.items.start; it < imgs->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(d, *it);
		unsigned idx = (unsigned)(it - imgs->data.sequence.items.start), kinds = 0, k;
		const char *name, *file, *text;
		uint8_t id, ver;
		char where[48], nm[64];

		snprintf(where, sizeof(where), "manifest: images[%u]", idx);
		if (!n || n->type != YAML_MAPPING_NODE)
			return bf_error_ret(EINVAL, "%s: must be a mapping with a name and its content", where);
		if ((r = check_keys(d, n, img_keys, where)) < 0)
			return r;
		for (k = 0; k < sizeof(content) / sizeof(content[0]); k++)
			kinds += map_get(d, n, content[k]) != NULL;
		name = scalar(d, map_get(d, n, "name"));
		file = scalar(d, map_get(d, n, "file"));
		text = scalar(d, map_get(d, n, "text"));
		if (!name || kinds != 1)
			return bf_error_ret(EINVAL, "%s: needs a name and exactly one of file, text, fill, info, initramfs", where);
		if (bf_bfb_recipe_subst(p, name, nm, sizeof(nm)) < 0 || bf_bfb_name_parse(nm, &id, &ver) < 0)
			return bf_error_ret(EINVAL, "%s: unknown image name '%s'", where, name);
		if (text) {
			if ((r = bf_bfb_recipe_subst(p, text, str, sizeof(str))) < 0)
				return r;
			r = bf_bfb_pack_add_data(p, id, ver, str, strlen(str));
		} else if (file) {
			if (bf_bfb_recipe_subst(p, file, str, sizeof(str)) < 0 ||
			    join(path, sizeof(path), base, str) < 0)
				return bf_error_ret(EINVAL, "%s: bad file name", where);
			r = bf_bfb_pack_add_file(p, id, ver, path);
		} else {
			r = generated(p, d, n, base, id, ver, where);
		}
		if (r < 0)
			return r;
	}
	/* A parameter the manifest never uses is a mistake (size_mb for
	 * size_mib), not something to ignore with the default in its place. */
	for (i = 0; i < given; i++)
		if (!p->param_used[i])
			return bf_error_ret(EINVAL, "--param %s: the manifest uses no parameter of that name", p->param_key[i]);
	return 0;
}

int bf_bfb_pack_add_manifest_buf(struct bf_bfb_pack *p, const char *buf, size_t len, const char *base_dir)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int r;

	if (len > MANIFEST_MAX)
		return bf_error_ret(EFBIG, "manifest larger than %u bytes", MANIFEST_MAX);
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		r = bf_error_ret(EINVAL, "manifest: YAML error at line %lu column %lu: %s",
				 (unsigned long)parser.problem_mark.line + 1,
				 (unsigned long)parser.problem_mark.column + 1,
				 parser.problem ? parser.problem : "malformed");
		yaml_parser_delete(&parser);
		return r;
	}
	r = load(p, &doc, base_dir);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return r;
}

int bf_bfb_pack_add_manifest(struct bf_bfb_pack *p, const char *path)
{
	char base[PATH_MAX], *buf, *slash;
	size_t len;
	int r;

	r = bf_file_read_all(path, MANIFEST_MAX, &buf, &len);
	if (r < 0)
		return r;
	snprintf(base, sizeof(base), "%s", path);
	slash = strrchr(base, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(base, ".");
	r = bf_bfb_pack_add_manifest_buf(p, buf, len, base);
	free(buf);
	return r;
}
