/* profile_dpu.c - the dpu: layer of a profile: eswitch, PFs and VFs, LAG,
 * SFs, OVS, virtio-net (schema in doc/profiles.md). */
#include "config.h"
#include "profile_dpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const dpu_keys[] = { "eswitch", "pfs", "lag", "sfs", "ovs", "virtio_net", NULL };
static const char *const pf_keys[] = { "devlink", "vfs", NULL };
static const char *const lag_keys[] = { "name", "mode", "members", "hash", "miimon", "mtu", NULL };
static const char *const sf_keys[] = { "pf", "sfnum", "mac", "trust", NULL };
static const char *const ovs_keys[] = { "other_config", "bridges", NULL };
static const char *const br_keys[] = { "name", "datapath_type", "ports", NULL };
static const char *const port_keys[] = { "name", "rep", NULL };
static const char *const vn_keys[] = { "type", "pf", "vf", "ib_device", "mac", "mtu", "queues", "queue_size",
				       "bridge", NULL };
static const char *const eswitch_modes[] = { "legacy", "switchdev", NULL };
static const char *const lag_modes[] = { "802.3ad", "active-backup", "balance-xor", NULL };
static const char *const hashes[] = { "layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4", NULL };
static const char *const dp_types[] = { "system", "netdev", NULL };
static const char *const vn_types[] = { "hotplug", "static_pf", "static_vf", NULL };

/* The items of list key under map, checked to be a bounded sequence. */
static const struct bf_pnode *list(struct bf_pchk *c, const struct bf_pnode *map, const char *key, const char *path)
{
	const struct bf_pnode *n = bf_ptree_get(map, key);

	if (!n || n->t == BF_PT_NULL)
		return NULL;
	if (!bf_pget_is(c, n, BF_PT_SEQ, path))
		return NULL;
	if (n->n > BF_PROFILE_MAX_ITEMS) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_RANGE, &n->pos, path, "%s has %zu entries, more than %u", path,
			 n->n, BF_PROFILE_MAX_ITEMS);
		return NULL;
	}
	return n;
}

static void *alloc_items(struct bf_pchk *c, size_t n, size_t size)
{
	void *v = calloc(n ? n : 1, size);

	if (!v)
		c->oom = true;
	return v;
}

/* A rep is a phys_port_name: p<N>, pf<N>, pf<N>vf<M>, pf<N>sf<M>, with an
 * optional c<N> controller prefix. */
static bool rep_ok(const char *s)
{
	const char *q = s;

	if (*q == 'c') {
		if (!strchr("0123456789", *++q) || !*q)
			return false;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	if (q[0] == 'p' && q[1] >= '0' && q[1] <= '9' && q == s) {
		for (q++; *q >= '0' && *q <= '9'; q++)
			;
		return !*q && strlen(s) < 32;
	}
	if (strncmp(q, "pf", 2) || !(q[2] >= '0' && q[2] <= '9'))
		return false;
	for (q += 2; *q >= '0' && *q <= '9'; q++)
		;
	if (!*q)
		return strlen(s) < 32;
	if (strncmp(q, "vf", 2) && strncmp(q, "sf", 2))
		return false;
	q += 2;
	if (!(*q >= '0' && *q <= '9'))
		return false;
	while (*q >= '0' && *q <= '9')
		q++;
	return !*q && strlen(s) < 32;
}

static void read_pfs(struct bf_pchk *c, const struct bf_pnode *dpu)
{
	const struct bf_pnode *l = list(c, dpu, "pfs", "dpu.pfs");
	size_t i, j;

	if (!l)
		return;
	c->p->pfs = alloc_items(c, l->n, sizeof(*c->p->pfs));
	if (!c->p->pfs)
		return;
	for (i = 0; i < l->n; i++) {
		struct bf_profile_pf *pf = &c->p->pfs[c->p->npfs];
		const struct bf_pnode *e = l->kids[i];
		unsigned vfs;
		char path[64];

		snprintf(path, sizeof(path), "dpu.pfs[%zu]", i);
		if (!bf_pget_is(c, e, BF_PT_MAP, path))
			continue;
		bf_pget_keys(c, e, path, pf_keys);
		pf->pos = e->pos;
		pf->vfs = -1;
		if (bf_pget_str(c, e, "devlink", path, true, pf->devlink, sizeof(pf->devlink)) == 1) {
			const char *slash = strchr(pf->devlink, '/');

			if (!slash || slash == pf->devlink || !slash[1] || strchr(slash + 1, '/'))
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &e->pos, path,
					 "%s.devlink takes a devlink handle BUS/DEVICE such as pci/0000:03:00.0, not '%s'",
					 path, pf->devlink);
		}
		if (bf_pget_uint(c, e, "vfs", path, false, 0, 1024, &vfs) == 1)
			pf->vfs = (int)vfs;
		for (j = 0; j < c->p->npfs; j++)
			if (pf->devlink[0] && !strcmp(c->p->pfs[j].devlink, pf->devlink))
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_DUPLICATE, &e->pos, path,
					 "%s is listed twice in dpu.pfs", pf->devlink);
		c->p->npfs++;
	}
}

static void read_lag(struct bf_pchk *c, const struct bf_pnode *dpu)
{
	const struct bf_pnode *n = bf_ptree_get(dpu, "lag"), *m;
	struct bf_profile_lag *lag = &c->p->lag;
	size_t i;

	if (!n || n->t == BF_PT_NULL || !bf_pget_is(c, n, BF_PT_MAP, "dpu.lag"))
		return;
	bf_pget_keys(c, n, "dpu.lag", lag_keys);
	lag->set = true;
	lag->pos = n->pos;
	strcpy(lag->name, "bond0");
	strcpy(lag->mode, "802.3ad");
	lag->miimon = 100;
	if (bf_pget_str(c, n, "name", "dpu.lag", false, lag->name, sizeof(lag->name)) == 1 &&
	    !bf_profile_ifname_ok(lag->name))
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &bf_ptree_get(n, "name")->pos, "dpu.lag.name",
			 "dpu.lag.name '%s' is not a valid interface name", lag->name);
	bf_pget_enum(c, n, "mode", "dpu.lag", false, lag_modes, lag->mode, sizeof(lag->mode));
	bf_pget_enum(c, n, "hash", "dpu.lag", false, hashes, lag->hash, sizeof(lag->hash));
	bf_pget_uint(c, n, "miimon", "dpu.lag", false, 0, 10000, &lag->miimon);
	bf_pget_uint(c, n, "mtu", "dpu.lag", false, 68, 9978, &lag->mtu);
	if (lag->hash[0] && !strcmp(lag->mode, "active-backup"))
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CONFLICT, &bf_ptree_get(n, "hash")->pos, "dpu.lag.hash",
			 "dpu.lag.hash applies to 802.3ad and balance-xor, not active-backup");
	if (!lag->hash[0] && strcmp(lag->mode, "active-backup"))
		strcpy(lag->hash, "layer3+4");
	m = bf_ptree_get(n, "members");
	if (!m || m->t == BF_PT_NULL) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_MISSING, &n->pos, "dpu.lag.members",
			 "dpu.lag.members is required: the two uplinks, e.g. [p0, p1]");
		return;
	}
	if (!bf_pget_is(c, m, BF_PT_SEQ, "dpu.lag.members"))
		return;
	if (m->n != BF_PROFILE_MAX_LAG_MEMBERS) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_RANGE, &m->pos, "dpu.lag.members",
			 "dpu.lag.members lists %zu ports: a switchdev LAG bonds exactly the two uplinks", m->n);
		return;
	}
	for (i = 0; i < m->n; i++) {
		const struct bf_pnode *e = m->kids[i];

		if (e->t != BF_PT_SCALAR || e->s[0] != 'p' || !rep_ok(e->s) || strlen(e->s) >= 32) {
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &e->pos, "dpu.lag.members",
				 "a LAG member is an uplink's phys_port_name (p0, p1), not '%.40s'",
				 e->t == BF_PT_SCALAR ? e->s : "a structure");
			continue;
		}
		snprintf(lag->members[lag->nmembers++], sizeof(lag->members[0]), "%s", e->s);
	}
	if (lag->nmembers == 2 && !strcmp(lag->members[0], lag->members[1]))
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_DUPLICATE, &m->pos, "dpu.lag.members",
			 "dpu.lag.members names %s twice", lag->members[0]);
}

static void read_sfs(struct bf_pchk *c, const struct bf_pnode *dpu)
{
	const struct bf_pnode *l = list(c, dpu, "sfs", "dpu.sfs");
	size_t i, j;

	if (!l || !(c->p->sfs = alloc_items(c, l->n, sizeof(*c->p->sfs))))
		return;
	for (i = 0; i < l->n; i++) {
		struct bf_profile_sf *sf = &c->p->sfs[c->p->nsfs];
		const struct bf_pnode *e = l->kids[i];
		char path[64];
		int ok;

		snprintf(path, sizeof(path), "dpu.sfs[%zu]", i);
		if (!bf_pget_is(c, e, BF_PT_MAP, path))
			continue;
		bf_pget_keys(c, e, path, sf_keys);
		sf->pos = e->pos;
		ok = bf_pget_uint(c, e, "pf", path, true, 0, 7, &sf->pf) == 1;
		ok &= bf_pget_uint(c, e, "sfnum", path, true, 0, 999999, &sf->sfnum) == 1;
		bf_pget_mac(c, e, "mac", path, false, sf->mac);
		bf_pget_bool(c, e, "trust", path, false, &sf->trust);
		if (!ok)
			continue;
		if (sf->sfnum >= 1000)
			bf_pdiag(c->res, BF_PSEV_WARNING, BF_PDIAG_CONFLICT, &bf_ptree_get(e, "sfnum")->pos, path,
				 "sfnum %u is in the range the virtio-net controller uses (1000 and up)", sf->sfnum);
		if (c->p->npfs && sf->pf >= c->p->npfs)
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_RANGE, &bf_ptree_get(e, "pf")->pos, path,
				 "%s.pf=%u but dpu.pfs lists %zu PF%s", path, sf->pf, c->p->npfs,
				 c->p->npfs == 1 ? "" : "s");
		for (j = 0; j < c->p->nsfs; j++)
			if (c->p->sfs[j].pf == sf->pf && c->p->sfs[j].sfnum == sf->sfnum)
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_DUPLICATE, &e->pos, path,
					 "SF %u on PF %u is listed twice (also at line %u)", sf->sfnum, sf->pf,
					 c->p->sfs[j].pos.line);
		c->p->nsfs++;
	}
}

static void read_port(struct bf_pchk *c, const struct bf_pnode *e, const char *path, struct bf_profile_port *pt)
{
	pt->pos = e->pos;
	if (e->t == BF_PT_SCALAR) {
		if (!bf_profile_ifname_ok(e->s))
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &e->pos, path,
				 "%s: '%.40s' is not a valid interface name", path, e->s);
		else
			snprintf(pt->name, sizeof(pt->name), "%s", e->s);
		return;
	}
	if (!bf_pget_is(c, e, BF_PT_MAP, path))
		return;
	bf_pget_keys(c, e, path, port_keys);
	if (bf_pget_str(c, e, "rep", path, false, pt->rep, sizeof(pt->rep)) == 1 && !rep_ok(pt->rep)) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &bf_ptree_get(e, "rep")->pos, path,
			 "%s.rep takes a phys_port_name (p0, pf0, pf0vf1, pf0sf88), not '%s'", path, pt->rep);
		pt->rep[0] = 0;
	}
	if (bf_pget_str(c, e, "name", path, false, pt->name, sizeof(pt->name)) == 1 && !bf_profile_ifname_ok(pt->name)) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &bf_ptree_get(e, "name")->pos, path,
			 "%s.name '%s' is not a valid interface name", path, pt->name);
		pt->name[0] = 0;
	}
	if (!!pt->rep[0] == !!pt->name[0] && !bf_ptree_get(e, "rep") == !bf_ptree_get(e, "name"))
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_MISSING, &e->pos, path,
			 "%s takes either name: (a netdev) or rep: (a representor's phys_port_name)", path);
}

static void read_bridge(struct bf_pchk *c, const struct bf_pnode *e, const char *path, struct bf_profile_bridge *b)
{
	const struct bf_pnode *pl;
	char pp[96];
	size_t i;

	b->pos = e->pos;
	bf_pget_keys(c, e, path, br_keys);
	if (bf_pget_str(c, e, "name", path, true, b->name, sizeof(b->name)) == 1 && !bf_profile_ifname_ok(b->name)) {
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_TYPE, &bf_ptree_get(e, "name")->pos, path,
			 "%s.name '%s' is not a valid bridge name", path, b->name);
		b->name[0] = 0;
	}
	bf_pget_enum(c, e, "datapath_type", path, false, dp_types, b->datapath_type, sizeof(b->datapath_type));
	snprintf(pp, sizeof(pp), "%s.ports", path);
	pl = list(c, e, "ports", pp);
	if (!pl || !(b->ports = alloc_items(c, pl->n, sizeof(*b->ports))))
		return;
	for (i = 0; i < pl->n; i++) {
		snprintf(pp, sizeof(pp), "%s.ports[%zu]", path, i);
		read_port(c, pl->kids[i], pp, &b->ports[b->nports++]);
	}
}

/* Every port in at most one bridge, every bridge once. */
static void check_bridges(struct bf_pchk *c)
{
	size_t i, j, k, l;

	for (i = 0; i < c->p->nbridges; i++) {
		const struct bf_profile_bridge *a = &c->p->bridges[i];

		for (j = 0; j < i; j++)
			if (a->name[0] && !strcmp(a->name, c->p->bridges[j].name))
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_DUPLICATE, &a->pos, "dpu.ovs.bridges",
					 "bridge %s is defined twice (also at line %u)", a->name,
					 c->p->bridges[j].pos.line);
		for (k = 0; k < a->nports; k++) {
			const struct bf_profile_port *pk = &a->ports[k];

			for (j = 0; j <= i; j++)
				for (l = 0; l < (j == i ? k : c->p->bridges[j].nports); l++) {
					const struct bf_profile_port *q = &c->p->bridges[j].ports[l];

					if ((pk->name[0] && !strcmp(pk->name, q->name)) ||
					    (pk->rep[0] && !strcmp(pk->rep, q->rep)))
						bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_DUPLICATE, &pk->pos,
							 "dpu.ovs.bridges", "port %s is already in bridge %s (line %u)",
							 pk->name[0] ? pk->name : pk->rep, c->p->bridges[j].name,
							 q->pos.line);
				}
		}
	}
}

static void read_ovs(struct bf_pchk *c, const struct bf_pnode *dpu)
{
	const struct bf_pnode *ovs = bf_ptree_get(dpu, "ovs"), *oc, *bl;
	size_t i;

	if (!ovs || ovs->t == BF_PT_NULL || !bf_pget_is(c, ovs, BF_PT_MAP, "dpu.ovs"))
		return;
	bf_pget_keys(c, ovs, "dpu.ovs", ovs_keys);
	oc = bf_ptree_get(ovs, "other_config");
	if (oc && oc->t != BF_PT_NULL && bf_pget_is(c, oc, BF_PT_MAP, "dpu.ovs.other_config") &&
	    (c->p->ovs_other_config = alloc_items(c, oc->n, sizeof(*c->p->ovs_other_config)))) {
		for (i = 0; i < oc->n && i < BF_PROFILE_MAX_ITEMS; i++) {
			struct bf_profile_kv *kv = &c->p->ovs_other_config[c->p->nother];
			char val[256], path[96];

			if (oc->kids[i]->t == BF_PT_NULL)
				continue;
			snprintf(path, sizeof(path), "dpu.ovs.other_config.%.40s", oc->kids[i]->key);
			if (strlen(oc->kids[i]->key) > 64) {
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_RANGE, &oc->kids[i]->keypos, path,
					 "an other_config key is at most 64 bytes");
				continue;
			}
			if (bf_pget_str(c, oc, oc->kids[i]->key, "dpu.ovs.other_config", true, val, sizeof(val)) != 1)
				continue;
			kv->key = strdup(oc->kids[i]->key);
			kv->value = strdup(val);
			kv->pos = oc->kids[i]->pos;
			if (!kv->key || !kv->value) {
				c->oom = true;
				free(kv->key);
				free(kv->value);
				return;
			}
			c->p->nother++;
		}
	}
	bl = list(c, ovs, "bridges", "dpu.ovs.bridges");
	if (!bl || !(c->p->bridges = alloc_items(c, bl->n, sizeof(*c->p->bridges))))
		return;
	for (i = 0; i < bl->n; i++) {
		char path[64];

		snprintf(path, sizeof(path), "dpu.ovs.bridges[%zu]", i);
		if (bf_pget_is(c, bl->kids[i], BF_PT_MAP, path))
			read_bridge(c, bl->kids[i], path, &c->p->bridges[c->p->nbridges++]);
	}
	check_bridges(c);
}

static void read_virtio(struct bf_pchk *c, const struct bf_pnode *dpu)
{
	const struct bf_pnode *l = list(c, dpu, "virtio_net", "dpu.virtio_net");
	size_t i, j;

	if (!l || !(c->p->virtio = alloc_items(c, l->n, sizeof(*c->p->virtio))))
		return;
	for (i = 0; i < l->n; i++) {
		struct bf_profile_virtio *v = &c->p->virtio[c->p->nvirtio];
		const struct bf_pnode *e = l->kids[i];
		char path[64], type[16] = "";
		bool hp;

		snprintf(path, sizeof(path), "dpu.virtio_net[%zu]", i);
		if (!bf_pget_is(c, e, BF_PT_MAP, path))
			continue;
		bf_pget_keys(c, e, path, vn_keys);
		v->pos = e->pos;
		if (bf_pget_enum(c, e, "type", path, true, vn_types, type, sizeof(type)) != 1)
			continue;
		v->kind = !strcmp(type, "hotplug") ? BF_VIRTIO_HOTPLUG
			  : !strcmp(type, "static_pf") ? BF_VIRTIO_STATIC_PF : BF_VIRTIO_STATIC_VF;
		hp = v->kind == BF_VIRTIO_HOTPLUG;
		bf_pget_uint(c, e, "pf", path, true, 0, hp ? 1 : 31, &v->pf);
		if (v->kind == BF_VIRTIO_STATIC_VF)
			bf_pget_uint(c, e, "vf", path, true, 0, 1007, &v->vf);
		else if (bf_ptree_get(e, "vf"))
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CONFLICT, &bf_ptree_get(e, "vf")->keypos, path,
				 "%s.vf applies to type static_vf only", path);
		bf_pget_str(c, e, "ib_device", path, false, v->ib_device, sizeof(v->ib_device));
		bf_pget_mac(c, e, "mac", path, hp, v->mac);
		bf_pget_uint(c, e, "mtu", path, hp, 68, 9216, &v->mtu);
		bf_pget_uint(c, e, "queues", path, hp, 1, 64, &v->queues);
		bf_pget_uint(c, e, "queue_size", path, hp, 16, 32768, &v->queue_size);
		if (v->queue_size & (v->queue_size - 1))
			bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_RANGE, &bf_ptree_get(e, "queue_size")->pos, path,
				 "%s.queue_size=%u is not a power of two", path, v->queue_size);
		if (bf_pget_str(c, e, "bridge", path, false, v->bridge, sizeof(v->bridge)) == 1) {
			for (j = 0; j < c->p->nbridges; j++)
				if (!strcmp(c->p->bridges[j].name, v->bridge))
					break;
			if (j == c->p->nbridges)
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_MISSING, &bf_ptree_get(e, "bridge")->pos, path,
					 "%s.bridge %s is not in dpu.ovs.bridges", path, v->bridge);
		}
		for (j = 0; j < c->p->nvirtio; j++) {
			const struct bf_profile_virtio *o = &c->p->virtio[j];

			if (v->mac[0] && !strcmp(o->mac, v->mac))
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_DUPLICATE, &e->pos, path,
					 "MAC %s is used by two virtio-net devices (also at line %u)", v->mac, o->pos.line);
			else if (!hp && o->kind == v->kind && o->pf == v->pf && o->vf == v->vf)
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_DUPLICATE, &e->pos, path,
					 "this static virtio-net function is listed twice (also at line %u)", o->pos.line);
		}
		c->p->nvirtio++;
	}
}

void bf_profile_read_dpu(struct bf_pchk *c, const struct bf_pnode *dpu)
{
	size_t i, j;

	if (!bf_pget_is(c, dpu, BF_PT_MAP, "dpu"))
		return;
	bf_pget_keys(c, dpu, "dpu", dpu_keys);
	bf_pget_enum(c, dpu, "eswitch", "dpu", false, eswitch_modes, c->p->eswitch, sizeof(c->p->eswitch));
	read_pfs(c, dpu);
	read_lag(c, dpu);
	read_sfs(c, dpu);
	read_ovs(c, dpu);
	read_virtio(c, dpu);
	if ((c->p->nsfs || c->p->lag.set) && strcmp(c->p->eswitch, "switchdev"))
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CONFLICT, &dpu->pos, "dpu.eswitch",
			 "%s needs dpu.eswitch: switchdev", c->p->lag.set ? "a LAG" : "SFs");
	if ((c->p->nsfs || c->p->lag.set) && !c->p->npfs)
		bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_MISSING, &dpu->pos, "dpu.pfs",
			 "%s needs dpu.pfs (the devlink devices of the uplinks)", c->p->lag.set ? "a LAG" : "SFs");
	for (i = 0; i < c->p->nbridges; i++)
		for (j = 0; j < c->p->bridges[i].nports; j++) {
			const struct bf_profile_port *pt = &c->p->bridges[i].ports[j];

			if (pt->rep[0] && strcmp(c->p->eswitch, "switchdev"))
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CONFLICT, &pt->pos, "dpu.ovs.bridges",
					 "representor %s exists only with dpu.eswitch: switchdev", pt->rep);
			if (c->p->lag.set && pt->rep[0] &&
			    (!strcmp(pt->rep, c->p->lag.members[0]) || !strcmp(pt->rep, c->p->lag.members[1])))
				bf_pdiag(c->res, BF_PSEV_ERROR, BF_PDIAG_CONFLICT, &pt->pos, "dpu.ovs.bridges",
					 "uplink %s is a member of %s: put %s in the bridge, not its members", pt->rep,
					 c->p->lag.name, c->p->lag.name);
		}
}
