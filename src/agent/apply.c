/* apply.c - observing the DPU and carrying out a plan in the order the
 * hardware needs (see agent.h and doc/agent.md):
 *   eswitch mode -> wait for the representors -> the LAG bond and its
 *   members (before VFs exist and while the uplinks are in no bridge) ->
 *   wait for the RDMA LAG device -> VFs -> SFs -> virtio-net hotplug ->
 *   look again -> OVS in one transaction. */
#include "config.h"
#include "agent.h"
#include "error.h"
#include "log.h"
#include "state.h"
#include "virtnet.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void keep_err(char *dst, size_t cap)
{
	snprintf(dst, cap, "%s", bf_error_or("failed"));
}

void bf_agent_open(struct bf_agent *ag)
{
	if (bf_agent_nl_open(&ag->nl) == 0)
		ag->nl_ok = true;
	else
		keep_err(ag->nl_err, sizeof(ag->nl_err));
	if (bf_agent_ovsdb_open(&ag->db, ag->ovsdb_path) == 0)
		ag->db_ok = true;
	else
		keep_err(ag->db_err, sizeof(ag->db_err));
}

void bf_agent_close(struct bf_agent *ag)
{
	if (ag->nl_ok)
		bf_agent_nl_close(&ag->nl);
	if (ag->db_ok)
		bf_agent_ovsdb_close(&ag->db);
	ag->nl_ok = ag->db_ok = false;
}

static bool wants_virtio(const struct bf_agent *ag, const struct bf_profile *p)
{
	size_t i;

	for (i = 0; p && i < p->nvirtio; i++)
		if (p->virtio[i].kind == BF_VIRTIO_HOTPLUG)
			return true;
	for (i = 0; i < ag->rec.n; i++)
		if (!strncmp(ag->rec.items[i], "virtio:", 7))
			return true;
	return false;
}

void bf_agent_observe(struct bf_agent *ag, const struct bf_profile *p, struct bf_agent_obs *o)
{
	memset(o, 0, sizeof(*o));
	if (ag->nl_ok) {
		if (bf_agent_nl_links(&ag->nl, o) < 0)
			keep_err(ag->nl_err, sizeof(ag->nl_err));
		else if (bf_agent_nl_devlink(&ag->nl, o) < 0)
			bf_debug("devlink: %s", bf_error_or("unavailable"));
	}
	if (ag->db_ok && bf_agent_ovsdb_observe(&ag->db, o) < 0)
		keep_err(ag->db_err, sizeof(ag->db_err));
	if (wants_virtio(ag, p)) {
		if (bf_agent_virtnet_list(ag->virtnet, o) < 0)
			keep_err(ag->vn_err, sizeof(ag->vn_err));
		else
			ag->vn_err[0] = 0;
	}
}

static void fail(struct bf_agent_action *a, const char *fallback)
{
	a->verdict = BF_AV_FAILED;
	snprintf(a->reason, sizeof(a->reason), "%s", bf_error_or(fallback));
}

static void save(struct bf_agent *ag, const struct bf_profile *p)
{
	if (bf_agent_state_save(ag->state_path, &ag->rec, p->name) < 0)
		bf_warn("%s", bf_error_get());
}

/* The kind of a representor by its phys_port_name: 'v' VF, 's' SF, 'u'
 * uplink or PF. */
static char rep_kind(const char *rep)
{
	return strstr(rep, "vf") ? 'v' : strstr(rep, "sf") ? 's' : 'u';
}

/* Wait, bounded and named, until every representor of the kinds given
 * ("u", "uv", "s") that the profile names (ports, LAG members) has a
 * netdev. */
static void wait_reps(struct bf_agent *ag, const struct bf_profile *p, const char *kinds, const char *why)
{
	struct bf_agent_obs *o = calloc(1, sizeof(*o));
	time_t t0 = time(NULL);
	size_t i, j;

	if (!o)
		return;
	for (;;) {
		const char *missing = NULL;

		o->nlinks = 0;
		o->ndevs = 0;
		if (bf_agent_nl_links(&ag->nl, o) < 0)
			break;
		bf_agent_nl_devlink(&ag->nl, o);
		for (i = 0; i < p->nbridges && !missing; i++)
			for (j = 0; j < p->bridges[i].nports && !missing; j++)
				if (p->bridges[i].ports[j].rep[0] && strchr(kinds, rep_kind(p->bridges[i].ports[j].rep)) &&
				    !bf_agent_link_by_rep(o, p, p->bridges[i].ports[j].rep))
					missing = p->bridges[i].ports[j].rep;
		for (i = 0; p->lag.set && strchr(kinds, 'u') && i < p->lag.nmembers && !missing; i++)
			if (!bf_agent_link_by_rep(o, p, p->lag.members[i]))
				missing = p->lag.members[i];
		if (!missing)
			break;
		if (time(NULL) - t0 >= BF_AGENT_WAIT_REPS_S) {
			bf_warn("wait for representors (%s): %s still missing after %d s", why, missing,
				BF_AGENT_WAIT_REPS_S);
			break;
		}
		bf_info("wait for representors (%s): %s not there yet", why, missing);
		usleep(200000);
	}
	free(o);
}

/* The RDMA LAG device appears once the firmware forms the hardware LAG;
 * only mlx5 PCI functions have one. */
static void wait_lag_device(struct bf_agent *ag, const struct bf_profile *p)
{
	char path[256];
	time_t t0 = time(NULL);
	struct stat st;

	snprintf(path, sizeof(path), "%s/class/infiniband", ag->sysfs);
	if (!p->npfs || strncmp(p->pfs[0].devlink, "pci/", 4) || stat(path, &st) < 0) {
		bf_info("wait for mlx5_bond_0: skipped (no RDMA devices: not an mlx5 LAG)");
		return;
	}
	snprintf(path, sizeof(path), "%s/class/infiniband/mlx5_bond_0", ag->sysfs);
	while (stat(path, &st) < 0) {
		if (time(NULL) - t0 >= BF_AGENT_WAIT_BOND_S) {
			bf_warn("wait for mlx5_bond_0: not there after %d s: the hardware LAG did not form "
				"(host VFs or OVS ports on the uplinks, or no power cycle after LAG_RESOURCE_ALLOCATION)",
				BF_AGENT_WAIT_BOND_S);
			return;
		}
		usleep(250000);
	}
}

static int write_numvfs(const struct bf_agent *ag, const char *handle, int n)
{
	const char *slash = strchr(handle, '/');
	char path[256], v[16];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/bus/%.*s/devices/%s/sriov_numvfs", ag->sysfs,
		 slash ? (int)(slash - handle) : 0, handle, slash ? slash + 1 : "");
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return bf_error_ret(errno, "cannot open %s: %s", path, strerror(errno));
	snprintf(v, sizeof(v), "%d", n);
	if (write(fd, v, strlen(v)) < 0)
		r = bf_error_ret(errno, "cannot write %d to %s: %s", n, path, strerror(errno));
	close(fd);
	return r;
}

static const char *ib_device(const struct bf_profile *p, const struct bf_profile_virtio *v)
{
	if (v->ib_device[0])
		return v->ib_device;
	return p->lag.set ? "mlx5_bond_0" : "mlx5_0";
}

/* A slave goes to a bond down; the bond brings it up itself. */
static int enslave(struct bf_agent *ag, int ifindex, int bond)
{
	if (bf_agent_nl_link_set(&ag->nl, ifindex, -1, 0, 0, NULL) < 0 ||
	    bf_agent_nl_link_set(&ag->nl, ifindex, bond, 0, -1, NULL) < 0)
		return -1;
	return bf_agent_nl_link_set(&ag->nl, ifindex, -1, 0, 1, NULL);
}

/* The bond's options. The kernel changes the mode only of a bond that is
 * down and has no slaves: they are released first and taken back after
 * (the uplinks carry no traffic meanwhile, as any mode change implies). */
static int change_bond(struct bf_agent *ag, const struct bf_agent_obs *o, const struct bf_agent_link *l,
		       int mode, int hash, int miimon)
{
	int slaves[BF_AGENT_MAX_LINKS];
	size_t i, n = 0;
	int r;

	if (l->bond_mode != mode) {
		for (i = 0; i < o->nlinks; i++)
			if (o->links[i].master == l->ifindex &&
			    bf_agent_nl_link_set(&ag->nl, o->links[i].ifindex, 0, 0, -1, NULL) == 0)
				slaves[n++] = o->links[i].ifindex;
		bf_agent_nl_link_set(&ag->nl, l->ifindex, -1, 0, 0, NULL);
		if (n)
			bf_info("bond %s: %zu slave%s released for the mode change", l->name, n, n == 1 ? "" : "s");
	}
	r = bf_agent_nl_bond_set(&ag->nl, l->ifindex, mode, hash, miimon);
	for (i = 0; i < n; i++)
		if (enslave(ag, slaves[i], l->ifindex) < 0 && r == 0)
			r = -1;
	return r;
}

static void do_bond(struct bf_agent *ag, const struct bf_profile *p, const struct bf_agent_obs *o,
		    struct bf_agent_action *a)
{
	const struct bf_profile_lag *lag = &p->lag;
	const struct bf_agent_link *l = bf_agent_link_by_name(o, a->id);
	int hash = lag->hash[0] ? bf_agent_bond_hash(lag->hash) : -1;

	if (a->op == BF_AOP_REMOVE) {
		if (l && bf_agent_nl_link_del(&ag->nl, l->ifindex) < 0)
			return fail(a, "delete failed");
		bf_agent_record_del(&ag->rec, "bond", a->id);
		a->verdict = BF_AV_REMOVED;
		return;
	}
	if (a->op == BF_AOP_CREATE) {
		if (bf_agent_nl_link_create(&ag->nl, lag->name, "bond", bf_agent_bond_mode(lag->mode), hash,
					    (int)lag->miimon) < 0)
			return fail(a, "create failed");
		bf_agent_record_add(&ag->rec, "bond", lag->name);
		save(ag, p);
		a->verdict = BF_AV_CREATED;
	} else if (l && change_bond(ag, o, l, bf_agent_bond_mode(lag->mode), hash, (int)lag->miimon) < 0) {
		return fail(a, "change failed");
	} else {
		a->verdict = BF_AV_CHANGED;
	}
	/* Up, with the MTU (a fresh bond: look its index up). */
	{
		struct bf_agent_obs *n = calloc(1, sizeof(*n));
		const struct bf_agent_link *b;

		if (n && bf_agent_nl_links(&ag->nl, n) == 0 && (b = bf_agent_link_by_name(n, lag->name)) != NULL &&
		    bf_agent_nl_link_set(&ag->nl, b->ifindex, -1, (int)lag->mtu, 1, NULL) < 0)
			fail(a, "up failed");
		free(n);
	}
}

/* An SF the agent made and the profile dropped: a->id is "HANDLE/SFNUM". */
static void do_sf_remove(struct bf_agent *ag, const struct bf_profile *p, struct bf_agent_action *a)
{
	const char *slash = strrchr(a->id, '/');
	char handle[64];
	char *end;
	unsigned long sfnum;

	if (!slash || slash == a->id || (size_t)(slash - a->id) >= sizeof(handle))
		return fail(a, "not an SF id");
	sfnum = strtoul(slash + 1, &end, 10);
	if (*end || end == slash + 1 || sfnum > 0xffffffffUL)
		return fail(a, "not an SF id");
	snprintf(handle, sizeof(handle), "%.*s", (int)(slash - a->id), a->id);
	if (bf_agent_nl_sf_del(&ag->nl, handle, (unsigned)sfnum) < 0)
		return fail(a, "SF delete failed");
	bf_agent_record_del(&ag->rec, "sf", a->id);
	save(ag, p);
	a->verdict = BF_AV_REMOVED;
}

static void do_member(struct bf_agent *ag, const struct bf_profile *p, struct bf_agent_action *a)
{
	struct bf_agent_obs *n = calloc(1, sizeof(*n));
	const struct bf_agent_link *b, *m;

	if (!n || bf_agent_nl_links(&ag->nl, n) < 0 || !(b = bf_agent_link_by_name(n, p->lag.name)) ||
	    !(m = bf_agent_link_by_name(n, a->detail))) {
		free(n);
		return fail(a, "the bond or the uplink is gone");
	}
	if (enslave(ag, m->ifindex, b->ifindex) < 0)
		fail(a, "enslave failed");
	else
		a->verdict = BF_AV_CREATED;
	free(n);
}

/* Waits owed after a run of one kind of kernel action: the kernel makes
 * representors and the LAG device asynchronously. */
struct kwait {
	bool switched, bonded, vfs, sfs;
};

/* Before an action of another kind, what the previous run made is waited for. */
static void kwait_before(struct bf_agent *ag, const struct bf_profile *p, struct kwait *w,
			 enum bf_agent_kind kind)
{
	if (kind != BF_AK_ESWITCH && w->switched) {
		wait_reps(ag, p, "u", "uplinks and PFs after switchdev");
		w->switched = false;
	}
	if (kind != BF_AK_VFS && w->vfs) {
		wait_reps(ag, p, "v", "VFs after sriov_numvfs");
		w->vfs = false;
	}
	if (kind != BF_AK_BOND && kind != BF_AK_MEMBER && w->bonded) {
		wait_lag_device(ag, p);
		w->bonded = false;
	}
}

static void kwait_end(struct bf_agent *ag, const struct bf_profile *p, const struct kwait *w)
{
	if (w->switched)
		wait_reps(ag, p, "u", "uplinks and PFs after switchdev");
	if (w->bonded)
		wait_lag_device(ag, p);
	if (w->vfs)
		wait_reps(ag, p, "v", "VFs after sriov_numvfs");
	if (w->sfs)
		wait_reps(ag, p, "s", "SFs after port add");
}

/* The kernel changes a non-zero VF count only through 0. */
static bool do_vfs(struct bf_agent *ag, struct bf_agent_action *a)
{
	const struct bf_profile_pf *pf = a->want;

	if ((write_numvfs(ag, a->id, 0) < 0 && pf->vfs) || (pf->vfs && write_numvfs(ag, a->id, pf->vfs) < 0)) {
		fail(a, "sriov_numvfs failed");
		return false;
	}
	a->verdict = BF_AV_CHANGED;
	return true;
}

/* true when an SF port was added (its representor is then waited for). */
static bool do_sf(struct bf_agent *ag, const struct bf_profile *p, struct bf_agent_action *a)
{
	const struct bf_profile_sf *sf = a->want;

	if (a->op == BF_AOP_REMOVE) {
		do_sf_remove(ag, p, a);
		return false;
	}
	if (a->op == BF_AOP_CHANGE) {
		if (bf_agent_nl_sf_setup(&ag->nl, p->pfs[sf->pf].devlink, sf->sfnum, sf->mac) < 0)
			fail(a, "SF setup failed");
		else
			a->verdict = BF_AV_CHANGED;
		return false;
	}
	/* Recorded first: a run killed after the port add still leaves an
	 * SF the agent knows it made. */
	bf_agent_record_add(&ag->rec, "sf", a->id);
	save(ag, p);
	if (bf_agent_nl_sf_add(&ag->nl, p->pfs[sf->pf].devlink, sf->pf, sf->sfnum, sf->mac) < 0) {
		fail(a, "SF add failed");
		return false;
	}
	a->verdict = BF_AV_CREATED;
	return true;
}

static void do_virtio(struct bf_agent *ag, const struct bf_profile *p, const struct bf_agent_obs *o,
		      struct bf_agent_action *a)
{
	const struct bf_profile_virtio *v = a->want;
	const struct bf_agent_vdev *d = bf_agent_obs_vdev(o, a->id);

	if (a->op != BF_AOP_CREATE && d && bf_agent_virtnet_unplug(ag->virtnet, d->vuid) < 0) {
		fail(a, "unplug failed");
		return;
	}
	if (a->op == BF_AOP_REMOVE) {
		bf_agent_record_del(&ag->rec, "virtio", a->id);
		save(ag, p);
		a->verdict = BF_AV_REMOVED;
		return;
	}
	if (bf_agent_virtnet_hotplug(ag->virtnet, ib_device(p, v), v) < 0) {
		fail(a, "hotplug failed");
		return;
	}
	bf_agent_record_add(&ag->rec, "virtio", a->id);
	save(ag, p);
	a->verdict = a->op == BF_AOP_CREATE ? BF_AV_CREATED : BF_AV_CHANGED;
}

/* One kernel action; w records what is to be waited for afterwards. */
static void do_kernel_action(struct bf_agent *ag, const struct bf_profile *p, const struct bf_agent_obs *o,
			     struct bf_agent_action *a, struct kwait *w)
{
	switch (a->kind) {
	case BF_AK_ESWITCH:
		if (bf_agent_nl_eswitch_set(&ag->nl, a->id, a->detail) < 0) {
			fail(a, "eswitch set failed");
		} else {
			a->verdict = BF_AV_CHANGED;
			w->switched = true;
		}
		break;
	case BF_AK_BOND:
		do_bond(ag, p, o, a);
		w->bonded = true;
		break;
	case BF_AK_MEMBER:
		do_member(ag, p, a);
		w->bonded = true;
		break;
	case BF_AK_VFS:
		w->vfs |= do_vfs(ag, a);
		break;
	case BF_AK_SF:
		w->sfs |= do_sf(ag, p, a);
		break;
	case BF_AK_VIRTIO:
		do_virtio(ag, p, o, a);
		break;
	default:
		break;
	}
}

static void do_kernel(struct bf_agent *ag, const struct bf_profile *p, const struct bf_agent_obs *o,
		      struct bf_agent_plan *pl)
{
	struct kwait w = { 0 };
	size_t i;

	for (i = 0; i < pl->n; i++) {
		struct bf_agent_action *a = &pl->a[i];

		if (a->op == BF_AOP_NONE || a->op == BF_AOP_FAIL) {
			if (a->op == BF_AOP_FAIL)
				a->verdict = BF_AV_FAILED;
			continue;
		}
		kwait_before(ag, p, &w, a->kind);
		if (!ag->nl_ok && a->kind != BF_AK_VIRTIO) {
			a->verdict = BF_AV_FAILED;
			snprintf(a->reason, sizeof(a->reason), "%.180s", ag->nl_err);
			continue;
		}
		do_kernel_action(ag, p, o, a, &w);
	}
	kwait_end(ag, p, &w);
}

int bf_agent_apply(struct bf_agent *ag, const struct bf_profile *p, struct bf_agent_plan *plan)
{
	struct bf_agent_obs *o = calloc(1, sizeof(*o));
	struct bf_agent_plan ovs = { 0 };
	size_t i, failed = 0;
	int r;

	if (!o)
		return -ENOMEM;
	bf_agent_observe(ag, p, o);
	r = bf_agent_plan_build(p, o, &ag->rec, true, false, plan);
	if (r == 0) {
		do_kernel(ag, p, o, plan);
		/* The kernel and the controller changed: look again for OVS. */
		bf_agent_observe(ag, p, o);
		r = bf_agent_plan_build(p, o, &ag->rec, false, true, &ovs);
	}
	if (r == 0) {
		for (i = 0; i < ovs.n; i++)
			if (ovs.a[i].op == BF_AOP_FAIL)
				ovs.a[i].verdict = BF_AV_FAILED;
		if (!o->have_ovs) {
			for (i = 0; i < ovs.n; i++)
				if (ovs.a[i].op != BF_AOP_NONE) {
					ovs.a[i].verdict = BF_AV_FAILED;
					snprintf(ovs.a[i].reason, sizeof(ovs.a[i].reason), "%.180s", ag->db_err);
				}
		} else {
			bf_agent_ovsdb_apply(&ag->db, o, &ovs, &ag->rec);
		}
		for (i = 0; i < ovs.n && r == 0; i++) {
			struct bf_agent_action *a;

			if (plan->n == plan->cap) {
				a = realloc(plan->a, (plan->cap * 2 + 8) * sizeof(*a));
				if (!a) {
					r = -ENOMEM;
					break;
				}
				plan->a = a;
				plan->cap = plan->cap * 2 + 8;
			}
			plan->a[plan->n++] = ovs.a[i];
		}
	}
	bf_agent_plan_free(&ovs);
	free(o);
	if (r < 0)
		return r;
	if (bf_agent_state_save(ag->state_path, &ag->rec, p->name) < 0)
		return -EIO;
	for (i = 0; i < plan->n; i++)
		failed += plan->a[i].verdict == BF_AV_FAILED;
	return (int)failed;
}
