/* netlink.c - rtnetlink links through libmnl (see netlink.h). Facts: the
 * kernel's uapi headers linux/rtnetlink.h and linux/if_link.h (IFLA_*,
 * IFLA_BOND_*), as iproute2's ip(8) uses them. */
#include "config.h"
#include "netlink.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int bf_agent_nl_open(struct bf_agent_nl *nl)
{
	memset(nl, 0, sizeof(*nl));
	nl->rt = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->rt || mnl_socket_bind(nl->rt, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		if (nl->rt)
			mnl_socket_close(nl->rt);
		nl->rt = NULL;
		return bf_error_ret(e, "cannot open rtnetlink: %s", strerror(e));
	}
	nl->rt_port = mnl_socket_get_portid(nl->rt);
	nl->seq = (unsigned)time(NULL);
	return 0;
}

void bf_agent_nl_close(struct bf_agent_nl *nl)
{
	if (nl->rt)
		mnl_socket_close(nl->rt);
	if (nl->gen)
		mnl_socket_close(nl->gen);
	memset(nl, 0, sizeof(*nl));
}

/* Send nlh on sock and run the answers through cb until done/ACK. */
int bf_agent_nl_talk(struct bf_agent_nl *nl, struct mnl_socket *sock, unsigned port, struct nlmsghdr *nlh,
		     mnl_cb_t cb, void *data)
{
	char buf[BF_NL_RECV_BUF];
	unsigned seq = nlh->nlmsg_seq;
	ssize_t n;
	int r;

	nl->msgs++;
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(sock, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)n, seq, port, cb, data);
		if (r < 0)
			return errno ? -errno : -EIO;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, IFLA_MAX) > 0)
		tb[type] = a;
	return MNL_CB_OK;
}

/* For nested attributes: the table has 65 entries. */
int bf_agent_nl_nested_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type >= 0 && type <= 64)
		tb[type] = a;
	return MNL_CB_OK;
}

static void copy_str(char *dst, size_t cap, const struct nlattr *a)
{
	size_t n = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_str(a);

	n = strnlen(s, n);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct bf_agent_obs *o = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct bf_agent_link *l;

	if (o->nlinks >= BF_AGENT_MAX_LINKS)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifm), attr_cb, tb) < 0 || !tb[IFLA_IFNAME])
		return MNL_CB_OK;
	l = &o->links[o->nlinks++];
	memset(l, 0, sizeof(*l));
	l->ifindex = ifm->ifi_index;
	l->up = !!(ifm->ifi_flags & IFF_UP);
	copy_str(l->name, sizeof(l->name), tb[IFLA_IFNAME]);
	if (tb[IFLA_MTU] && mnl_attr_get_payload_len(tb[IFLA_MTU]) >= 4)
		l->mtu = (int)mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER] && mnl_attr_get_payload_len(tb[IFLA_MASTER]) >= 4)
		l->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_PHYS_PORT_NAME])
		copy_str(l->port_name, sizeof(l->port_name), tb[IFLA_PHYS_PORT_NAME]);
	if (tb[IFLA_PHYS_SWITCH_ID]) {
		const unsigned char *id = mnl_attr_get_payload(tb[IFLA_PHYS_SWITCH_ID]);
		size_t i, n = mnl_attr_get_payload_len(tb[IFLA_PHYS_SWITCH_ID]);

		for (i = 0; i < n && i < 32; i++)
			sprintf(l->switch_id + 2 * i, "%02x", id[i]);
	}
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *li[65] = { 0 }, *bd[65] = { 0 };

		mnl_attr_parse_nested(tb[IFLA_LINKINFO], bf_agent_nl_nested_cb, li);
		if (li[IFLA_INFO_KIND])
			copy_str(l->kind, sizeof(l->kind), li[IFLA_INFO_KIND]);
		if (!strcmp(l->kind, "bond") && li[IFLA_INFO_DATA]) {
			mnl_attr_parse_nested(li[IFLA_INFO_DATA], bf_agent_nl_nested_cb, bd);
			if (bd[IFLA_BOND_MODE] && mnl_attr_get_payload_len(bd[IFLA_BOND_MODE]) >= 1)
				l->bond_mode = mnl_attr_get_u8(bd[IFLA_BOND_MODE]);
			if (bd[IFLA_BOND_XMIT_HASH_POLICY] && mnl_attr_get_payload_len(bd[IFLA_BOND_XMIT_HASH_POLICY]) >= 1)
				l->bond_hash = mnl_attr_get_u8(bd[IFLA_BOND_XMIT_HASH_POLICY]);
			if (bd[IFLA_BOND_MIIMON] && mnl_attr_get_payload_len(bd[IFLA_BOND_MIIMON]) >= 4)
				l->bond_miimon = (int)mnl_attr_get_u32(bd[IFLA_BOND_MIIMON]);
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *start(struct bf_agent_nl *nl, char *buf, int type, int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = (unsigned short)type;
	nlh->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | flags);
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

int bf_agent_nl_links(struct bf_agent_nl *nl, struct bf_agent_obs *o)
{
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh = start(nl, buf, RTM_GETLINK, NLM_F_DUMP);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	int r;

	ifm->ifi_family = AF_UNSPEC;
	o->nlinks = 0;
	r = bf_agent_nl_talk(nl, nl->rt, nl->rt_port, nlh, link_cb, o);
	if (r < 0)
		return bf_error_ret(-r, "cannot list the links: %s", strerror(-r));
	o->have_links = true;
	return 0;
}

static void put_bond(struct nlmsghdr *nlh, int mode, int hash, int miimon)
{
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);

	if (mode >= 0)
		mnl_attr_put_u8(nlh, IFLA_BOND_MODE, (uint8_t)mode);
	if (miimon >= 0)
		mnl_attr_put_u32(nlh, IFLA_BOND_MIIMON, (uint32_t)miimon);
	if (hash >= 0)
		mnl_attr_put_u8(nlh, IFLA_BOND_XMIT_HASH_POLICY, (uint8_t)hash);
	mnl_attr_nest_end(nlh, data);
}

int bf_agent_nl_link_create(struct bf_agent_nl *nl, const char *name, const char *kind, int bond_mode, int bond_hash,
			    int bond_miimon)
{
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh = start(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	struct nlattr *li;
	int r;

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	if (!strcmp(kind, "bond"))
		put_bond(nlh, bond_mode, bond_hash, bond_miimon);
	mnl_attr_nest_end(nlh, li);
	r = bf_agent_nl_talk(nl, nl->rt, nl->rt_port, nlh, NULL, NULL);
	if (r < 0)
		return bf_error_ret(-r, "cannot create %s link %s: %s%s", kind, name, strerror(-r),
				    r == -EOPNOTSUPP || r == -ENODEV ? " (is the module loaded?)" : "");
	return 0;
}

int bf_agent_nl_bond_set(struct bf_agent_nl *nl, int ifindex, int bond_mode, int bond_hash, int bond_miimon)
{
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh = start(nl, buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	struct nlattr *li;
	int r;

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bond");
	put_bond(nlh, bond_mode, bond_hash, bond_miimon);
	mnl_attr_nest_end(nlh, li);
	r = bf_agent_nl_talk(nl, nl->rt, nl->rt_port, nlh, NULL, NULL);
	if (r < 0)
		return bf_error_ret(-r, "cannot change bond %d: %s", ifindex, strerror(-r));
	return 0;
}

int bf_agent_nl_link_set(struct bf_agent_nl *nl, int ifindex, int master, int mtu, int up, const char *name)
{
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh = start(nl, buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	int r;

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (up >= 0) {
		ifm->ifi_change = IFF_UP;
		ifm->ifi_flags = up ? IFF_UP : 0;
	}
	if (master >= 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	if (mtu > 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	r = bf_agent_nl_talk(nl, nl->rt, nl->rt_port, nlh, NULL, NULL);
	if (r < 0)
		return bf_error_ret(-r, "cannot change link %d: %s", ifindex, strerror(-r));
	return 0;
}

int bf_agent_nl_link_del(struct bf_agent_nl *nl, int ifindex)
{
	char buf[BF_NL_BUF];
	struct nlmsghdr *nlh = start(nl, buf, RTM_DELLINK, NLM_F_ACK);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	int r;

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	r = bf_agent_nl_talk(nl, nl->rt, nl->rt_port, nlh, NULL, NULL);
	if (r < 0)
		return bf_error_ret(-r, "cannot delete link %d: %s", ifindex, strerror(-r));
	return 0;
}
