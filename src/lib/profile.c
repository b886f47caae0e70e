/* profile.c - parsing and checking a DPU profile: the top level, the
 * firmware: and bfcfg: layers and the rules between layers (profile.h). */
#include "config.h"
#include "profile.h"
#include "profile_dpu.h"
#include "cfgcheck.h"
#include "error.h"
#include "fileio.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const top_keys[] = { "profile", "description", "include", "firmware", "bfcfg", "dpu", NULL };

const char *bf_profile_class_name(enum bf_profile_class c)
{
	static const char *const names[] = { "syntax", "unknown_key", "type", "range", "missing", "duplicate",
					     "cross_layer", "conflict", "include" };

	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "unknown";
}

const char *bf_profile_sev_name(enum bf_profile_sev s)
{
	return s == BF_PSEV_ERROR ? "error" : "warning";
}

const char *bf_profile_firmware(const struct bf_profile *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nfirmware; i++)
		if (!strcasecmp(p->firmware[i].key, name))
			return p->firmware[i].value;
	return NULL;
}

/* Collect a flat KEY: value mapping into kvs. */
static size_t read_kvs(struct bf_pchk *c, const struct bf_pnode *map, const char *path, struct bf_profile_kv **out)
{
	size_t i, n = 0;

	if (!map || map->t == BF_PT_NULL || !bf_pget_is(c, map, BF_PT_MAP, path))
		return 0;
	*out = calloc(map->n ? map->n : 1, sizeof(**out));
	if (!*out) {
		c->oom = true;
		return 0;
	}
	for (i = 0; i < map->n && i < BF_PROFILE_MAX_ITEMS; i++) {
		struct bf_profile_kv *kv = &(*out)[n];
		char val[512];

		if (map->kids[i]->t == BF_PT_NULL)
			continue;           /* "KEY: ~" (an override that removes nothing) */
		if (strlen(map->kids[i]->key) > 64) {
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_RANGE, &map->kids[i]->keypos, path,
				 "a %s name is at most 64 bytes", path);
			continue;
		}
		if (bf_pget_str(c, map, map->kids[i]->key, path, true, val, sizeof(val)) != 1)
			continue;
		kv->key = strdup(map->kids[i]->key);
		kv->value = strdup(val);
		kv->pos = map->kids[i]->pos;
		if (!kv->key || !kv->value) {
			free(kv->key);
			free(kv->value);
			c->oom = true;
			break;
		}
		n++;
	}
	return n;
}

static void check_firmware(struct bf_pchk *c)
{
	const struct bf_fw_params *db = c->ctx->params;
	size_t i, j;

	for (i = 0; i < c->p->nfirmware; i++) {
		const struct bf_profile_kv *kv = &c->p->firmware[i];
		const struct bf_fw_param *fp;
		char path[96];
		unsigned port;
		uint32_t v;

		snprintf(path, sizeof(path), "firmware.%s", kv->key);
		for (j = 0; j < i; j++)
			if (!strcasecmp(c->p->firmware[j].key, kv->key))
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_DUPLICATE, &kv->pos, path,
					 "%s is set twice (also at line %u)", kv->key, c->p->firmware[j].pos.line);
		if (!db)
			continue;
		bf_error_clear();
		fp = bf_fw_params_find(db, kv->key, 2, &port);
		if (!fp) {
			const char *hint = bf_fw_params_suggest(db, kv->key);

			if (hint)
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_UNKNOWN_KEY, &kv->pos, path,
					 "unknown firmware parameter %s (did you mean %s?)", kv->key, hint);
			else
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_UNKNOWN_KEY, &kv->pos, path, "%s",
					 bf_error_or("unknown firmware parameter"));
			continue;
		}
		bf_error_clear();
		if (bf_fw_param_parse_value(fp, kv->value, &v) < 0)
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &kv->pos, path, "%s",
				 bf_error_or("invalid value"));
	}
}

/* The numeric value of a firmware: setting: 1 found, 0 absent, -1 bad. */
static int fw_num(const struct bf_pchk *c, const char *name, uint32_t *v)
{
	const char *s = bf_profile_firmware(c->p, name);
	const struct bf_fw_param *fp;
	unsigned port;
	char *end;

	if (!s)
		return 0;
	if (c->ctx->params && (fp = bf_fw_params_find(c->ctx->params, name, 2, &port)))
		return bf_fw_param_parse_value(fp, s, v) < 0 ? -1 : 1;
	if (!strcasecmp(s, "true") || !strncasecmp(s, "True(", 5)) {
		*v = 1;
		return 1;
	}
	if (!strcasecmp(s, "false") || !strncasecmp(s, "False(", 6)) {
		*v = 0;
		return 1;
	}
	*v = (uint32_t)strtoul(s, &end, 0);
	return *end ? -1 : 1;
}

static void check_bfcfg(struct bf_pchk *c)
{
	struct bf_cfgcheck chk;
	size_t i, len = 0, cap = 1;
	char *buf, *w;

	if (!c->ctx->keys || !c->p->nbfcfg)
		return;
	for (i = 0; i < c->p->nbfcfg; i++)
		cap += strlen(c->p->bfcfg[i].key) + strlen(c->p->bfcfg[i].value) + 4;
	buf = malloc(cap);
	if (!buf) {
		c->oom = true;
		return;
	}
	/* One KEY='value' line per entry, so that a diagnostic's line is the
	 * entry; a value with a quote cannot be written that way. */
	for (i = 0, w = buf; i < c->p->nbfcfg; i++) {
		const struct bf_profile_kv *kv = &c->p->bfcfg[i];

		if (strchr(kv->value, '\'')) {
			char path[96];

			snprintf(path, sizeof(path), "bfcfg.%s", kv->key);
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &kv->pos, path,
				 "%s: a bf.cfg value in a profile cannot contain a single quote", kv->key);
			len += (size_t)sprintf(w + len, "#\n");
			continue;
		}
		len += (size_t)sprintf(w + len, "%s='%s'\n", kv->key, kv->value);
	}
	if (bf_cfgcheck_run(c->ctx->keys, buf, len, &chk) < 0) {
		free(buf);
		c->oom = true;
		return;
	}
	free(buf);
	for (i = 0; i < chk.n; i++) {
		const struct bf_cfgdiag *d = &chk.d[i];
		size_t k = d->pos.line ? d->pos.line - 1 : 0;
		const struct bf_profile_kv *kv = &c->p->bfcfg[k < c->p->nbfcfg ? k : 0];
		char path[96];

		if (d->sev == BF_CFGDIAG_NOTE)
			continue;
		snprintf(path, sizeof(path), "bfcfg.%s", kv->key);
		bf_pdiag(c->res, d->sev == BF_CFGDIAG_ERROR ? BF_PSEV_ERROR : BF_PSEV_WARNING,
			 strstr(d->msg, "unknown key") ? BF_PDIAG_UNKNOWN_KEY : BF_PDIAG_TYPE, &kv->pos, path, "%s",
			 d->msg);
	}
	bf_cfgcheck_free(&chk);
}

/* What the dpu: layer needs from the firmware: layer. */
static void check_cross(struct bf_pchk *c, const struct bf_pnode *root)
{
	const struct bf_pnode *dpu = bf_ptree_get(root, "dpu");
	const struct bf_profile_pos *at = dpu ? &dpu->pos : &root->pos;
	struct bf_profile *p = c->p;
	unsigned hotplug = 0, per_pf[8] = { 0 }, need = 0;
	const struct bf_profile_pos *hp_at = at;
	uint32_t v;
	size_t i;

	if (p->nvirtio) {
		if (fw_num(c, "VIRTIO_NET_EMULATION_ENABLE", &v) != 1 || !v)
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, &p->virtio[0].pos, "dpu.virtio_net",
				 "virtio-net devices need firmware: VIRTIO_NET_EMULATION_ENABLE: True");
		for (i = 0; i < p->nvirtio; i++) {
			const struct bf_profile_virtio *d = &p->virtio[i];

			if (d->kind == BF_VIRTIO_HOTPLUG && !hotplug++)
				hp_at = &d->pos;
			if (d->kind == BF_VIRTIO_STATIC_PF && fw_num(c, "VIRTIO_NET_EMULATION_NUM_PF", &v) == 1 &&
			    d->pf >= v)
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, &d->pos, "dpu.virtio_net",
					 "static PF %u needs firmware: VIRTIO_NET_EMULATION_NUM_PF > %u (it is %u)",
					 d->pf, d->pf, v);
			if (d->kind == BF_VIRTIO_STATIC_VF && fw_num(c, "VIRTIO_NET_EMULATION_NUM_VF", &v) == 1 &&
			    d->vf >= v)
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, &d->pos, "dpu.virtio_net",
					 "static VF %u needs firmware: VIRTIO_NET_EMULATION_NUM_VF > %u (it is %u)",
					 d->vf, d->vf, v);
			if (d->kind == BF_VIRTIO_HOTPLUG && fw_num(c, "VIRTIO_NET_EMULATION_NUM_MSIX", &v) == 1 &&
			    d->queues + 1 > v)
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, &d->pos, "dpu.virtio_net",
					 "%u queues need %u MSI-X vectors but firmware: VIRTIO_NET_EMULATION_NUM_MSIX is %u",
					 d->queues, d->queues + 1, v);
		}
	}
	if (hotplug) {
		if (fw_num(c, "PCI_SWITCH_EMULATION_ENABLE", &v) != 1 || !v)
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, hp_at, "dpu.virtio_net",
				 "hotplug virtio-net devices need firmware: PCI_SWITCH_EMULATION_ENABLE: True");
		else if (fw_num(c, "PCI_SWITCH_EMULATION_NUM_PORT", &v) == 1 && hotplug > v)
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, hp_at, "dpu.virtio_net",
				 "%u hotplug devices but firmware: PCI_SWITCH_EMULATION_NUM_PORT is %u", hotplug, v);
	}
	/* Every SF counts against PF_TOTAL_SF of its PF; every virtio-net
	 * device takes one SF on the emulation manager (PF 0). */
	for (i = 0; i < p->nsfs; i++)
		per_pf[p->sfs[i].pf & 7]++;
	per_pf[0] += (unsigned)p->nvirtio;
	for (i = 0; i < 8; i++)
		if (per_pf[i] > need)
			need = per_pf[i];
	if (need) {
		int r = fw_num(c, "PF_TOTAL_SF", &v);

		const struct bf_profile_pos *pos = p->nsfs ? &p->sfs[0].pos : &p->virtio[0].pos;
		const char *path = p->nsfs ? "dpu.sfs" : "dpu.virtio_net";

		if (r != 1)
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, pos, path,
				 "%u SFs on one PF (virtio-net devices included) need firmware: PF_TOTAL_SF >= %u",
				 need, need);
		else if (v < need)
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, pos, path,
				 "%u SFs on one PF (virtio-net devices included) need firmware: PF_TOTAL_SF >= %u, it is %u",
				 need, need, v);
	}
	if (p->lag.set) {
		int r = fw_num(c, "LAG_RESOURCE_ALLOCATION", &v);

		if (r != 1)
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, &p->lag.pos, "dpu.lag",
				 "a LAG needs firmware: LAG_RESOURCE_ALLOCATION (1 for hash mode, 0 for queue affinity)");
		else if (p->lag.hash[0] && !v)
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, &p->lag.pos, "dpu.lag",
				 "a %s bond with a hash policy needs firmware: LAG_RESOURCE_ALLOCATION: 1 (hash mode)",
				 p->lag.mode);
	}
	for (i = 0; i < p->npfs; i++)
		if (p->pfs[i].vfs > 0) {
			if (fw_num(c, "SRIOV_EN", &v) == 1 && !v)
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, &p->pfs[i].pos, "dpu.pfs",
					 "%d VFs on %s need firmware: SRIOV_EN: True", p->pfs[i].vfs, p->pfs[i].devlink);
			else if (fw_num(c, "NUM_OF_VFS", &v) == 1 && (uint32_t)p->pfs[i].vfs > v)
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CROSS_LAYER, &p->pfs[i].pos, "dpu.pfs",
					 "%d VFs on %s but firmware: NUM_OF_VFS is %u", p->pfs[i].vfs,
					 p->pfs[i].devlink, v);
		}
}

static void read_all(struct bf_pchk *c, const struct bf_pnode *root)
{
	const struct bf_pnode *n;
	char buf[256];

	bf_pget_keys(c, root, "", top_keys);
	if (bf_pget_str(c, root, "profile", "", false, buf, sizeof(buf)) == 1 && !(c->p->name = strdup(buf)))
		c->oom = true;
	if (bf_pget_str(c, root, "description", "", false, buf, sizeof(buf)) == 1 &&
	    !(c->p->description = strdup(buf)))
		c->oom = true;
	c->p->nfirmware = read_kvs(c, bf_ptree_get(root, "firmware"), "firmware", &c->p->firmware);
	c->p->nbfcfg = read_kvs(c, bf_ptree_get(root, "bfcfg"), "bfcfg", &c->p->bfcfg);
	check_firmware(c);
	check_bfcfg(c);
	n = bf_ptree_get(root, "dpu");
	if (n && n->t != BF_PT_NULL)
		bf_profile_read_dpu(c, n);
	check_cross(c, root);
}

static int parse_named(const struct bf_profile_ctx *ctx, char *name, char *canon, const char *buf, size_t len,
		       struct bf_profile *p, struct bf_profile_result *res)
{
	struct bf_pchk c = { res, ctx, p, false };
	struct bf_pnode *root;
	const char *file;

	memset(p, 0, sizeof(*p));
	memset(res, 0, sizeof(*res));
	p->files = calloc(2, sizeof(*p->files));
	if (!name || !p->files) {
		free(name);
		free(canon);
		return -ENOMEM;
	}
	p->files[p->nfiles++] = name;
	file = name;
	if (canon)
		p->files[p->nfiles++] = canon;
	root = bf_ptree_parse(file, buf, len, res, &c.oom);
	if (root)
		root = bf_ptree_resolve(ctx, root, file, canon, p, res, &c.oom);
	if (root && !c.oom)
		read_all(&c, root);
	bf_ptree_free(root);
	return c.oom ? -ENOMEM : 0;
}

int bf_profile_parse(const struct bf_profile_ctx *ctx, const char *name, const char *buf, size_t len,
		     struct bf_profile *p, struct bf_profile_result *res)
{
	return parse_named(ctx, strdup(name ? name : "<profile>"), NULL, buf, len, p, res);
}

static int file_loader(void *unused, const char *path, char **buf, size_t *len, char **canon)
{
	char real[PATH_MAX];
	int r;

	if (!realpath(path, real))
		return -errno;
	r = bf_file_read_all(path, BF_PROFILE_MAX_BYTES, buf, len);
	if (r < 0)
		return r;
	*canon = strdup(real);
	if (!*canon) {
		free(*buf);
		return -ENOMEM;
	}
	return 0;
}

int bf_profile_load_file(const struct bf_profile_ctx *ctx, const char *path, struct bf_profile *p,
			 struct bf_profile_result *res)
{
	struct bf_profile_ctx fctx = *ctx;
	char *buf, *canon = NULL;
	size_t len;
	int r;

	memset(p, 0, sizeof(*p));
	memset(res, 0, sizeof(*res));
	if (!fctx.load)
		fctx.load = file_loader;
	r = fctx.load(fctx.load_ctx, path, &buf, &len, &canon);
	if (r < 0)
		return bf_error_ret(-r, "cannot read %s: %s", path, strerror(-r));
	r = parse_named(&fctx, strdup(path), canon, buf, len, p, res);
	free(buf);
	return r;
}

int bf_profile_open(const char *path, struct bf_profile *p, struct bf_profile_result *res)
{
	struct bf_profile_ctx ctx = { 0 };
	struct bf_fw_params db;
	struct bf_cfgkeys keys;
	int r;

	memset(p, 0, sizeof(*p));
	memset(res, 0, sizeof(*res));
	if ((r = bf_fw_params_load(&db)) < 0)
		return r;
	if ((r = bf_cfgkeys_load(&keys)) < 0) {
		bf_fw_params_free(&db);
		return r;
	}
	ctx.params = &db;
	ctx.keys = &keys;
	r = bf_profile_load_file(&ctx, path, p, res);
	bf_cfgkeys_free(&keys);
	bf_fw_params_free(&db);
	return r;
}

static void free_kvs(struct bf_profile_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void bf_profile_free(struct bf_profile *p)
{
	size_t i;

	for (i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	free(p->name);
	free(p->description);
	free_kvs(p->firmware, p->nfirmware);
	free_kvs(p->bfcfg, p->nbfcfg);
	free_kvs(p->ovs_other_config, p->nother);
	free(p->pfs);
	free(p->sfs);
	for (i = 0; i < p->nbridges; i++)
		free(p->bridges[i].ports);
	free(p->bridges);
	free(p->virtio);
	memset(p, 0, sizeof(*p));
}

void bf_profile_result_free(struct bf_profile_result *res)
{
	free(res->d);
	memset(res, 0, sizeof(*res));
}
