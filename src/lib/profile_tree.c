/* profile_tree.c - YAML to a positioned tree; include: and overrides. */
#include "config.h"
#include "profile_tree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

void bf_pdiag(struct bf_profile_result *res, enum bf_profile_sev sev, enum bf_profile_class cls,
	      const struct bf_profile_pos *pos, const char *path, const char *fmt, ...)
{
	struct bf_profile_diag *d;
	unsigned char *u;
	va_list ap;

	if (res->n == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 16;
		struct bf_profile_diag *nd;

		if (cap > 4096)
			return;             /* enough to act on; the count still grows */
		nd = realloc(res->d, cap * sizeof(*nd));
		if (!nd)
			return;
		res->d = nd;
		res->cap = cap;
	}
	d = &res->d[res->n++];
	memset(d, 0, sizeof(*d));
	d->sev = sev;
	d->cls = cls;
	if (pos)
		d->pos = *pos;
	snprintf(d->path, sizeof(d->path), "%s", path ? path : "");
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	/* Messages quote the profile: keep them printable ASCII for terminals
	 * and valid UTF-8 for JSON. */
	for (u = (unsigned char *)d->msg; *u; u++)
		if (*u < 0x20 || *u >= 0x7f)
			*u = '?';
	for (u = (unsigned char *)d->path; *u; u++)
		if (*u < 0x20 || *u >= 0x7f)
			*u = '?';
	if (sev == BF_PSEV_ERROR)
		res->errors++;
	else
		res->warnings++;
}

void bf_ptree_free(struct bf_pnode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		bf_ptree_free(n->kids[i]);
	free(n->kids);
	free(n->s);
	free(n->key);
	free(n);
}

struct bf_pnode *bf_ptree_get(const struct bf_pnode *map, const char *key)
{
	size_t i;

	if (!map || map->t != BF_PT_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (!strcmp(map->kids[i]->key, key))
			return map->kids[i];
	return NULL;
}

struct conv {
	yaml_document_t *doc;
	struct bf_profile_result *res;
	const char *file;
	size_t nodes;
	bool oom, too_big;
};

static struct bf_profile_pos mark_pos(const struct conv *c, yaml_mark_t m)
{
	struct bf_profile_pos p = { c->file, (unsigned)m.line + 1, (unsigned)m.column + 1 };

	return p;
}

static int add_kid(struct bf_pnode *parent, struct bf_pnode *kid)
{
	struct bf_pnode **k = realloc(parent->kids, (parent->n + 1) * sizeof(*k));

	if (!k)
		return -ENOMEM;
	parent->kids = k;
	parent->kids[parent->n++] = kid;
	return 0;
}

static struct bf_pnode *convert(struct conv *c, yaml_node_t *yn, unsigned depth)
{
	struct bf_pnode *n;

	if (!yn || depth > BF_PTREE_MAX_DEPTH || ++c->nodes > BF_PTREE_MAX_NODES) {
		c->too_big = true;
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		c->oom = true;
		return NULL;
	}
	n->pos = mark_pos(c, yn->start_mark);
	switch (yn->type) {
	case YAML_SCALAR_NODE: {
		const char *v = (const char *)yn->data.scalar.value;

		n->plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (n->plain && (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
				 !strcmp(v, "NULL"))) {
			n->t = BF_PT_NULL;
			return n;
		}
		n->t = BF_PT_SCALAR;
		n->s = strndup(v, yn->data.scalar.length);
		if (!n->s)
			goto oom;
		/* A NUL inside a scalar ("\0" escapes) is not a valid name or value. */
		if (strlen(n->s) != yn->data.scalar.length)
			n->s[0] = '\x01';
		return n;
	}
	case YAML_SEQUENCE_NODE: {
		yaml_node_item_t *it;

		n->t = BF_PT_SEQ;
		for (it = yn->data.sequence.items.start; it < yn->data.sequence.items.top; it++) {
			struct bf_pnode *k = convert(c, yaml_document_get_node(c->doc, *it), depth + 1);

			if (!k || add_kid(n, k) < 0) {
				bf_ptree_free(k);
				goto fail;
			}
		}
		return n;
	}
	case YAML_MAPPING_NODE: {
		yaml_node_pair_t *pr;

		n->t = BF_PT_MAP;
		for (pr = yn->data.mapping.pairs.start; pr < yn->data.mapping.pairs.top; pr++) {
			yaml_node_t *kn = yaml_document_get_node(c->doc, pr->key);
			struct bf_pnode *k;

			k = convert(c, yaml_document_get_node(c->doc, pr->value), depth + 1);
			if (!k)
				goto fail;
			k->keypos = kn ? mark_pos(c, kn->start_mark) : n->pos;
			k->key = strdup(kn && kn->type == YAML_SCALAR_NODE ? (const char *)kn->data.scalar.value : "?");
			if (!k->key || add_kid(n, k) < 0) {
				bf_ptree_free(k);
				goto oom;
			}
			if (bf_ptree_get(n, k->key) != k)
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_DUPLICATE, &k->keypos, k->key,
					 "key '%.40s' appears twice in one mapping (also at line %u)", k->key,
					 bf_ptree_get(n, k->key)->keypos.line);
		}
		return n;
	}
	default:
		n->t = BF_PT_NULL;
		return n;
	}
oom:
	c->oom = true;
fail:
	bf_ptree_free(n);
	return NULL;
}

struct bf_pnode *bf_ptree_parse(const char *file, const char *buf, size_t len, struct bf_profile_result *res,
				bool *oom)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct bf_pnode *root = NULL;
	struct conv c = { &doc, res, file, 0, false, false };
	yaml_node_t *top;

	if (!yaml_parser_initialize(&parser)) {
		*oom = true;
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		struct bf_profile_pos pos = { file, (unsigned)parser.problem_mark.line + 1,
					      (unsigned)parser.problem_mark.column + 1 };

		bf_pdiag(res, BF_PSEV_ERROR, BF_PDIAG_SYNTAX, &pos, "", "not valid YAML: %s%s%s",
			 parser.problem ? parser.problem : "parse error", parser.context ? " " : "",
			 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return NULL;
	}
	top = yaml_document_get_root_node(&doc);
	if (!top) {
		struct bf_profile_pos pos = { file, 1, 1 };

		bf_pdiag(res, BF_PSEV_ERROR, BF_PDIAG_SYNTAX, &pos, "", "the file is empty: a profile is a YAML mapping");
	} else if (top->type != YAML_MAPPING_NODE) {
		struct bf_profile_pos pos = mark_pos(&c, top->start_mark);

		bf_pdiag(res, BF_PSEV_ERROR, BF_PDIAG_SYNTAX, &pos, "", "a profile is a YAML mapping (firmware:, bfcfg:, dpu:)");
	} else {
		root = convert(&c, top, 0);
		if (c.oom)
			*oom = true;
		else if (c.too_big) {
			struct bf_profile_pos pos = { file, 1, 1 };

			bf_pdiag(res, BF_PSEV_ERROR, BF_PDIAG_SYNTAX, &pos, "",
				 "the document is too large or too deeply nested (at most %u nodes, depth %u)",
				 BF_PTREE_MAX_NODES, BF_PTREE_MAX_DEPTH);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return root;
}

/* Move the value of b over a (both already detached from their parents). */
static struct bf_pnode *merge(struct bf_pnode *a, struct bf_pnode *b)
{
	size_t i, j;

	if (a->t != BF_PT_MAP || b->t != BF_PT_MAP) {
		free(b->key);
		b->key = a->key;
		b->keypos = a->keypos;
		a->key = NULL;
		bf_ptree_free(a);
		return b;
	}
	for (i = 0; i < b->n; i++) {
		struct bf_pnode *bk = b->kids[i];

		b->kids[i] = NULL;
		for (j = 0; j < a->n; j++)
			if (!strcmp(a->kids[j]->key, bk->key))
				break;
		if (j < a->n && bk->t == BF_PT_NULL) {
			bf_ptree_free(a->kids[j]);
			memmove(&a->kids[j], &a->kids[j + 1], (a->n - j - 1) * sizeof(*a->kids));
			a->n--;
			bf_ptree_free(bk);
		} else if (j < a->n) {
			char *key = bk->key;
			struct bf_profile_pos kp = bk->keypos;

			bk->key = NULL;
			a->kids[j] = merge(a->kids[j], bk);
			free(a->kids[j]->key);
			a->kids[j]->key = key;
			a->kids[j]->keypos = kp;
		} else if (add_kid(a, bk) < 0) {
			bf_ptree_free(bk);
			return NULL;
		}
	}
	b->n = 0;
	bf_ptree_free(b);
	return a;
}

struct rctx {
	const struct bf_profile_ctx *ctx;
	struct bf_profile *p;
	struct bf_profile_result *res;
	const char *stack[BF_PROFILE_MAX_INCLUDE_DEPTH + 2];
	unsigned depth;
	bool oom;
};

static char *join_dir(const char *file, const char *rel)
{
	const char *slash = strrchr(file, '/');
	size_t dl = slash ? (size_t)(slash - file) + 1 : 0;
	char *out;

	if (rel[0] == '/' || !dl)
		return strdup(rel);
	out = malloc(dl + strlen(rel) + 1);
	if (out) {
		memcpy(out, file, dl);
		strcpy(out + dl, rel);
	}
	return out;
}

static const char *keep_file(struct rctx *r, char *name)
{
	char **f = realloc(r->p->files, (r->p->nfiles + 1) * sizeof(*f));

	if (!f) {
		free(name);
		return NULL;
	}
	r->p->files = f;
	f[r->p->nfiles++] = name;
	return name;
}

static struct bf_pnode *resolve(struct rctx *r, struct bf_pnode *root, const char *file);

static struct bf_pnode *include_one(struct rctx *r, const struct bf_pnode *inc, const char *file)
{
	char *path, *buf = NULL, *canon = NULL;
	const char *kept;
	struct bf_pnode *t;
	size_t len, i;
	int e;

	if (inc->t != BF_PT_SCALAR || !inc->s[0]) {
		bf_pdiag(r->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &inc->pos, "include",
			 "include: takes a file name or a list of file names");
		return NULL;
	}
	if (!r->ctx->load) {
		bf_pdiag(r->res, BF_PSEV_ERROR, BF_PDIAG_INCLUDE, &inc->pos, "include",
			 "cannot include %s here: includes are read only from files", inc->s);
		return NULL;
	}
	if (r->depth >= BF_PROFILE_MAX_INCLUDE_DEPTH) {
		bf_pdiag(r->res, BF_PSEV_ERROR, BF_PDIAG_INCLUDE, &inc->pos, "include",
			 "includes nest deeper than %u files at %s", BF_PROFILE_MAX_INCLUDE_DEPTH, inc->s);
		return NULL;
	}
	path = join_dir(file, inc->s);
	if (!path) {
		r->oom = true;
		return NULL;
	}
	e = r->ctx->load(r->ctx->load_ctx, path, &buf, &len, &canon);
	if (e < 0) {
		bf_pdiag(r->res, BF_PSEV_ERROR, BF_PDIAG_INCLUDE, &inc->pos, "include", "cannot read %s: %s", path,
			 strerror(-e));
		free(path);
		return NULL;
	}
	free(path);
	for (i = 0; i <= r->depth; i++)
		if (r->stack[i] && !strcmp(r->stack[i], canon)) {
			bf_pdiag(r->res, BF_PSEV_ERROR, BF_PDIAG_INCLUDE, &inc->pos, "include",
				 "include cycle: %s includes itself (through %u file%s)", inc->s, (unsigned)(r->depth - i + 1),
				 r->depth - i ? "s" : "");
			free(buf);
			free(canon);
			return NULL;
		}
	kept = keep_file(r, canon);
	if (!kept) {
		free(buf);
		r->oom = true;
		return NULL;
	}
	t = bf_ptree_parse(kept, buf, len, r->res, &r->oom);
	free(buf);
	if (!t)
		return NULL;
	r->stack[++r->depth] = kept;
	t = resolve(r, t, kept);
	r->depth--;
	return t;
}

static struct bf_pnode *resolve(struct rctx *r, struct bf_pnode *root, const char *file)
{
	struct bf_pnode *inc = bf_ptree_get(root, "include"), *base = NULL;
	size_t i;

	if (!inc)
		return root;
	for (i = 0; i < root->n; i++)
		if (root->kids[i] == inc) {
			memmove(&root->kids[i], &root->kids[i + 1], (root->n - i - 1) * sizeof(*root->kids));
			root->n--;
			break;
		}
	for (i = 0; i < (inc->t == BF_PT_SEQ ? inc->n : 1); i++) {
		struct bf_pnode *t = include_one(r, inc->t == BF_PT_SEQ ? inc->kids[i] : inc, file);

		if (!t)
			continue;
		base = base ? merge(base, t) : t;
		if (!base) {
			r->oom = true;
			break;
		}
	}
	bf_ptree_free(inc);
	if (!base)
		return root;
	root = merge(base, root);
	if (!root)
		r->oom = true;
	return root;
}

struct bf_pnode *bf_ptree_resolve(const struct bf_profile_ctx *ctx, struct bf_pnode *root, const char *file,
				  const char *canon, struct bf_profile *p, struct bf_profile_result *res, bool *oom)
{
	struct rctx r;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.p = p;
	r.res = res;
	r.stack[0] = canon ? canon : file;
	root = resolve(&r, root, file);
	if (r.oom)
		*oom = true;
	return root;
}
