/* devlink.c - the generic netlink family "devlink" through libmnl (see
 * netlink.h). Facts: linux/devlink.h (DEVLINK_CMD_*, DEVLINK_ATTR_*), the
 * kernel's devlink documentation (eswitch mode, port flavours, port
 * functions, SF ports through port new), and linux/genetlink.h for the
 * family lookup. SR-IOV VF counts are read from sysfs (sriov_numvfs). */
#include "config.h"
#include "netlink.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[65] = { 0 };

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), bf_agent_nl_nested_cb, tb);
	if (tb[CTRL_ATTR_FAMILY_ID] && mnl_attr_get_payload_len(tb[CTRL_ATTR_FAMILY_ID]) >= 2)
		*(int *)data = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return MNL_CB_OK;
}

static struct nlmsghdr *gstart(struct bf_agent_nl *nl, char *buf, int type, int flags, int cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = (unsigned short)type;
	nlh->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | flags);
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = (uint8_t)cmd;
	g->version = 1;
	return nlh;
}

static int family(struct bf_agent_nl *nl)
{
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh;
	int id = -1;

	if (nl->devlink_family)
		return nl->devlink_family;
	if (!nl->gen) {
		nl->gen = mnl_socket_open(NETLINK_GENERIC);
		if (!nl->gen || mnl_socket_bind(nl->gen, 0, MNL_SOCKET_AUTOPID) < 0)
			return bf_error_ret(errno, "cannot open generic netlink: %s", strerror(errno));
		nl->gen_port = mnl_socket_get_portid(nl->gen);
	}
	nlh = gstart(nl, buf, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, DEVLINK_GENL_NAME);
	if (bf_agent_nl_talk(nl, nl->gen, nl->gen_port, nlh, family_cb, &id) < 0 || id < 0) {
		nl->devlink_family = -1;
		return bf_error_ret(ENOENT, "the kernel has no devlink");
	}
	nl->devlink_family = id;
	return id;
}

static void put_handle(struct nlmsghdr *nlh, const char *handle)
{
	const char *slash = strchr(handle, '/');
	char bus[32];

	snprintf(bus, sizeof(bus), "%.*s", slash ? (int)(slash - handle) : 0, handle);
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, bus);
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, slash ? slash + 1 : handle);
}

static struct bf_agent_dev *dev_of(struct bf_agent_obs *o, const struct nlattr **tb)
{
	char handle[64];
	size_t i;

	if (!tb[DEVLINK_ATTR_BUS_NAME] || !tb[DEVLINK_ATTR_DEV_NAME])
		return NULL;
	snprintf(handle, sizeof(handle), "%.20s/%.40s", mnl_attr_get_str(tb[DEVLINK_ATTR_BUS_NAME]),
		 mnl_attr_get_str(tb[DEVLINK_ATTR_DEV_NAME]));
	for (i = 0; i < o->ndevs; i++)
		if (!strcmp(o->devs[i].handle, handle))
			return &o->devs[i];
	if (o->ndevs == BF_AGENT_MAX_DEVS)
		return NULL;
	memset(&o->devs[o->ndevs], 0, sizeof(o->devs[0]));
	snprintf(o->devs[o->ndevs].handle, sizeof(o->devs[0].handle), "%s", handle);
	o->devs[o->ndevs].numvfs = -1;
	return &o->devs[o->ndevs++];
}

/* Attribute tables are 65 entries: devlink attributes beyond that are not
 * used here. */
/* Devlink attributes go up to DEVLINK_ATTR_MAX (the port flavour is 77,
 * the SF number 164): tables here have DL_ATTRS entries. */
#define DL_ATTRS (DEVLINK_ATTR_MAX + 1)

static int dl_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type >= 0 && type < DL_ATTRS)
		tb[type] = a;
	return MNL_CB_OK;
}

static int dl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), dl_attr_cb, tb);
}

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[DL_ATTRS] = { 0 };

	dl_parse(nlh, tb);
	dev_of(data, tb);
	return MNL_CB_OK;
}

static int eswitch_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[DL_ATTRS] = { 0 };
	struct bf_agent_dev *d = data;

	dl_parse(nlh, tb);
	if (tb[DEVLINK_ATTR_ESWITCH_MODE] && mnl_attr_get_payload_len(tb[DEVLINK_ATTR_ESWITCH_MODE]) >= 2)
		snprintf(d->mode, sizeof(d->mode), "%s",
			 mnl_attr_get_u16(tb[DEVLINK_ATTR_ESWITCH_MODE]) == DEVLINK_ESWITCH_MODE_SWITCHDEV ? "switchdev"
													  : "legacy");
	return MNL_CB_OK;
}

struct port_ctx {
	struct bf_agent_obs *o;
};

static int fn_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type >= 0 && type <= DEVLINK_PORT_FUNCTION_ATTR_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

/* An SF port of the dump: its function's state and hw_addr into o. */
static void sfport_of(struct bf_agent_obs *o, const struct bf_agent_dev *d, const struct nlattr **tb)
{
	const struct nlattr *fn[DEVLINK_PORT_FUNCTION_ATTR_MAX + 1] = { 0 };
	struct bf_agent_sfport *s;
	const uint8_t *m;

	if (!d || !tb[DEVLINK_ATTR_PORT_FLAVOUR] || !tb[DEVLINK_ATTR_PORT_PCI_SF_NUMBER] ||
	    mnl_attr_get_payload_len(tb[DEVLINK_ATTR_PORT_FLAVOUR]) < 2 ||
	    mnl_attr_get_u16(tb[DEVLINK_ATTR_PORT_FLAVOUR]) != DEVLINK_PORT_FLAVOUR_PCI_SF ||
	    mnl_attr_get_payload_len(tb[DEVLINK_ATTR_PORT_PCI_SF_NUMBER]) < 4 || o->nsfports == BF_AGENT_MAX_SFPORTS)
		return;
	s = &o->sfports[o->nsfports++];
	memset(s, 0, sizeof(*s));
	snprintf(s->handle, sizeof(s->handle), "%s", d->handle);
	s->sfnum = mnl_attr_get_u32(tb[DEVLINK_ATTR_PORT_PCI_SF_NUMBER]);
	if (!tb[DEVLINK_ATTR_PORT_FUNCTION] || mnl_attr_parse_nested(tb[DEVLINK_ATTR_PORT_FUNCTION], fn_attr_cb, fn) < 0)
		return;
	if (fn[DEVLINK_PORT_FN_ATTR_STATE] && mnl_attr_get_payload_len(fn[DEVLINK_PORT_FN_ATTR_STATE]) >= 1)
		s->active = mnl_attr_get_u8(fn[DEVLINK_PORT_FN_ATTR_STATE]) == DEVLINK_PORT_FN_STATE_ACTIVE;
	if (fn[DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR] && mnl_attr_get_payload_len(fn[DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR]) == 6) {
		m = mnl_attr_get_payload(fn[DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR]);
		snprintf(s->mac, sizeof(s->mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	}
}

static int port_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[DL_ATTRS] = { 0 };
	struct bf_agent_obs *o = data;
	struct bf_agent_dev *d;
	size_t i;

	dl_parse(nlh, tb);
	d = dev_of(o, tb);
	sfport_of(o, d, tb);
	if (!d || d->switch_id[0] || !tb[DEVLINK_ATTR_PORT_NETDEV_IFINDEX])
		return MNL_CB_OK;
	for (i = 0; i < o->nlinks; i++)
		if (o->links[i].ifindex == (int)mnl_attr_get_u32(tb[DEVLINK_ATTR_PORT_NETDEV_IFINDEX]))
			snprintf(d->switch_id, sizeof(d->switch_id), "%s", o->links[i].switch_id);
	return MNL_CB_OK;
}

static int read_numvfs(const char *handle)
{
	const char *slash = strchr(handle, '/');
	char path[160], buf[16] = "";
	FILE *f;

	if (!slash)
		return -1;
	snprintf(path, sizeof(path), "/sys/bus/%.*s/devices/%s/sriov_numvfs", (int)(slash - handle), handle,
		 slash + 1);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return buf[0] ? atoi(buf) : -1;
}

int bf_agent_nl_devlink(struct bf_agent_nl *nl, struct bf_agent_obs *o)
{
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh;
	int fam = family(nl), r;
	size_t i;

	o->ndevs = 0;
	o->nsfports = 0;
	if (fam < 0)
		return fam;
	nlh = gstart(nl, buf, fam, NLM_F_DUMP, DEVLINK_CMD_GET);
	if ((r = bf_agent_nl_talk(nl, nl->gen, nl->gen_port, nlh, dev_cb, o)) < 0)
		return bf_error_ret(-r, "cannot list devlink devices: %s", strerror(-r));
	nlh = gstart(nl, buf, fam, NLM_F_DUMP, DEVLINK_CMD_PORT_GET);
	if ((r = bf_agent_nl_talk(nl, nl->gen, nl->gen_port, nlh, port_cb, o)) < 0)
		return bf_error_ret(-r, "cannot list devlink ports: %s", strerror(-r));
	for (i = 0; i < o->ndevs; i++) {
		nlh = gstart(nl, buf, fam, NLM_F_ACK, DEVLINK_CMD_ESWITCH_GET);
		put_handle(nlh, o->devs[i].handle);
		if (bf_agent_nl_talk(nl, nl->gen, nl->gen_port, nlh, eswitch_cb, &o->devs[i]) < 0)
			o->devs[i].mode[0] = 0;    /* no eswitch (EOPNOTSUPP) */
		o->devs[i].numvfs = read_numvfs(o->devs[i].handle);
	}
	o->have_devlink = true;
	return 0;
}

int bf_agent_nl_eswitch_set(struct bf_agent_nl *nl, const char *handle, const char *mode)
{
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh;
	int fam = family(nl), r;

	if (fam < 0)
		return fam;
	nlh = gstart(nl, buf, fam, NLM_F_ACK, DEVLINK_CMD_ESWITCH_SET);
	put_handle(nlh, handle);
	mnl_attr_put_u16(nlh, DEVLINK_ATTR_ESWITCH_MODE,
			 !strcmp(mode, "switchdev") ? DEVLINK_ESWITCH_MODE_SWITCHDEV : DEVLINK_ESWITCH_MODE_LEGACY);
	r = bf_agent_nl_talk(nl, nl->gen, nl->gen_port, nlh, NULL, NULL);
	if (r < 0)
		return bf_error_ret(-r, "cannot set the eswitch of %s to %s: %s%s", handle, mode, strerror(-r),
				    r == -EBUSY ? " (VFs bound, OVS or TC rules in the way?)" : "");
	return 0;
}

static int newport_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[DL_ATTRS] = { 0 };

	dl_parse(nlh, tb);
	if (tb[DEVLINK_ATTR_PORT_INDEX])
		*(long *)data = (long)mnl_attr_get_u32(tb[DEVLINK_ATTR_PORT_INDEX]);
	return MNL_CB_OK;
}

/* Set the hw_addr (if mac) of SF port index and activate its function. */
static int sf_fn_set(struct bf_agent_nl *nl, int fam, const char *handle, unsigned sfnum, long index, const char *mac)
{
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh;
	struct nlattr *fn;
	unsigned m[6];
	int r;

	nlh = gstart(nl, buf, fam, NLM_F_ACK, DEVLINK_CMD_PORT_SET);
	put_handle(nlh, handle);
	mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, (uint32_t)index);
	fn = mnl_attr_nest_start(nlh, DEVLINK_ATTR_PORT_FUNCTION);
	if (mac && sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6) {
		uint8_t b[6] = { (uint8_t)m[0], (uint8_t)m[1], (uint8_t)m[2], (uint8_t)m[3], (uint8_t)m[4], (uint8_t)m[5] };

		mnl_attr_put(nlh, DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, 6, b);
	}
	mnl_attr_put_u8(nlh, DEVLINK_PORT_FN_ATTR_STATE, DEVLINK_PORT_FN_STATE_ACTIVE);
	mnl_attr_nest_end(nlh, fn);
	r = bf_agent_nl_talk(nl, nl->gen, nl->gen_port, nlh, NULL, NULL);
	if (r < 0)
		return bf_error_ret(-r, "cannot activate SF %u on %s: %s", sfnum, handle, strerror(-r));
	return 0;
}

int bf_agent_nl_sf_add(struct bf_agent_nl *nl, const char *handle, unsigned pfnum, unsigned sfnum, const char *mac)
{
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh;
	long index = -1;
	int fam = family(nl), r;

	if (fam < 0)
		return fam;
	nlh = gstart(nl, buf, fam, NLM_F_ACK, DEVLINK_CMD_PORT_NEW);
	put_handle(nlh, handle);
	mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_FLAVOUR, DEVLINK_PORT_FLAVOUR_PCI_SF);
	mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_PCI_PF_NUMBER, (uint16_t)pfnum);
	mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_PCI_SF_NUMBER, sfnum);
	r = bf_agent_nl_talk(nl, nl->gen, nl->gen_port, nlh, newport_cb, &index);
	if (r < 0)
		return bf_error_ret(-r, "cannot add SF %u on %s: %s%s", sfnum, handle, strerror(-r),
				    r == -EOPNOTSUPP ? " (the device cannot make SFs)" : "");
	if (index < 0)
		return 0;      /* the kernel did not say which port: activate by hand */
	return sf_fn_set(nl, fam, handle, sfnum, index, mac);
}

/* The SF port sf_index looks for, and what it found. */
struct sf_find {
	const char *handle;
	unsigned sfnum;
	long index;
};

static int sfport_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[DL_ATTRS] = { 0 };
	struct sf_find *f = data;
	char handle[64];

	dl_parse(nlh, tb);
	if (!tb[DEVLINK_ATTR_BUS_NAME] || !tb[DEVLINK_ATTR_DEV_NAME] || !tb[DEVLINK_ATTR_PORT_INDEX] ||
	    !tb[DEVLINK_ATTR_PORT_FLAVOUR] || !tb[DEVLINK_ATTR_PORT_PCI_SF_NUMBER] ||
	    mnl_attr_get_payload_len(tb[DEVLINK_ATTR_PORT_FLAVOUR]) < 2 ||
	    mnl_attr_get_payload_len(tb[DEVLINK_ATTR_PORT_PCI_SF_NUMBER]) < 4 ||
	    mnl_attr_get_payload_len(tb[DEVLINK_ATTR_PORT_INDEX]) < 4)
		return MNL_CB_OK;
	snprintf(handle, sizeof(handle), "%.20s/%.40s", mnl_attr_get_str(tb[DEVLINK_ATTR_BUS_NAME]),
		 mnl_attr_get_str(tb[DEVLINK_ATTR_DEV_NAME]));
	if (!strcmp(handle, f->handle) &&
	    mnl_attr_get_u16(tb[DEVLINK_ATTR_PORT_FLAVOUR]) == DEVLINK_PORT_FLAVOUR_PCI_SF &&
	    mnl_attr_get_u32(tb[DEVLINK_ATTR_PORT_PCI_SF_NUMBER]) == f->sfnum)
		f->index = (long)mnl_attr_get_u32(tb[DEVLINK_ATTR_PORT_INDEX]);
	return MNL_CB_OK;
}

/* The port index of SF sfnum on handle; -1 when there is none, or
 * -errno with a sentence. */
static long sf_index(struct bf_agent_nl *nl, int fam, const char *handle, unsigned sfnum)
{
	struct sf_find f = { .handle = handle, .sfnum = sfnum, .index = -1 };
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh = gstart(nl, buf, fam, NLM_F_DUMP, DEVLINK_CMD_PORT_GET);
	int r;

	if ((r = bf_agent_nl_talk(nl, nl->gen, nl->gen_port, nlh, sfport_cb, &f)) < 0)
		return bf_error_ret(-r, "cannot list devlink ports: %s", strerror(-r));
	return f.index;
}

int bf_agent_nl_sf_setup(struct bf_agent_nl *nl, const char *handle, unsigned sfnum, const char *mac)
{
	int fam = family(nl);
	long index;

	if (fam < 0)
		return fam;
	if ((index = sf_index(nl, fam, handle, sfnum)) < -1)
		return (int)index;
	if (index < 0)
		return bf_error_ret(ENOENT, "SF %u on %s is gone", sfnum, handle);
	return sf_fn_set(nl, fam, handle, sfnum, index, mac);
}

int bf_agent_nl_sf_del(struct bf_agent_nl *nl, const char *handle, unsigned sfnum)
{
	long index;
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh;
	struct nlattr *fn;
	int fam = family(nl), r;

	if (fam < 0)
		return fam;
	if ((index = sf_index(nl, fam, handle, sfnum)) < -1)
		return (int)index;
	if (index < 0)
		return 0;      /* already gone */
	/* Inactive first (the function detaches from its driver), then the port. */
	nlh = gstart(nl, buf, fam, NLM_F_ACK, DEVLINK_CMD_PORT_SET);
	put_handle(nlh, handle);
	mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, (uint32_t)index);
	fn = mnl_attr_nest_start(nlh, DEVLINK_ATTR_PORT_FUNCTION);
	mnl_attr_put_u8(nlh, DEVLINK_PORT_FN_ATTR_STATE, DEVLINK_PORT_FN_STATE_INACTIVE);
	mnl_attr_nest_end(nlh, fn);
	r = bf_agent_nl_talk(nl, nl->gen, nl->gen_port, nlh, NULL, NULL);
	if (r < 0 && r != -EOPNOTSUPP)
		return bf_error_ret(-r, "cannot deactivate SF %u on %s: %s", sfnum, handle, strerror(-r));
	nlh = gstart(nl, buf, fam, NLM_F_ACK, DEVLINK_CMD_PORT_DEL);
	put_handle(nlh, handle);
	mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, (uint32_t)index);
	r = bf_agent_nl_talk(nl, nl->gen, nl->gen_port, nlh, NULL, NULL);
	if (r < 0)
		return bf_error_ret(-r, "cannot delete SF %u on %s: %s", sfnum, handle, strerror(-r));
	return 0;
}
