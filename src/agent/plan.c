/* plan.c - desired (profile) + observed + record -> actions. Pure: no
 * system access, so it is unit-tested on recorded observations. */
#include "config.h"
#include "model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *bf_agent_kind_name(enum bf_agent_kind k)
{
	static const char *const n[] = { "eswitch", "vfs", "bond", "bond_member", "sf", "ovs_config", "bridge", "port",
					 "virtio_net" };

	return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

const char *bf_agent_op_name(enum bf_agent_op o)
{
	static const char *const n[] = { "none", "create", "change", "remove", "fail" };

	return (unsigned)o < sizeof(n) / sizeof(n[0]) ? n[o] : "?";
}

const char *bf_agent_verdict_name(enum bf_agent_verdict v)
{
	static const char *const n[] = { "unchanged", "created", "changed", "removed", "failed", "pending" };

	return (unsigned)v < sizeof(n) / sizeof(n[0]) ? n[v] : "?";
}

bool bf_agent_record_has(const struct bf_agent_record *r, const char *kind, const char *id)
{
	size_t i, kl = strlen(kind);

	for (i = 0; i < r->n; i++)
		if (!strncmp(r->items[i], kind, kl) && r->items[i][kl] == ':' && !strcmp(r->items[i] + kl + 1, id))
			return true;
	return false;
}

int bf_agent_record_add(struct bf_agent_record *r, const char *kind, const char *id)
{
	char *s;

	if (bf_agent_record_has(r, kind, id))
		return 0;
	if (r->n == BF_AGENT_MAX_RECORD)
		return -ENOSPC;
	s = malloc(strlen(kind) + strlen(id) + 2);
	if (!s)
		return -ENOMEM;
	sprintf(s, "%s:%s", kind, id);
	r->items[r->n++] = s;
	return 0;
}

void bf_agent_record_del(struct bf_agent_record *r, const char *kind, const char *id)
{
	size_t i, kl = strlen(kind);

	for (i = 0; i < r->n; i++)
		if (!strncmp(r->items[i], kind, kl) && r->items[i][kl] == ':' && !strcmp(r->items[i] + kl + 1, id)) {
			free(r->items[i]);
			r->items[i] = r->items[--r->n];
			return;
		}
}

void bf_agent_record_free(struct bf_agent_record *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->items[i]);
	r->n = 0;
}

const struct bf_agent_link *bf_agent_link_by_name(const struct bf_agent_obs *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nlinks; i++)
		if (!strcmp(o->links[i].name, name))
			return &o->links[i];
	return NULL;
}

/* A switch id belongs to the profile's eswitch: one of its PFs' devices
 * has it (any switch when the profile lists no PFs or none is known). */
static bool switch_wanted(const struct bf_agent_obs *o, const struct bf_profile *p, const char *sid)
{
	size_t i, j, known = 0;

	for (i = 0; i < p->npfs; i++)
		for (j = 0; j < o->ndevs; j++)
			if (!strcmp(o->devs[j].handle, p->pfs[i].devlink) && o->devs[j].switch_id[0]) {
				known++;
				if (!strcmp(o->devs[j].switch_id, sid))
					return true;
			}
	return known == 0;
}

const struct bf_agent_link *bf_agent_link_by_rep(const struct bf_agent_obs *o, const struct bf_profile *p,
						 const char *rep)
{
	size_t i;

	for (i = 0; i < o->nlinks; i++)
		if (o->links[i].switch_id[0] && !strcmp(o->links[i].port_name, rep) &&
		    switch_wanted(o, p, o->links[i].switch_id))
			return &o->links[i];
	return NULL;
}

static struct bf_agent_action *add(struct bf_agent_plan *pl, enum bf_agent_kind k, enum bf_agent_op op,
				   const char *id, const void *want, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static struct bf_agent_action *add(struct bf_agent_plan *pl, enum bf_agent_kind k, enum bf_agent_op op,
				   const char *id, const void *want, const char *fmt, ...)
{
	struct bf_agent_action *a;
	va_list ap;

	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 32;

		a = realloc(pl->a, cap * sizeof(*a));
		if (!a) {
			pl->oom = true;
			return NULL;
		}
		pl->a = a;
		pl->cap = cap;
	}
	a = &pl->a[pl->n++];
	memset(a, 0, sizeof(*a));
	a->kind = k;
	a->op = op;
	a->want = want;
	a->verdict = op == BF_AOP_NONE ? BF_AV_UNCHANGED : BF_AV_PENDING;
	snprintf(a->id, sizeof(a->id), "%s", id);
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
	return a;
}

static void plan_eswitch(const struct bf_profile *p, const struct bf_agent_obs *o, struct bf_agent_plan *pl)
{
	size_t i;

	for (i = 0; i < p->npfs; i++) {
		const struct bf_profile_pf *pf = &p->pfs[i];
		const struct bf_agent_dev *d = bf_agent_obs_dev(o, pf->devlink);
		struct bf_agent_action *a;

		if (!p->eswitch[0])
			continue;
		if (!d)
			a = add(pl, BF_AK_ESWITCH, BF_AOP_FAIL, pf->devlink, pf, "devlink device %s not found",
				pf->devlink);
		else if (!strcmp(d->mode, p->eswitch))
			a = add(pl, BF_AK_ESWITCH, BF_AOP_NONE, pf->devlink, pf, "mode %s", d->mode);
		else
			a = add(pl, BF_AK_ESWITCH, BF_AOP_CHANGE, pf->devlink, pf, "mode %s -> %s",
				d->mode[0] ? d->mode : "unknown", p->eswitch);
		if (a)
			snprintf(a->detail, sizeof(a->detail), "%s", p->eswitch);
	}
}

/* Bonding mode and xmit_hash_policy numbers (linux/if_bonding.h). */
int bf_agent_bond_mode(const char *mode)
{
	return !strcmp(mode, "active-backup") ? 1 : !strcmp(mode, "balance-xor") ? 2 : 4;
}

int bf_agent_bond_hash(const char *hash)
{
	static const char *const n[] = { "layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4" };
	int i;

	for (i = 0; i < 5; i++)
		if (!strcmp(hash, n[i]))
			return i;
	return 0;
}

static void plan_bond(const struct bf_profile *p, const struct bf_agent_obs *o, const struct bf_agent_record *rec,
		      struct bf_agent_plan *pl)
{
	const struct bf_profile_lag *lag = &p->lag;
	const struct bf_agent_link *b;
	size_t i;

	for (i = 0; i < rec->n; i++)
		if (!strncmp(rec->items[i], "bond:", 5) && (!lag->set || strcmp(rec->items[i] + 5, lag->name)) &&
		    bf_agent_link_by_name(o, rec->items[i] + 5))
			add(pl, BF_AK_BOND, BF_AOP_REMOVE, rec->items[i] + 5, NULL, "no longer in the profile");
	if (!lag->set)
		return;
	b = bf_agent_link_by_name(o, lag->name);
	if (!b)
		add(pl, BF_AK_BOND, BF_AOP_CREATE, lag->name, lag, "%s, %s, miimon %u", lag->mode,
		    lag->hash[0] ? lag->hash : "no hash", lag->miimon);
	else if (strcmp(b->kind, "bond"))
		add(pl, BF_AK_BOND, BF_AOP_FAIL, lag->name, lag, "%s exists and is not a bond (%s)", lag->name,
		    b->kind[0] ? b->kind : "no kind");
	else if (b->bond_mode != bf_agent_bond_mode(lag->mode) ||
		 (lag->hash[0] && b->bond_hash != bf_agent_bond_hash(lag->hash)) || b->bond_miimon != (int)lag->miimon ||
		 (lag->mtu && b->mtu != (int)lag->mtu) || !b->up)
		add(pl, BF_AK_BOND, BF_AOP_CHANGE, lag->name, lag, "mode/hash/miimon/mtu/up differ from %s, %s, %u",
		    lag->mode, lag->hash, lag->miimon);
	else
		add(pl, BF_AK_BOND, BF_AOP_NONE, lag->name, lag, "%s, %s, miimon %u", lag->mode, lag->hash, lag->miimon);
	for (i = 0; i < lag->nmembers; i++) {
		const struct bf_agent_link *m = bf_agent_link_by_rep(o, p, lag->members[i]);
		const struct bf_agent_obs_bridge *br;
		struct bf_agent_action *a;
		char id[64];

		snprintf(id, sizeof(id), "%s/%s", lag->name, lag->members[i]);
		if (!m) {
			add(pl, BF_AK_MEMBER, BF_AOP_FAIL, id, lag, "no netdev has phys_port_name %s on the eswitch",
			    lag->members[i]);
			continue;
		}
		if (b && m->master == b->ifindex) {
			a = add(pl, BF_AK_MEMBER, BF_AOP_NONE, id, lag, "%s is enslaved", m->name);
		} else if ((br = bf_agent_obs_bridge_of(o, m->name)) != NULL) {
			char pid[64];

			snprintf(pid, sizeof(pid), "%s/%s", br->name, m->name);
			if (bf_agent_record_has(rec, "port", pid))
				a = add(pl, BF_AK_MEMBER, BF_AOP_FAIL, id, lag,
					"%s is still a port of %s: the next apply enslaves it once OVS let it go",
					m->name, br->name);
			else
				a = add(pl, BF_AK_MEMBER, BF_AOP_FAIL, id, lag,
					"%s is a port of OVS bridge %s, made by hand: remove it from the bridge first",
					m->name, br->name);
		} else {
			a = add(pl, BF_AK_MEMBER, BF_AOP_CREATE, id, lag, "enslave %s", m->name);
		}
		if (a)
			snprintf(a->detail, sizeof(a->detail), "%s", m->name);
	}
}

static void plan_vfs(const struct bf_profile *p, const struct bf_agent_obs *o, struct bf_agent_plan *pl)
{
	size_t i;

	for (i = 0; i < p->npfs; i++) {
		const struct bf_profile_pf *pf = &p->pfs[i];
		const struct bf_agent_dev *d = bf_agent_obs_dev(o, pf->devlink);
		struct bf_agent_action *a;

		if (pf->vfs < 0)
			continue;
		if (!d || d->numvfs < 0)
			a = add(pl, BF_AK_VFS, BF_AOP_FAIL, pf->devlink, pf, "sriov_numvfs of %s cannot be read",
				pf->devlink);
		else if (d->numvfs == pf->vfs)
			a = add(pl, BF_AK_VFS, BF_AOP_NONE, pf->devlink, pf, "%d VFs", d->numvfs);
		else
			a = add(pl, BF_AK_VFS, BF_AOP_CHANGE, pf->devlink, pf, "%d -> %d VFs", d->numvfs, pf->vfs);
		if (a)
			snprintf(a->detail, sizeof(a->detail), "%d", pf->vfs);
	}
}

static void plan_sfs(const struct bf_profile *p, const struct bf_agent_obs *o, const struct bf_agent_record *rec,
		     struct bf_agent_plan *pl)
{
	size_t i, j;

	for (i = 0; i < p->nsfs; i++) {
		const struct bf_profile_sf *sf = &p->sfs[i];
		char rep[32], id[96];

		snprintf(rep, sizeof(rep), "pf%usf%u", sf->pf, sf->sfnum);
		snprintf(id, sizeof(id), "%s/%u", sf->pf < p->npfs ? p->pfs[sf->pf].devlink : "?", sf->sfnum);
		if (bf_agent_link_by_rep(o, p, rep)) {
			const struct bf_agent_sfport *s =
				sf->pf < p->npfs ? bf_agent_obs_sfport(o, p->pfs[sf->pf].devlink, sf->sfnum) : NULL;

			/* A run stopped between adding the port and activating it. */
			if (s && (!s->active || (sf->mac[0] && strcasecmp(s->mac, sf->mac))))
				add(pl, BF_AK_SF, BF_AOP_CHANGE, id, sf, "%s%s%s: set up its function", s->active ? "" : "inactive",
				    !s->active && sf->mac[0] && strcasecmp(s->mac, sf->mac) ? ", " : "",
				    sf->mac[0] && strcasecmp(s->mac, sf->mac) ? "hw_addr differs" : "");
			else
				add(pl, BF_AK_SF, BF_AOP_NONE, id, sf, "representor %s present", rep);
		} else
			add(pl, BF_AK_SF, BF_AOP_CREATE, id, sf, "pfnum %u sfnum %u%s%s%s", sf->pf, sf->sfnum,
			    sf->mac[0] ? " hw_addr " : "", sf->mac, sf->trust ? " trust on" : "");
	}
	for (i = 0; i < rec->n; i++) {
		const char *id = rec->items[i] + 3;

		if (strncmp(rec->items[i], "sf:", 3))
			continue;
		for (j = 0; j < p->nsfs; j++) {
			char want[96];

			snprintf(want, sizeof(want), "%s/%u",
				 p->sfs[j].pf < p->npfs ? p->pfs[p->sfs[j].pf].devlink : "?", p->sfs[j].sfnum);
			if (!strcmp(want, id))
				break;
		}
		if (j == p->nsfs)
			add(pl, BF_AK_SF, BF_AOP_REMOVE, id, NULL, "no longer in the profile");
	}
}

static void plan_virtio(const struct bf_profile *p, const struct bf_agent_obs *o, const struct bf_agent_record *rec,
			struct bf_agent_plan *pl)
{
	size_t i, j;

	for (i = 0; i < p->nvirtio; i++) {
		const struct bf_profile_virtio *v = &p->virtio[i];
		const struct bf_agent_vdev *d;

		if (v->kind != BF_VIRTIO_HOTPLUG) {
			add(pl, BF_AK_VIRTIO, BF_AOP_NONE, v->mac[0] ? v->mac : "static", v,
			    "static functions are set up by the firmware and the host");
			continue;
		}
		d = o->have_virtio ? bf_agent_obs_vdev(o, v->mac) : NULL;
		if (!o->have_virtio)
			add(pl, BF_AK_VIRTIO, BF_AOP_FAIL, v->mac, v, "the virtio-net controller cannot be listed");
		else if (!d)
			add(pl, BF_AK_VIRTIO, BF_AOP_CREATE, v->mac, v, "hotplug on PF %u: mtu %u, %u queues of %u", v->pf,
			    v->mtu, v->queues, v->queue_size);
		else if (d->mtu != v->mtu || d->queues != v->queues || d->queue_size != v->queue_size)
			add(pl, BF_AK_VIRTIO, bf_agent_record_has(rec, "virtio", v->mac) ? BF_AOP_CHANGE : BF_AOP_FAIL,
			    v->mac, v, "%s has mtu %u, %u queues of %u; the profile wants %u, %u of %u%s", d->vuid,
			    d->mtu, d->queues, d->queue_size, v->mtu, v->queues, v->queue_size,
			    bf_agent_record_has(rec, "virtio", v->mac) ? " (unplug and hotplug again)"
									: " (hot-plugged by hand: left alone)");
		else
			add(pl, BF_AK_VIRTIO, BF_AOP_NONE, v->mac, v, "%s, representor %s", d->vuid, d->sf_rep);
	}
	for (i = 0; i < rec->n; i++) {
		const char *mac = rec->items[i] + 7;

		if (strncmp(rec->items[i], "virtio:", 7))
			continue;
		for (j = 0; j < p->nvirtio; j++)
			if (!strcmp(p->virtio[j].mac, mac))
				break;
		if (j == p->nvirtio && (!o->have_virtio || bf_agent_obs_vdev(o, mac)))
			add(pl, BF_AK_VIRTIO, BF_AOP_REMOVE, mac, NULL, "no longer in the profile");
	}
}

static const char *other_value(const struct bf_agent_obs *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->nother; i++)
		if (!strcmp(o->other[i].key, key))
			return o->other[i].value;
	return NULL;
}

/* The netdev a profile port means: its name, a representor, or (virtio
 * bridges) a device's SF representor. NULL with why set when unresolved. */
static const char *port_netdev(const struct bf_profile *p, const struct bf_agent_obs *o,
			       const struct bf_profile_port *pt, char *why, size_t cap)
{
	const struct bf_agent_link *l;

	if (pt->name[0])
		return pt->name;
	l = bf_agent_link_by_rep(o, p, pt->rep);
	if (l)
		return l->name;
	snprintf(why, cap, "no netdev has phys_port_name %s on the eswitch (yet)", pt->rep);
	return NULL;
}

static void plan_port(const struct bf_profile *p, const struct bf_agent_obs *o, const struct bf_agent_record *rec,
		      const char *br, const char *name, const void *want, struct bf_agent_plan *pl)
{
	const struct bf_agent_obs_bridge *in = bf_agent_obs_bridge_of(o, name);
	char id[64], oid[64];

	snprintf(id, sizeof(id), "%s/%s", br, name);
	if (in && !strcmp(in->name, br)) {
		add(pl, BF_AK_PORT, BF_AOP_NONE, id, want, "in %s", br);
		return;
	}
	if (in) {
		snprintf(oid, sizeof(oid), "%s/%s", in->name, name);
		if (!bf_agent_record_has(rec, "port", oid)) {
			add(pl, BF_AK_PORT, BF_AOP_FAIL, id, want, "%s is a port of bridge %s, made by hand", name,
			    in->name);
			return;
		}
		add(pl, BF_AK_PORT, BF_AOP_REMOVE, oid, NULL, "moves to %s", br);
	}
	add(pl, BF_AK_PORT, BF_AOP_CREATE, id, want, "add %s to %s", name, br);
}

static bool port_wanted(const struct bf_profile *p, const struct bf_agent_obs *o, const char *br, const char *name)
{
	size_t i, j;
	char why[128];

	for (i = 0; i < p->nbridges; i++) {
		if (strcmp(p->bridges[i].name, br))
			continue;
		for (j = 0; j < p->bridges[i].nports; j++) {
			const char *n = port_netdev(p, o, &p->bridges[i].ports[j], why, sizeof(why));

			if (n && !strcmp(n, name))
				return true;
		}
	}
	for (i = 0; i < p->nvirtio; i++) {
		const struct bf_agent_vdev *d = bf_agent_obs_vdev(o, p->virtio[i].mac);

		if (d && !strcmp(p->virtio[i].bridge, br) && !strcmp(d->sf_rep, name))
			return true;
	}
	return false;
}

/* other_config: each key of the profile, and the keys the agent set that
 * the profile no longer has. */
static void plan_other_config(const struct bf_profile *p, const struct bf_agent_obs *o,
			      const struct bf_agent_record *rec, struct bf_agent_plan *pl)
{
	size_t i, j;

	for (i = 0; i < p->nother; i++) {
		const struct bf_profile_kv *kv = &p->ovs_other_config[i];
		const char *cur = other_value(o, kv->key);
		struct bf_agent_action *a;

		if (cur && !strcmp(cur, kv->value))
			a = add(pl, BF_AK_OVS_CONFIG, BF_AOP_NONE, kv->key, kv, "%s", cur);
		else
			a = add(pl, BF_AK_OVS_CONFIG, cur ? BF_AOP_CHANGE : BF_AOP_CREATE, kv->key, kv, "%s%s-> %s",
				cur ? cur : "", cur ? " " : "", kv->value);
		if (a)
			snprintf(a->detail, sizeof(a->detail), "%s", kv->value);
	}
	for (i = 0; i < rec->n; i++) {
		const char *key = rec->items[i] + 13;

		if (strncmp(rec->items[i], "other_config:", 13))
			continue;
		for (j = 0; j < p->nother; j++)
			if (!strcmp(p->ovs_other_config[j].key, key))
				break;
		if (j == p->nother && other_value(o, key))
			add(pl, BF_AK_OVS_CONFIG, BF_AOP_REMOVE, key, NULL, "no longer in the profile");
	}
}

/* A bridge the agent made that the profile no longer has: removed, unless
 * it holds a port an operator added (then kept, and only the agent's own
 * ports go). false when the bridge goes as a whole. */
static bool plan_bridge_gone(const struct bf_agent_obs_bridge *b, const struct bf_agent_record *rec,
			     struct bf_agent_plan *pl)
{
	const char *hand = NULL;
	char id[64];
	size_t j;

	for (j = 0; j < b->nports && !hand; j++) {
		snprintf(id, sizeof(id), "%s/%s", b->name, b->ports[j]);
		if (!bf_agent_record_has(rec, "port", id))
			hand = b->ports[j];
	}
	if (!hand) {
		add(pl, BF_AK_BRIDGE, BF_AOP_REMOVE, b->name, NULL, "no longer in the profile");
		return false;
	}
	add(pl, BF_AK_BRIDGE, BF_AOP_NONE, b->name, NULL, "no longer in the profile, kept: it holds %s, added by hand",
	    hand);
	return true;
}

/* Removals first: a port leaving one bridge may join another. */
static void plan_removals(const struct bf_profile *p, const struct bf_agent_obs *o, const struct bf_agent_record *rec,
			  struct bf_agent_plan *pl)
{
	size_t i, j;

	for (i = 0; i < o->nbridges; i++) {
		const struct bf_agent_obs_bridge *b = &o->bridges[i];
		bool br_wanted = false;

		for (j = 0; j < p->nbridges; j++)
			br_wanted |= !strcmp(p->bridges[j].name, b->name);
		if (!br_wanted && (!bf_agent_record_has(rec, "bridge", b->name) || !plan_bridge_gone(b, rec, pl)))
			continue;
		for (j = 0; j < b->nports; j++) {
			char id[64];

			snprintf(id, sizeof(id), "%s/%s", b->name, b->ports[j]);
			if (bf_agent_record_has(rec, "port", id) && !port_wanted(p, o, b->name, b->ports[j]))
				add(pl, BF_AK_PORT, BF_AOP_REMOVE, id, NULL, "no longer in the profile");
		}
	}
}

/* A bridge of the profile: created, its datapath changed, or as it is. */
static void plan_bridge(const struct bf_profile_bridge *b, const struct bf_agent_obs *o, struct bf_agent_plan *pl)
{
	const struct bf_agent_obs_bridge *ob = bf_agent_obs_bridge(o, b->name);
	struct bf_agent_action *a;

	if (!ob)
		a = add(pl, BF_AK_BRIDGE, BF_AOP_CREATE, b->name, b, "new bridge%s%s",
			b->datapath_type[0] ? ", datapath " : "", b->datapath_type);
	else if (strcmp(ob->datapath_type, b->datapath_type) &&
		 !(!strcmp(b->datapath_type, "system") && !ob->datapath_type[0]))
		a = add(pl, BF_AK_BRIDGE, BF_AOP_CHANGE, b->name, b, "datapath_type '%s' -> '%s'", ob->datapath_type,
			b->datapath_type);
	else
		a = add(pl, BF_AK_BRIDGE, BF_AOP_NONE, b->name, b, "%zu ports", ob->nports);
	if (a)
		snprintf(a->detail, sizeof(a->detail), "%s", b->datapath_type);
}

/* The ports of a profile bridge: its listed ports, then the representors
 * of the virtio-net devices that name it. */
static void plan_bridge_ports(const struct bf_profile *p, const struct bf_agent_obs *o,
			      const struct bf_agent_record *rec, const struct bf_profile_bridge *b,
			      struct bf_agent_plan *pl)
{
	char why[128], id[64];
	size_t j;

	for (j = 0; j < b->nports; j++) {
		const char *n = port_netdev(p, o, &b->ports[j], why, sizeof(why));

		if (!n) {
			snprintf(id, sizeof(id), "%s/%s", b->name, b->ports[j].rep);
			add(pl, BF_AK_PORT, BF_AOP_FAIL, id, &b->ports[j], "%s", why);
			continue;
		}
		plan_port(p, o, rec, b->name, n, &b->ports[j], pl);
	}
	for (j = 0; j < p->nvirtio; j++) {
		const struct bf_profile_virtio *v = &p->virtio[j];
		const struct bf_agent_vdev *d = bf_agent_obs_vdev(o, v->mac);

		if (strcmp(v->bridge, b->name))
			continue;
		if (!d || !d->sf_rep[0]) {
			snprintf(id, sizeof(id), "%s/virtio %s", b->name, v->mac);
			add(pl, BF_AK_PORT, BF_AOP_FAIL, id, v, "the representor of virtio-net %s is not there (yet)",
			    v->mac);
			continue;
		}
		plan_port(p, o, rec, b->name, d->sf_rep, v, pl);
	}
}

static void plan_ovs(const struct bf_profile *p, const struct bf_agent_obs *o, const struct bf_agent_record *rec,
		     struct bf_agent_plan *pl)
{
	size_t i;

	if (!o->have_ovs) {
		if (p->nbridges || p->nother)
			add(pl, BF_AK_BRIDGE, BF_AOP_FAIL, "ovsdb", NULL, "ovsdb-server cannot be reached");
		return;
	}
	plan_other_config(p, o, rec, pl);
	plan_removals(p, o, rec, pl);
	for (i = 0; i < p->nbridges; i++) {
		plan_bridge(&p->bridges[i], o, pl);
		plan_bridge_ports(p, o, rec, &p->bridges[i], pl);
	}
}

int bf_agent_plan_build(const struct bf_profile *p, const struct bf_agent_obs *o, const struct bf_agent_record *rec,
			bool kernel, bool ovs, struct bf_agent_plan *pl)
{
	if (kernel) {
		plan_eswitch(p, o, pl);
		plan_bond(p, o, rec, pl);
		plan_vfs(p, o, pl);
		plan_sfs(p, o, rec, pl);
		plan_virtio(p, o, rec, pl);
	}
	if (ovs)
		plan_ovs(p, o, rec, pl);
	return pl->oom ? -ENOMEM : 0;
}

int bf_agent_plan_observed(const struct bf_agent_obs *o, const struct bf_agent_record *rec, struct bf_agent_plan *pl)
{
	struct bf_agent_action *a;
	size_t i;

	for (i = 0; i < o->ndevs; i++)
		if ((a = add(pl, BF_AK_ESWITCH, BF_AOP_NONE, o->devs[i].handle, NULL, "mode %s, %d VFs",
			     o->devs[i].mode[0] ? o->devs[i].mode : "none", o->devs[i].numvfs)))
			strcpy(a->detail, "@");
	for (i = 0; i < o->nlinks; i++)
		if (!strcmp(o->links[i].kind, "bond") &&
		    (a = add(pl, BF_AK_BOND, BF_AOP_NONE, o->links[i].name, NULL, "%s",
			     bf_agent_record_has(rec, "bond", o->links[i].name) ? "made by bfagent" : "made by hand")))
			strcpy(a->detail, "@");
	for (i = 0; i < o->nbridges; i++)
		if ((a = add(pl, BF_AK_BRIDGE, BF_AOP_NONE, o->bridges[i].name, NULL, "%zu ports, %s", o->bridges[i].nports,
			     bf_agent_record_has(rec, "bridge", o->bridges[i].name) ? "made by bfagent" : "made by hand")))
			strcpy(a->detail, "@");
	for (i = 0; i < o->nvdevs; i++)
		if ((a = add(pl, BF_AK_VIRTIO, BF_AOP_NONE, o->vdevs[i].mac, NULL, "%s %s, representor %s",
			     o->vdevs[i].type, o->vdevs[i].vuid, o->vdevs[i].sf_rep)))
			strcpy(a->detail, "@");
	return pl->oom ? -ENOMEM : 0;
}

size_t bf_agent_plan_changes(const struct bf_agent_plan *pl)
{
	size_t i, n = 0;

	for (i = 0; i < pl->n; i++)
		n += pl->a[i].op != BF_AOP_NONE;
	return n;
}

void bf_agent_plan_free(struct bf_agent_plan *pl)
{
	free(pl->a);
	memset(pl, 0, sizeof(*pl));
}
