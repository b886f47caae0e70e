/* inventory.c - the fleet inventory from YAML (inventory.h). */
#include "config.h"
#include "inventory.h"
#include "error.h"
#include "escape.h"
#include "fetch.h"
#include "fileio.h"
#include "rshim/name.h"
#include "yamlnode.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *bf_inventory_errkind_name(enum bf_inventory_errkind k)
{
	static const char *const names[] = { "syntax", "type", "unknown-key", "missing",
					     "duplicate", "value", "limit" };

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

struct ctx {
	yaml_document_t *d;
	const char *base;
	struct bf_inventory_error *err;
};

static int fail(struct ctx *c, enum bf_inventory_errkind k, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct ctx *c, enum bf_inventory_errkind k, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	c->err->kind = k;
	c->err->line = n ? (unsigned)n->start_mark.line + 1 : 0;
	c->err->col = n ? (unsigned)n->start_mark.column + 1 : 0;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	return bf_error_ret(EINVAL, "%u:%u: %s", c->err->line, c->err->col, c->err->msg);
}

/* The fields a device may have; defaults take the last four. */
enum field { F_RSHIM, F_NAME, F_BFB, F_SHA256, F_CONFIG, F_PROFILE, F_N };
static const char *const field_names[F_N] = { "rshim", "name", "bfb", "sha256", "config", "profile" };

struct fields {
	const char *v[F_N];
	const yaml_node_t *at[F_N];
};

/* Valid UTF-8 without control characters: no C0, DEL or C1 (U+0080 to
 * U+009F, which some terminals obey as escape sequences). */
static bool printable(const char *s)
{
	size_t n = strlen(s), k;
	uint32_t cp;

	while (n) {
		if (!(k = bf_utf8_seq((const unsigned char *)s, n, &cp)) || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return false;
		s += k;
		n -= k;
	}
	return true;
}

/* A mapping's keys into f: every key known, once, with a scalar value. */
static int read_fields(struct ctx *c, yaml_node_t *map, bool defaults, const char *what, struct fields *f)
{
	yaml_node_pair_t *p;
	int i;

	memset(f, 0, sizeof(*f));
	if (map->type != YAML_MAPPING_NODE)
		return fail(c, BF_INV_ETYPE, map, "%s must be a mapping (key: value)", what);
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->d, p->key);
		yaml_node_t *v = yaml_document_get_node(c->d, p->value);
		const char *ks = bf_yaml_scalar(k);

		for (i = defaults ? F_BFB : 0; ks && i < F_N && strcmp(ks, field_names[i]); i++)
			;
		if (!ks || i == F_N)
			return fail(c, BF_INV_EUNKNOWN, k, "%s: unknown key '%.64s' (%s)", what, ks ? ks : "?",
				    defaults ? "bfb, sha256, config, profile" :
				    "rshim, name, bfb, sha256, config, profile");
		if (f->v[i])
			return fail(c, BF_INV_EDUPLICATE, k, "%s: '%s' is given twice", what, ks);
		if (!v || v->type != YAML_SCALAR_NODE)
			return fail(c, BF_INV_ETYPE, v, "%s: '%s' takes one value, not a list or mapping", what, ks);
		if (v->data.scalar.length > BF_INV_VALUE_MAX)
			return fail(c, BF_INV_ELIMIT, v, "%s: '%s' is longer than %d bytes", what, ks, BF_INV_VALUE_MAX);
		if (!v->data.scalar.length || strlen((const char *)v->data.scalar.value) != v->data.scalar.length ||
		    !printable((const char *)v->data.scalar.value))
			return fail(c, BF_INV_EVALUE, v, "%s: '%s' must be a non-empty line of UTF-8 text "
				    "without control characters", what, ks);
		f->v[i] = (const char *)v->data.scalar.value;
		f->at[i] = v;
	}
	return 0;
}

/* A path relative to the inventory, or a URL as it is. */
static char *resolve(struct ctx *c, const char *v)
{
	char *out;

	if (!v)
		return NULL;
	if (bf_fetch_is_url(v) || v[0] == '/' || !c->base)
		return strdup(v);
	if (asprintf(&out, "%s/%s", c->base, v) < 0)
		return NULL;
	return out;
}

static int check_values(struct ctx *c, const struct fields *f, const char *what)
{
	char hex[65];

	if (f->v[F_SHA256] && bf_fetch_parse_digest(f->v[F_SHA256], hex) < 0)
		return fail(c, BF_INV_EVALUE, f->at[F_SHA256], "%s: sha256 must be 64 hex digits (sha256:HEX too)", what);
	if (f->v[F_SHA256] && !f->v[F_BFB])
		return fail(c, BF_INV_EVALUE, f->at[F_SHA256], "%s: sha256 without a bfb to check", what);
	if (f->v[F_NAME] && (strlen(f->v[F_NAME]) > BF_INV_NAME_MAX))
		return fail(c, BF_INV_ELIMIT, f->at[F_NAME], "%s: a name has at most %d characters", what, BF_INV_NAME_MAX);
	if (f->v[F_RSHIM]) {
		bf_error_clear();
		if (bf_rshim_name_check(f->v[F_RSHIM]) < 0) {
			char why[200];

			snprintf(why, sizeof(why), "%s", bf_error_or("not a device name"));
			return fail(c, BF_INV_EVALUE, f->at[F_RSHIM], "%s: %s", what, why);
		}
	}
	return 0;
}

/* One device: its fields over the defaults. */
static int read_device(struct ctx *c, yaml_node_t *n, const struct fields *def, size_t idx,
		       struct bf_inventory_device *dev)
{
	struct fields f;
	char what[32];
	int i, r;

	snprintf(what, sizeof(what), "device %zu", idx + 1);
	if ((r = read_fields(c, n, false, what, &f)) < 0)
		return r;
	if (!f.v[F_RSHIM])
		return fail(c, BF_INV_EMISSING, n, "%s: 'rshim' (the device) is required", what);
	/* The defaults' sha256 is for the defaults' bfb: it comes only with it. */
	if (!f.v[F_BFB]) {
		f.v[F_BFB] = def->v[F_BFB];
		f.at[F_BFB] = def->at[F_BFB];
		if (!f.v[F_SHA256]) {
			f.v[F_SHA256] = def->v[F_SHA256];
			f.at[F_SHA256] = def->at[F_SHA256];
		}
	}
	for (i = F_CONFIG; i <= F_PROFILE; i++)
		if (!f.v[i]) {
			f.v[i] = def->v[i];
			f.at[i] = def->at[i];
		}
	if ((r = check_values(c, &f, what)) < 0)
		return r;
	if (!f.v[F_BFB] && !f.v[F_PROFILE])
		return fail(c, BF_INV_EMISSING, n, "%s: neither a bfb nor a profile (here or in defaults)", what);
	if (f.v[F_CONFIG] && f.v[F_PROFILE])
		return fail(c, BF_INV_EVALUE, f.at[F_CONFIG],
			    "%s: config and profile together (the profile's bfcfg: makes the bf.cfg)", what);
	dev->line = (unsigned)n->start_mark.line + 1;
	dev->rshim = strdup(f.v[F_RSHIM]);
	dev->name = strdup(f.v[F_NAME] ? f.v[F_NAME] : f.v[F_RSHIM]);
	dev->bfb = resolve(c, f.v[F_BFB]);
	dev->config = resolve(c, f.v[F_CONFIG]);
	dev->profile = resolve(c, f.v[F_PROFILE]);
	if (f.v[F_SHA256] && (dev->sha256 = malloc(65)))
		bf_fetch_parse_digest(f.v[F_SHA256], dev->sha256);
	if (!dev->rshim || !dev->name || (f.v[F_BFB] && !dev->bfb) || (f.v[F_CONFIG] && !dev->config) ||
	    (f.v[F_PROFILE] && !dev->profile) || (f.v[F_SHA256] && !dev->sha256))
		return bf_error_ret(ENOMEM, "out of memory");
	return 0;
}

static int check_unique(struct ctx *c, const struct bf_inventory *inv, yaml_node_t *seq)
{
	size_t i, j;

	for (i = 0; i < inv->n; i++)
		for (j = 0; j < i; j++) {
			yaml_node_t *n = yaml_document_get_node(c->d, seq->data.sequence.items.start[i]);

			if (!strcmp(inv->dev[i].rshim, inv->dev[j].rshim))
				return fail(c, BF_INV_EDUPLICATE, n, "device %zu: rshim '%s' is device %zu's too",
					    i + 1, inv->dev[i].rshim, j + 1);
			if (!strcmp(inv->dev[i].name, inv->dev[j].name))
				return fail(c, BF_INV_EDUPLICATE, n, "device %zu: name '%s' is device %zu's too",
					    i + 1, inv->dev[i].name, j + 1);
		}
	return 0;
}

static int read_doc(struct ctx *c, struct bf_inventory *inv)
{
	yaml_node_t *root = yaml_document_get_root_node(c->d), *def, *devs;
	struct fields defaults;
	bool seen_def = false, seen_dev = false;
	yaml_node_pair_t *p;
	size_t i, n;
	int r;

	if (!root)
		return fail(c, BF_INV_EMISSING, NULL, "the inventory is empty: it needs 'devices:'");
	if (root->type != YAML_MAPPING_NODE)
		return fail(c, BF_INV_ETYPE, root, "the inventory is a mapping with 'defaults:' and 'devices:'");
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->d, p->key);
		const char *ks = bf_yaml_scalar(k);

		bool *seen = ks && !strcmp(ks, "defaults") ? &seen_def : ks && !strcmp(ks, "devices") ? &seen_dev : NULL;

		if (!seen)
			return fail(c, BF_INV_EUNKNOWN, k, "unknown key '%.64s' (defaults, devices)", ks ? ks : "?");
		if (*seen)
			return fail(c, BF_INV_EDUPLICATE, k, "'%s' is given twice", ks);
		*seen = true;
	}
	memset(&defaults, 0, sizeof(defaults));
	def = bf_yaml_get(c->d, root, "defaults");
	if (def && !(def->type == YAML_SCALAR_NODE && !def->data.scalar.length) &&
	    (r = read_fields(c, def, true, "defaults", &defaults)) < 0)
		return r;
	if ((r = check_values(c, &defaults, "defaults")) < 0)
		return r;
	devs = bf_yaml_get(c->d, root, "devices");
	if (!devs)
		return fail(c, BF_INV_EMISSING, root, "'devices:' is required (a list of devices)");
	if (devs->type != YAML_SEQUENCE_NODE)
		return fail(c, BF_INV_ETYPE, devs, "'devices:' is a list ('- rshim: ...' items)");
	n = (size_t)(devs->data.sequence.items.top - devs->data.sequence.items.start);
	if (!n)
		return fail(c, BF_INV_EMISSING, devs, "'devices:' lists no device");
	if (n > BF_INV_MAX_DEVICES)
		return fail(c, BF_INV_ELIMIT, devs, "more than %d devices", BF_INV_MAX_DEVICES);
	if (!(inv->dev = calloc(n, sizeof(*inv->dev))))
		return bf_error_ret(ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		inv->n = i + 1;
		r = read_device(c, yaml_document_get_node(c->d, devs->data.sequence.items.start[i]),
				&defaults, i, &inv->dev[i]);
		if (r < 0)
			return r;
	}
	return check_unique(c, inv, devs);
}

int bf_inventory_parse(const char *buf, size_t len, const char *base_dir,
		       struct bf_inventory *inv, struct bf_inventory_error *err)
{
	struct bf_inventory_error scratch;
	struct ctx c = { .base = base_dir, .err = err ? err : &scratch };
	yaml_parser_t parser;
	yaml_document_t doc;
	int r;

	memset(inv, 0, sizeof(*inv));
	memset(c.err, 0, sizeof(*c.err));
	if (len > BF_INV_MAX_BYTES)
		return fail(&c, BF_INV_ELIMIT, NULL, "the inventory is larger than %u bytes", BF_INV_MAX_BYTES);
	if (!yaml_parser_initialize(&parser))
		return bf_error_ret(ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		c.err->kind = BF_INV_ESYNTAX;
		c.err->line = (unsigned)parser.problem_mark.line + 1;
		c.err->col = (unsigned)parser.problem_mark.column + 1;
		snprintf(c.err->msg, sizeof(c.err->msg), "not YAML: %s", parser.problem ? parser.problem : "?");
		yaml_parser_delete(&parser);
		return bf_error_ret(EINVAL, "%u:%u: %s", c.err->line, c.err->col, c.err->msg);
	}
	c.d = &doc;
	r = read_doc(&c, inv);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (r < 0)
		bf_inventory_free(inv);
	return r;
}

int bf_inventory_load(const char *path, struct bf_inventory *inv, struct bf_inventory_error *err)
{
	char *buf, *dir, *slash;
	size_t len;
	int r;

	memset(inv, 0, sizeof(*inv));
	if ((r = bf_file_read_all(path, BF_INV_MAX_BYTES, &buf, &len)) < 0) {
		if (err) {
			memset(err, 0, sizeof(*err));
			err->kind = BF_INV_ELIMIT;
			snprintf(err->msg, sizeof(err->msg), "%s", bf_error_str(r));
		}
		return r;
	}
	dir = strdup(path);
	if (dir && (slash = strrchr(dir, '/')))
		*slash = '\0';
	r = bf_inventory_parse(buf, len, dir && slash ? (dir[0] ? dir : "/") : NULL, inv, err);
	free(dir);
	free(buf);
	return r;
}

void bf_inventory_free(struct bf_inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->n; i++) {
		free(inv->dev[i].name);
		free(inv->dev[i].rshim);
		free(inv->dev[i].bfb);
		free(inv->dev[i].sha256);
		free(inv->dev[i].config);
		free(inv->dev[i].profile);
	}
	free(inv->dev);
	memset(inv, 0, sizeof(*inv));
}
