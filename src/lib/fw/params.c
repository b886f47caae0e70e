/* fw/params.c - loading firmware/params.yaml; names and values. */
#include "config.h"
#include "fw/params.h"
#include "fw/layout.h"
#include "error.h"
#include "fileio.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "yamlnode.h"

#define PARAMS_MAX_BYTES (1u << 20)
#define PARAMS_MAX       2048

static int num(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno || *end || *v > max ? -EINVAL : 0;
}

/* "B.b" -> byte offset (4-aligned) and bit. */
static int bitpos(const char *s, uint16_t *off, uint8_t *lsb)
{
	unsigned long b, bit;
	char *end;

	if (!s || !*s)
		return -EINVAL;
	b = strtoul(s, &end, 0);
	if (*end != '.' || !end[1] || b > 0xfc || (b & 3))
		return -EINVAL;
	bit = strtoul(end + 1, &end, 10);
	if (*end || bit > 31)
		return -EINVAL;
	*off = (uint16_t)b;
	*lsb = (uint8_t)bit;
	return 0;
}

static int find_tlv(const struct bf_fw_params *db, const char *name, size_t *i)
{
	for (*i = 0; name && *i < db->ntlvs; (*i)++)
		if (!strcmp(db->tlvs[*i].name, name))
			return 0;
	return -ENOENT;
}

/* A capability reference: { tlv:, offset:, width: (1), valid: } */
static int load_fref(const struct bf_fw_params *db, yaml_document_t *d, yaml_node_t *n, struct bf_fw_fref *f,
		     const char *pname, const char *what)
{
	unsigned long w = 1;

	memset(f, 0, sizeof(*f));
	if (!n)
		return 0;
	if (n->type != YAML_MAPPING_NODE || find_tlv(db, bf_yaml_scalar(bf_yaml_get(d, n, "tlv")), &f->tlv) < 0 ||
	    bitpos(bf_yaml_scalar(bf_yaml_get(d, n, "offset")), &f->off, &f->lsb) < 0 ||
	    (bf_yaml_get(d, n, "width") && num(bf_yaml_scalar(bf_yaml_get(d, n, "width")), 32, &w) < 0) || !w || f->lsb + w > 32)
		return bf_error_ret(EINVAL, "params.yaml: %s: bad %s (needs tlv, offset \"B.b\", width)", pname, what);
	f->width = (uint8_t)w;
	if (bf_yaml_get(d, n, "valid")) {
		if (bitpos(bf_yaml_scalar(bf_yaml_get(d, n, "valid")), &f->valid_off, &f->valid_lsb) < 0)
			return bf_error_ret(EINVAL, "params.yaml: %s: bad valid bit in %s", pname, what);
		f->has_valid = true;
	}
	if (f->off + 4u > db->tlvs[f->tlv].size && db->tlvs[f->tlv].size)
		return bf_error_ret(EINVAL, "params.yaml: %s: %s lies outside TLV %s", pname, what, db->tlvs[f->tlv].name);
	f->set = true;
	return 0;
}

static int load_param(struct bf_fw_params *db, yaml_document_t *d, yaml_node_t *n, struct bf_fw_param *p, size_t i)
{
	const char *name = bf_yaml_scalar(bf_yaml_get(d, n, "name")), *type = bf_yaml_scalar(bf_yaml_get(d, n, "type")), *v;
	yaml_node_t *vals = bf_yaml_get(d, n, "values"), *max = bf_yaml_get(d, n, "max");
	unsigned long w, x;
	int r;

	memset(p, 0, sizeof(*p));
	if (!name || !*name)
		return bf_error_ret(EINVAL, "params.yaml: params[%zu] has no name", i);
	if (!(p->name = strdup(name)))
		return -ENOMEM;
	if (find_tlv(db, bf_yaml_scalar(bf_yaml_get(d, n, "tlv")), &p->tlv) < 0)
		return bf_error_ret(EINVAL, "params.yaml: %s: unknown tlv '%s'", name, bf_yaml_scalar(bf_yaml_get(d, n, "tlv")) ?: "");
	if (db->tlvs[p->tlv].cap)
		return bf_error_ret(EINVAL, "params.yaml: %s lives in capability TLV %s", name, db->tlvs[p->tlv].name);
	if (bitpos(bf_yaml_scalar(bf_yaml_get(d, n, "offset")), &p->off, &p->lsb) < 0 || num(bf_yaml_scalar(bf_yaml_get(d, n, "width")), 32, &w) < 0 || !w ||
	    p->lsb + w > 32 || p->off + 4u > db->tlvs[p->tlv].size)
		return bf_error_ret(EINVAL, "params.yaml: %s: bad offset/width (\"B.b\" inside the %u-byte TLV, width 1-32)",
				    name, db->tlvs[p->tlv].size);
	p->width = (uint8_t)w;
	p->max = w >= 32 ? 0xffffffffu : (1u << w) - 1;
	if (!type || !strcmp(type, "uint")) {
		p->type = BF_FW_PT_UINT;
	} else if (!strcmp(type, "bool")) {
		p->type = BF_FW_PT_BOOL;
		p->max = 1;
	} else if (!strcmp(type, "enum")) {
		yaml_node_pair_t *pr;

		p->type = BF_FW_PT_ENUM;
		if (!vals || vals->type != YAML_MAPPING_NODE)
			return bf_error_ret(EINVAL, "params.yaml: %s: an enum needs values { TEXT: n, ... }", name);
		for (pr = vals->data.mapping.pairs.start; pr < vals->data.mapping.pairs.top; pr++) {
			const char *t = bf_yaml_scalar(yaml_document_get_node(d, pr->key));

			if (p->nvalues == BF_FW_PARAM_MAX_VALUES || !t ||
			    num(bf_yaml_scalar(yaml_document_get_node(d, pr->value)), p->max, &x) < 0)
				return bf_error_ret(EINVAL, "params.yaml: %s: bad or too many values", name);
			p->texts[p->nvalues] = strdup(t);
			p->nums[p->nvalues++] = (uint32_t)x;
		}
	} else {
		return bf_error_ret(EINVAL, "params.yaml: %s: unknown type '%s' (bool, enum, uint)", name, type);
	}
	if ((v = bf_yaml_scalar(bf_yaml_get(d, n, "min")))) {
		if (num(v, p->max, &x) < 0)
			return bf_error_ret(EINVAL, "params.yaml: %s: bad min", name);
		p->min = (uint32_t)x;
	}
	if (max && bf_yaml_scalar(max)) {
		if (num(bf_yaml_scalar(max), p->max, &x) < 0)
			return bf_error_ret(EINVAL, "params.yaml: %s: bad max", name);
		p->max = (uint32_t)x;
	} else if ((r = load_fref(db, d, max, &p->max_cap, name, "max")) < 0) {
		return r;
	}
	if (p->max_cap.set && !db->tlvs[p->max_cap.tlv].cap)
		return bf_error_ret(EINVAL, "params.yaml: %s: max must come from a capability TLV", name);
	if ((v = bf_yaml_scalar(bf_yaml_get(d, n, "valid")))) {
		if (bitpos(v, &p->valid.off, &p->valid.lsb) < 0 || p->valid.off + 4u > db->tlvs[p->tlv].size)
			return bf_error_ret(EINVAL, "params.yaml: %s: bad valid bit", name);
		p->valid.set = true;
		p->valid.tlv = p->tlv;
		p->valid.width = 1;
	}
	if ((r = load_fref(db, d, bf_yaml_get(d, n, "supported"), &p->supported, name, "supported")) < 0)
		return r;
	p->description = strdup(bf_yaml_scalar(bf_yaml_get(d, n, "description")) ?: "");
	return p->description ? 0 : -ENOMEM;
}

int bf_fw_params_parse(const char *buf, size_t len, struct bf_fw_params *db)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *tl, *pl;
	yaml_node_item_t *it;
	int r = 0;

	memset(db, 0, sizeof(*db));
	if (len > PARAMS_MAX_BYTES)
		return bf_error_ret(EFBIG, "params.yaml is larger than %u bytes", PARAMS_MAX_BYTES);
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		r = bf_error_ret(EINVAL, "params.yaml: YAML error at line %lu: %s",
				 (unsigned long)parser.problem_mark.line + 1, parser.problem ? parser.problem : "malformed");
		yaml_parser_delete(&parser);
		return r;
	}
	root = yaml_document_get_root_node(&doc);
	tl = bf_yaml_get(&doc, root, "tlvs");
	pl = bf_yaml_get(&doc, root, "params");
	if (!tl || tl->type != YAML_SEQUENCE_NODE || !pl || pl->type != YAML_SEQUENCE_NODE) {
		r = bf_error_ret(EINVAL, "params.yaml: needs the lists 'tlvs' and 'params'");
		goto out;
	}
	db->tlvs = calloc((size_t)(tl->data.sequence.items.top - tl->data.sequence.items.start) + 1, sizeof(*db->tlvs));
	db->p = calloc((size_t)(pl->data.sequence.items.top - pl->data.sequence.items.start) + 1, sizeof(*db->p));
	if (!db->tlvs || !db->p) {
		r = -ENOMEM;
		goto out;
	}
	for (it = tl->data.sequence.items.start; r == 0 && it < tl->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(&doc, *it);
		struct bf_fw_tlv *t = &db->tlvs[db->ntlvs];
		const char *name = bf_yaml_scalar(bf_yaml_get(&doc, n, "name")), *cap = bf_yaml_scalar(bf_yaml_get(&doc, n, "cap"));
		unsigned long cls, idx, size;

		if (!name || num(bf_yaml_scalar(bf_yaml_get(&doc, n, "class")), 0xff, &cls) < 0 || num(bf_yaml_scalar(bf_yaml_get(&doc, n, "index")), 0xffffff, &idx) < 0 ||
		    num(bf_yaml_scalar(bf_yaml_get(&doc, n, "size")), BF_FW_NV_DATA_MAX, &size) < 0 || !size || (size & 3)) {
			r = bf_error_ret(EINVAL, "params.yaml: tlvs[%zu] needs name, class, index and size (4..256, a multiple of 4)",
					 db->ntlvs);
			break;
		}
		t->name = strdup(name);
		t->cls = (unsigned)cls;
		t->index = (unsigned)idx;
		t->size = (unsigned)size;
		t->cap = cap && !strcmp(cap, "true");
		db->ntlvs++;
	}
	for (it = pl->data.sequence.items.start; r == 0 && it < pl->data.sequence.items.top; it++) {
		size_t j;

		if (db->n == PARAMS_MAX) {
			r = bf_error_ret(E2BIG, "params.yaml: more than %d parameters", PARAMS_MAX);
			break;
		}
		r = load_param(db, &doc, yaml_document_get_node(&doc, *it), &db->p[db->n], db->n);
		db->n++;
		for (j = 0; r == 0 && j + 1 < db->n; j++)
			if (!strcasecmp(db->p[j].name, db->p[db->n - 1].name))
				r = bf_error_ret(EINVAL, "params.yaml: %s is listed twice", db->p[j].name);
	}
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (r < 0)
		bf_fw_params_free(db);
	return r;
}

int bf_fw_params_load(struct bf_fw_params *db)
{
	char path[PATH_MAX], *buf;
	size_t len;
	int r;

	memset(db, 0, sizeof(*db));
	if ((r = bf_data_path("firmware/params.yaml", path, sizeof(path))) < 0 ||
	    (r = bf_file_read_all(path, PARAMS_MAX_BYTES, &buf, &len)) < 0)
		return r;
	r = bf_fw_params_parse(buf, len, db);
	free(buf);
	return r;
}

void bf_fw_params_free(struct bf_fw_params *db)
{
	size_t i, j;

	for (i = 0; db->tlvs && i < db->ntlvs; i++)
		free(db->tlvs[i].name);
	for (i = 0; db->p && i < db->n; i++) {
		free(db->p[i].name);
		free(db->p[i].description);
		for (j = 0; j < db->p[i].nvalues; j++)
			free(db->p[i].texts[j]);
	}
	free(db->tlvs);
	free(db->p);
	memset(db, 0, sizeof(*db));
}

bool bf_fw_param_per_port(const struct bf_fw_params *db, const struct bf_fw_param *p)
{
	return db->tlvs[p->tlv].cls == BF_FW_NV_CLASS_PORT;
}

static unsigned distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned c = toupper((unsigned char)a[i - 1]) == toupper((unsigned char)b[j - 1]) ? 0 : 1;

			tmp = row[j];
			row[j] = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			if (prev + c < row[j])
				row[j] = prev + c;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *bf_fw_params_suggest(const struct bf_fw_params *db, const char *name)
{
	static __thread char best_name[80];
	unsigned best = 99, limit = (unsigned)strlen(name) / 3;
	size_t i;

	if (limit < 3)
		limit = 3;
	for (i = 0; i < db->n; i++) {
		char full[80];
		unsigned dd;

		if (bf_fw_param_per_port(db, &db->p[i]))
			snprintf(full, sizeof(full), "%s_P1", db->p[i].name);
		else
			snprintf(full, sizeof(full), "%s", db->p[i].name);
		dd = distance(name, full);
		if (dd < best) {
			best = dd;
			snprintf(best_name, sizeof(best_name), "%s", full);
		}
	}
	return best <= limit ? best_name : NULL;
}

const struct bf_fw_param *bf_fw_params_find(const struct bf_fw_params *db, const char *name, unsigned nports,
					    unsigned *port)
{
	const char *sug;
	size_t i, n;

	*port = 0;
	for (i = 0; i < db->n; i++) {
		const struct bf_fw_param *p = &db->p[i];

		n = strlen(p->name);
		if (!bf_fw_param_per_port(db, p)) {
			if (!strcasecmp(name, p->name))
				return p;
			continue;
		}
		if (!strncasecmp(name, p->name, n) && (name[n] == '_') && toupper((unsigned char)name[n + 1]) == 'P' &&
		    name[n + 2] >= '1' && name[n + 2] <= '9' && !name[n + 3]) {
			*port = (unsigned)(name[n + 2] - '0');
			if (*port > nports) {
				bf_error_set("%s: the device has %u port%s", name, nports, nports == 1 ? "" : "s");
				return NULL;
			}
			return p;
		}
		if (!strcasecmp(name, p->name)) {
			bf_error_set("%s is set per port: use %s_P1 ... %s_P%u", p->name, p->name, p->name, nports);
			return NULL;
		}
	}
	sug = bf_fw_params_suggest(db, name);
	if (sug)
		bf_error_set("unknown parameter %s (did you mean %s?)", name, sug);
	else
		bf_error_set("unknown parameter %s (see 'bfctl fw config DEV query' for the list)", name);
	return NULL;
}

void bf_fw_param_name(const struct bf_fw_param *p, unsigned port, char *buf, size_t len)
{
	if (port)
		snprintf(buf, len, "%s_P%u", p->name, port);
	else
		snprintf(buf, len, "%s", p->name);
}

uint32_t bf_fw_param_type(const struct bf_fw_params *db, const struct bf_fw_param *p, unsigned port)
{
	const struct bf_fw_tlv *t = &db->tlvs[p->tlv];

	return bf_fw_nv_type(t->cls, t->index, port, 0, 0);
}

uint32_t bf_fw_fref_type(const struct bf_fw_params *db, const struct bf_fw_fref *f)
{
	const struct bf_fw_tlv *t = &db->tlvs[f->tlv];

	return bf_fw_nv_type(t->cls, t->index, t->cls == BF_FW_NV_CLASS_PORT ? 1 : 0, 0, 0);
}

static int parse_num(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || x > 0xffffffffull)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

/* The number a text means for p, or -EINVAL. */
static int text_value(const struct bf_fw_param *p, const char *t, size_t len, uint32_t *v)
{
	unsigned i;

	if (p->type == BF_FW_PT_BOOL) {
		if (len == 4 && !strncasecmp(t, "true", 4))
			return *v = 1, 0;
		if (len == 5 && !strncasecmp(t, "false", 5))
			return *v = 0, 0;
	}
	for (i = 0; i < p->nvalues; i++)
		if (strlen(p->texts[i]) == len && !strncasecmp(t, p->texts[i], len))
			return *v = p->nums[i], 0;
	return -EINVAL;
}

static void texts_of(const struct bf_fw_param *p, char *buf, size_t len)
{
	size_t o = 0;
	unsigned i;

	buf[0] = '\0';
	if (p->type == BF_FW_PT_BOOL) {
		snprintf(buf, len, "True or False (1 or 0)");
		return;
	}
	for (i = 0; i < p->nvalues && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s(%u)", i ? ", " : "", p->texts[i], p->nums[i]);
}

int bf_fw_param_parse_value(const struct bf_fw_param *p, const char *text, uint32_t *v)
{
	const char *lp = strchr(text, '(');
	char vals[256];
	unsigned i;

	texts_of(p, vals, sizeof(vals));
	if (lp && lp > text && text[strlen(text) - 1] == ')') {
		/* TEXT(n), as mlxconfig prints: both parts must agree. */
		char n[24];
		uint32_t a, b;
		size_t nl = strlen(lp + 1) - 1;

		if (nl == 0 || nl >= sizeof(n))
			goto bad;
		memcpy(n, lp + 1, nl);
		n[nl] = '\0';
		if (text_value(p, text, (size_t)(lp - text), &a) < 0 || parse_num(n, &b) < 0)
			goto bad;
		if (a != b)
			return bf_error_ret(EINVAL, "%s: %.*s is %u, not %u", p->name, (int)(lp - text), text, a, b);
		*v = a;
	} else if (text_value(p, text, strlen(text), v) < 0 && parse_num(text, v) < 0) {
		goto bad;
	}
	if (p->type == BF_FW_PT_ENUM) {
		for (i = 0; i < p->nvalues && p->nums[i] != *v; i++)
			;
		if (i == p->nvalues)
			return bf_error_ret(EINVAL, "%s: %u is not one of %s", p->name, *v, vals);
	}
	if (*v < p->min || *v > p->max)
		return bf_error_ret(EINVAL, "%s: %u is out of range (%u to %u)", p->name, *v, p->min, p->max);
	return 0;
bad:
	if (p->type == BF_FW_PT_UINT)
		return bf_error_ret(EINVAL, "%s: '%s' is not a number (%u to %u)", p->name, text, p->min, p->max);
	return bf_error_ret(EINVAL, "%s: '%s' is not a value of it (%s)", p->name, text, vals);
}

void bf_fw_param_format(const struct bf_fw_param *p, uint32_t v, char *buf, size_t len)
{
	unsigned i;

	if (p->type == BF_FW_PT_BOOL && v <= 1) {
		snprintf(buf, len, "%s(%u)", v ? "True" : "False", v);
		return;
	}
	for (i = 0; i < p->nvalues; i++)
		if (p->nums[i] == v) {
			snprintf(buf, len, "%s(%u)", p->texts[i], v);
			return;
		}
	snprintf(buf, len, "%u", v);
}
