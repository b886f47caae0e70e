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
#include "error.h"
#include "fileio.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MANIFEST_MAX (1u << 20)
#define TEXT_MAX     (1u << 20)

static const char *scalar(yaml_document_t *d, yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
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

static int load(struct bf_bfb_pack *p, yaml_document_t *d, const char *base)
{
	static const char *const top_keys[] = { "from", "images", NULL };
	static const char *const img_keys[] = { "name", "file", "text", NULL };
	yaml_node_t *root = yaml_document_get_root_node(d), *from, *imgs;
	yaml_node_item_t *it;
	char path[PATH_MAX];
	int r;

	if (!root || root->type != YAML_MAPPING_NODE)
		return bf_error_ret(EINVAL, "manifest: the top level must be a mapping with 'images'");
	if ((r = check_keys(d, root, top_keys, "manifest")) < 0)
		return r;
	from = map_get(d, root, "from");
	if (from) {
		if (from->type != YAML_SEQUENCE_NODE)
			return bf_error_ret(EINVAL, "manifest: 'from' must be a list of BFB files");
		for (it = from->data.sequence.items.start; it < from->data.sequence.items.top; it++) {
			const char *f = scalar(d, yaml_document_get_node(d, *it));

			if (!f || join(path, sizeof(path), base, f) < 0)
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
		unsigned idx = (unsigned)(it - imgs->data.sequence.items.start);
		const char *name, *file, *text;
		uint8_t id, ver;
		char where[48];

		snprintf(where, sizeof(where), "manifest: images[%u]", idx);
		if (!n || n->type != YAML_MAPPING_NODE)
			return bf_error_ret(EINVAL, "%s: must be a mapping with name and file or text", where);
		if ((r = check_keys(d, n, img_keys, where)) < 0)
			return r;
		name = scalar(d, map_get(d, n, "name"));
		file = scalar(d, map_get(d, n, "file"));
		text = scalar(d, map_get(d, n, "text"));
		if (!name || (!file == !text))
			return bf_error_ret(EINVAL, "%s: needs a name and exactly one of file or text", where);
		if ((r = bf_bfb_name_parse(name, &id, &ver)) < 0)
			return bf_error_ret(EINVAL, "%s: unknown image name '%s'", where, name);
		if (text) {
			size_t tl = strlen(text);

			if (tl > TEXT_MAX)
				return bf_error_ret(EFBIG, "%s: text longer than %u bytes", where, TEXT_MAX);
			r = bf_bfb_pack_add_data(p, id, ver, text, tl);
		} else {
			if (join(path, sizeof(path), base, file) < 0)
				return bf_error_ret(EINVAL, "%s: bad file name", where);
			r = bf_bfb_pack_add_file(p, id, ver, path);
		}
		if (r < 0)
			return r;
	}
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
