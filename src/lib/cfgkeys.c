/* cfgkeys.c - loading and querying bfcfg/keys.yaml. */
#include "config.h"
#include "cfgkeys.h"
#include "strdist.h"
#include "error.h"
#include "fileio.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "yamlnode.h"

#define KEYS_MAX_BYTES (1u << 20)
#define KEYS_MAX       4096

static const struct { const char *name; enum bf_cfgkey_type t; } types[] = {
	{ "yesno", BF_CFGKEY_YESNO }, { "truefalse", BF_CFGKEY_TRUEFALSE }, { "int", BF_CFGKEY_INT },
	{ "string", BF_CFGKEY_STRING }, { "ip", BF_CFGKEY_IP }, { "mac", BF_CFGKEY_MAC },
	{ "path", BF_CFGKEY_PATH }, { "crypt", BF_CFGKEY_CRYPT }, { "pbkdf2", BF_CFGKEY_PBKDF2 },
	{ "list", BF_CFGKEY_LIST }, { "enum", BF_CFGKEY_ENUM }, { "bootentry", BF_CFGKEY_BOOTENTRY },
};

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int load_key(yaml_document_t *d, yaml_node_t *n, struct bf_cfgkey *k, size_t i)
{
	const char *name = bf_yaml_scalar(bf_yaml_get(d, n, "name")), *type = bf_yaml_scalar(bf_yaml_get(d, n, "type")), *v;
	yaml_node_t *vals = bf_yaml_get(d, n, "values"), *idx = bf_yaml_get(d, n, "index");
	size_t t;

	memset(k, 0, sizeof(*k));
	if (!name || !type)
		return bf_error_ret(EINVAL, "keys.yaml: keys[%zu] needs a name and a type", i);
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		if (!strcmp(type, types[t].name))
			break;
	if (t == sizeof(types) / sizeof(types[0]))
		return bf_error_ret(EINVAL, "keys.yaml: %s has unknown type '%s'", name, type);
	k->type = types[t].t;
	k->name = strdup(name);
	k->def = dup_or_empty(bf_yaml_scalar(bf_yaml_get(d, n, "default")));
	k->step = dup_or_empty(bf_yaml_scalar(bf_yaml_get(d, n, "step")));
	k->meaning = dup_or_empty(bf_yaml_scalar(bf_yaml_get(d, n, "meaning")));
	k->overridden = (v = bf_yaml_scalar(bf_yaml_get(d, n, "overridden"))) ? strdup(v) : NULL;
	k->secret = (v = bf_yaml_scalar(bf_yaml_get(d, n, "secret"))) && !strcmp(v, "true");
	k->min = (v = bf_yaml_scalar(bf_yaml_get(d, n, "min"))) ? strtoll(v, NULL, 10) : INT64_MIN;
	k->max = (v = bf_yaml_scalar(bf_yaml_get(d, n, "max"))) ? strtoll(v, NULL, 10) : INT64_MAX;
	k->max_len = (v = bf_yaml_scalar(bf_yaml_get(d, n, "max_len"))) ? strtoul(v, NULL, 10) : 0;
	if (vals && vals->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *it;

		for (it = vals->data.sequence.items.start;
		     it < vals->data.sequence.items.top && k->nvalues < BF_CFGKEY_MAX_VALUES; it++)
			if ((v = bf_yaml_scalar(yaml_document_get_node(d, *it))))
				k->values[k->nvalues++] = strdup(v);
	}
	if (idx && idx->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *p;

		/* In the order the placeholders appear in the name. */
		for (p = idx->data.mapping.pairs.start; p < idx->data.mapping.pairs.top && k->nidx < 4; p++) {
			yaml_node_t *r = yaml_document_get_node(d, p->value);

			if (!r || r->type != YAML_SEQUENCE_NODE ||
			    r->data.sequence.items.top - r->data.sequence.items.start != 2)
				return bf_error_ret(EINVAL, "keys.yaml: %s: index ranges are [min, max]", name);
			k->idx_min[k->nidx] = strtoll(bf_yaml_scalar(yaml_document_get_node(d, r->data.sequence.items.start[0])) ?: "0", NULL, 10);
			k->idx_max[k->nidx] = strtoll(bf_yaml_scalar(yaml_document_get_node(d, r->data.sequence.items.start[1])) ?: "0", NULL, 10);
			k->nidx++;
		}
	}
	return k->name && k->def && k->step && k->meaning ? 0 : -ENOMEM;
}

int bf_cfgkeys_parse(const char *buf, size_t len, struct bf_cfgkeys *k)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *keys, *hooks, *steps;
	yaml_node_item_t *it;
	int r = 0;

	memset(k, 0, sizeof(*k));
	if (len > KEYS_MAX_BYTES)
		return bf_error_ret(EFBIG, "keys.yaml is larger than %u bytes", KEYS_MAX_BYTES);
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		r = bf_error_ret(EINVAL, "keys.yaml: YAML error at line %lu: %s",
				 (unsigned long)parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "malformed");
		yaml_parser_delete(&parser);
		return r;
	}
	root = yaml_document_get_root_node(&doc);
	keys = bf_yaml_get(&doc, root, "keys");
	hooks = bf_yaml_get(&doc, root, "hooks");
	steps = bf_yaml_get(&doc, root, "steps");
	if (!keys || keys->type != YAML_SEQUENCE_NODE) {
		r = bf_error_ret(EINVAL, "keys.yaml: 'keys' must be a list");
		goto out;
	}
	k->keys = calloc((size_t)(keys->data.sequence.items.top - keys->data.sequence.items.start) + 1,
			 sizeof(*k->keys));
	for (it = keys->data.sequence.items.start; r == 0 && k->keys && it < keys->data.sequence.items.top; it++) {
		if (k->nkeys == KEYS_MAX) {
			r = bf_error_ret(E2BIG, "keys.yaml: more than %d keys", KEYS_MAX);
			break;
		}
		r = load_key(&doc, yaml_document_get_node(&doc, *it), &k->keys[k->nkeys], k->nkeys);
		k->nkeys++;
	}
	if (r == 0 && hooks && hooks->type == YAML_SEQUENCE_NODE) {
		k->hooks = calloc((size_t)(hooks->data.sequence.items.top - hooks->data.sequence.items.start) + 1,
				  sizeof(*k->hooks));
		for (it = hooks->data.sequence.items.start; k->hooks && it < hooks->data.sequence.items.top; it++) {
			yaml_node_t *h = yaml_document_get_node(&doc, *it);

			if (!bf_yaml_scalar(bf_yaml_get(&doc, h, "name")))
				continue;
			k->hooks[k->nhooks].name = strdup(bf_yaml_scalar(bf_yaml_get(&doc, h, "name")));
			k->hooks[k->nhooks].when = dup_or_empty(bf_yaml_scalar(bf_yaml_get(&doc, h, "when")));
			k->nhooks++;
		}
	}
	if (r == 0 && steps && steps->type == YAML_MAPPING_NODE) {
		size_t n = (size_t)(steps->data.mapping.pairs.top - steps->data.mapping.pairs.start);
		yaml_node_pair_t *p;

		k->steps = calloc(n + 1, sizeof(char *));
		k->step_desc = calloc(n + 1, sizeof(char *));
		for (p = steps->data.mapping.pairs.start; k->steps && k->step_desc && p < steps->data.mapping.pairs.top; p++) {
			k->steps[k->nsteps] = dup_or_empty(bf_yaml_scalar(yaml_document_get_node(&doc, p->key)));
			k->step_desc[k->nsteps] = dup_or_empty(bf_yaml_scalar(yaml_document_get_node(&doc, p->value)));
			k->nsteps++;
		}
	}
	if (r == 0 && !k->keys)
		r = -ENOMEM;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (r < 0)
		bf_cfgkeys_free(k);
	return r;
}

int bf_cfgkeys_load(struct bf_cfgkeys *k)
{
	char path[PATH_MAX], *buf;
	size_t len;
	int r;

	if ((r = bf_data_path("bfcfg/keys.yaml", path, sizeof(path))) < 0)
		return r;
	if ((r = bf_file_read_all(path, KEYS_MAX_BYTES, &buf, &len)) < 0)
		return r;
	r = bf_cfgkeys_parse(buf, len, k);
	free(buf);
	return r;
}

void bf_cfgkeys_free(struct bf_cfgkeys *k)
{
	size_t i, j;

	for (i = 0; k->keys && i < k->nkeys; i++) {
		free(k->keys[i].name);
		free(k->keys[i].def);
		free(k->keys[i].step);
		free(k->keys[i].meaning);
		free(k->keys[i].overridden);
		for (j = 0; j < k->keys[i].nvalues; j++)
			free(k->keys[i].values[j]);
	}
	for (i = 0; k->hooks && i < k->nhooks; i++) {
		free(k->hooks[i].name);
		free(k->hooks[i].when);
	}
	for (i = 0; i < k->nsteps; i++) {
		free(k->steps[i]);
		free(k->step_desc[i]);
	}
	free(k->keys);
	free(k->hooks);
	free(k->steps);
	free(k->step_desc);
	memset(k, 0, sizeof(*k));
}

/* Does name match pattern, with <x> standing for a number within range? */
static bool match(const struct bf_cfgkey *k, const char *name)
{
	const char *p = k->name, *s = name;
	unsigned idx = 0;

	while (*p) {
		if (*p == '<') {
			const char *close = strchr(p, '>');
			int64_t v = 0;
			unsigned digits = 0;

			if (!close)
				return false;
			while (*s >= '0' && *s <= '9' && digits < 6) {
				v = v * 10 + (*s++ - '0');
				digits++;
			}
			if (!digits || (digits > 1 && s[-(int)digits] == '0'))
				return false;
			if (idx < k->nidx && (v < k->idx_min[idx] || v > k->idx_max[idx]))
				return false;
			idx++;
			p = close + 1;
			continue;
		}
		if (*p++ != *s++)
			return false;
	}
	return *s == '\0';
}

const struct bf_cfgkey *bf_cfgkeys_find(const struct bf_cfgkeys *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->nkeys; i++)
		if (match(&k->keys[i], name))
			return &k->keys[i];
	return NULL;
}

const struct bf_cfghook *bf_cfgkeys_hook(const struct bf_cfgkeys *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->nhooks; i++)
		if (!strcmp(k->hooks[i].name, name))
			return &k->hooks[i];
	return NULL;
}

const char *bf_cfgkeys_suggest(const struct bf_cfgkeys *k, const char *name)
{
	const char *best = NULL;
	unsigned bestd = 3, d;
	size_t i;

	for (i = 0; i < k->nkeys; i++) {
		if (strchr(k->keys[i].name, '<'))
			continue;
		if (!strcasecmp(k->keys[i].name, name))
			return k->keys[i].name;
		d = bf_str_distance(name, k->keys[i].name);
		if (d < bestd) {
			bestd = d;
			best = k->keys[i].name;
		}
	}
	return best;
}
