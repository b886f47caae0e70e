/* vnet_state.c - the simulated virtio-net controller's state: limits,
 * hot-plugged devices, the state file (hostile input: bounded, every field
 * checked) and the hotplug rules. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "vnet.h"

void bf_vnet_state_default(struct bf_vnet_state *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->ctrl.emulation_manager, sizeof(s->ctrl.emulation_manager), "mlx5_0");
	snprintf(s->ctrl.pf_bdf, sizeof(s->ctrl.pf_bdf), "0000:03:00.0");
	s->ctrl.max_hotplug = 15;
	s->ctrl.max_virt_queues = 64;
	s->ctrl.num_msix = 64;
	s->ctrl.sf_budget = 62;
}

static int name_ok(const char *n, size_t max)
{
	size_t i, len = strnlen(n, max);

	if (len == 0 || len >= max)
		return 0;
	for (i = 0; i < len; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
			return 0;
	return 1;
}

static int bdf_ok(const char *b)
{
	unsigned dom, bus, dev, fn;
	char tail;

	return strlen(b) == 12 &&
	       sscanf(b, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) == 4 && dev < 32 && fn < 8;
}

int bf_vnet_ctrl_check(const struct bf_vnet_ctrl *c)
{
	if (!name_ok(c->emulation_manager, sizeof(c->emulation_manager)))
		return bf_error_ret(EINVAL, "emulation_manager is not an RDMA device name (a-z, 0-9, _)");
	if (!bdf_ok(c->pf_bdf))
		return bf_error_ret(EINVAL, "pf_bdf is not a PCI address like 0000:03:00.0");
	if (c->max_hotplug < 1 || c->max_hotplug > BF_VNET_MAX_HOTPLUG)
		return bf_error_ret(EINVAL, "max_hotplug_devices must be 1..%d", BF_VNET_MAX_HOTPLUG);
	if (c->max_virt_queues < 1 || c->max_virt_queues > 256)
		return bf_error_ret(EINVAL, "max_virt_queues must be 1..256");
	if (c->num_msix < 2 || c->num_msix > 2048)
		return bf_error_ret(EINVAL, "num_msix must be 2..2048");
	if (c->sf_budget > 4096)
		return bf_error_ret(EINVAL, "sf_budget must be 0..4096");
	return 0;
}

int bf_vnet_mac_parse(const char *t, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	int i;

	if (strlen(t) != 17 ||
	    sscanf(t, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (t[i * 3] == ' ' || t[i * 3] == '+' || t[i * 3] == '-')
			return -EINVAL;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

int bf_vnet_num_parse(const char *t, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!t || !*t || *t == '-' || *t == '+' || *t == ' ' || strlen(t) > 20)
		return -EINVAL;
	errno = 0;
	v = strtoull(t, &end, (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) ? 16 : 10);
	if (errno || *end || end == t || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

void bf_vnet_rep_name(const struct bf_vnet_state *s, const struct bf_vnet_dev *d, char *buf, size_t len)
{
	unsigned dom, bus, dev, fn;

	/* udev's SF representor name: en<bus without leading 0>f<func>pf<N>sf<M> */
	if (sscanf(s->ctrl.pf_bdf, "%4x:%2x:%2x.%1x", &dom, &bus, &dev, &fn) != 4)
		bus = 3, fn = 0;
	snprintf(buf, len, "en%xf%upf%usf%u", bus, fn, fn, d->sf_num);
}

void bf_vnet_vuid(const struct bf_vnet_dev *d, char *buf, size_t len)
{
	snprintf(buf, len, "VNETS%uD0F0", d->pf_id + 1);
}

void bf_vnet_bdf(const struct bf_vnet_dev *d, char *buf, size_t len)
{
	/* one bus per port of the emulated PCIe switch */
	snprintf(buf, len, "%02x:00.0", 0xb2 + d->pf_id);
}

int bf_vnet_find(const struct bf_vnet_state *s, int pf_id, const char *vuid)
{
	char v[24];
	size_t i;

	for (i = 0; i < s->ndev; i++) {
		bf_vnet_vuid(&s->dev[i], v, sizeof(v));
		if ((pf_id >= 0 && s->dev[i].pf_id == (unsigned)pf_id) || (vuid && !strcmp(vuid, v)))
			return (int)i;
	}
	return -ENODEV;
}

void bf_vnet_remove(struct bf_vnet_state *s, size_t idx)
{
	if (idx >= s->ndev)
		return;
	memmove(&s->dev[idx], &s->dev[idx + 1], (s->ndev - idx - 1) * sizeof(s->dev[0]));
	s->ndev--;
}

static int sf_used(const struct bf_vnet_state *s, unsigned sf)
{
	size_t i;

	for (i = 0; i < s->ndev; i++)
		if (s->dev[i].sf_num == sf)
			return 1;
	return 0;
}

static int pf_used(const struct bf_vnet_state *s, unsigned pf)
{
	return bf_vnet_find(s, (int)pf, NULL) >= 0;
}

static int hotplug_check(const struct bf_vnet_state *s, const struct bf_vnet_req *r)
{
	const struct bf_vnet_ctrl *c = &s->ctrl;

	if (strcmp(r->ib_device, c->emulation_manager))
		return bf_error_ret(ENODEV, "ib_device %s is not the emulation manager (%s)",
				    r->ib_device, c->emulation_manager);
	if (r->mtu < BF_VNET_MTU_MIN || r->mtu > BF_VNET_MTU_MAX)
		return bf_error_ret(EINVAL, "MTU %u out of range %d..%d", r->mtu, BF_VNET_MTU_MIN,
				    BF_VNET_MTU_MAX);
	if (r->queues < 1 || r->queues > c->max_virt_queues)
		return bf_error_ret(EINVAL, "max queues %u out of range 1..%u (max_virt_queues)",
				    r->queues, c->max_virt_queues);
	/* one MSI-X vector per virtqueue plus one for configuration changes */
	if (r->queues + 1 > c->num_msix)
		return bf_error_ret(EINVAL, "max queues %u needs %u MSI-X vectors, the device has %u",
				    r->queues, r->queues + 1, c->num_msix);
	if (r->queue_size < 2 || r->queue_size > BF_VNET_QSIZE_MAX || (r->queue_size & (r->queue_size - 1)))
		return bf_error_ret(EINVAL, "queue size %u is not a power of 2 in 2..%d", r->queue_size,
				    BF_VNET_QSIZE_MAX);
	if (r->features & ~BF_VNET_FEATURES_SUPPORTED)
		return bf_error_ret(EOPNOTSUPP, "features 0x%llx are not supported (supported 0x%llx)",
				    (unsigned long long)(r->features & ~BF_VNET_FEATURES_SUPPORTED),
				    (unsigned long long)BF_VNET_FEATURES_SUPPORTED);
	if (s->ndev >= c->max_hotplug || s->ndev >= BF_VNET_MAX_DEVICES)
		return bf_error_ret(ENOSPC, "all %u hotplug ports are in use", c->max_hotplug);
	if (s->ndev >= c->sf_budget)
		return bf_error_ret(ENOSPC, "no SF left for the device (SF budget %u in use)", c->sf_budget);
	if (r->sf_num >= 0 && ((unsigned)r->sf_num < BF_VNET_SF_MIN || sf_used(s, (unsigned)r->sf_num)))
		return bf_error_ret(EEXIST, "SF number %d is in use or below %d", r->sf_num, BF_VNET_SF_MIN);
	return 0;
}

int bf_vnet_hotplug(struct bf_vnet_state *s, const struct bf_vnet_req *r, struct bf_vnet_dev **out)
{
	struct bf_vnet_dev *d;
	unsigned pf = 0, sf = BF_VNET_SF_HOTPLUG;
	int err = hotplug_check(s, r);

	if (err)
		return err;
	while (pf_used(s, pf))
		pf++;
	if (r->sf_num >= 0)
		sf = (unsigned)r->sf_num;
	else
		while (sf_used(s, sf))
			sf++;
	d = &s->dev[s->ndev++];
	memset(d, 0, sizeof(*d));
	d->pf_id = pf;
	d->sf_num = sf;
	memcpy(d->mac, r->mac, 6);
	d->mtu = r->mtu;
	d->queues = r->queues;
	d->queue_size = r->queue_size;
	d->features = r->features ? r->features : BF_VNET_FEATURES_DEFAULT;
	d->transitional = r->transitional;
	*out = d;
	return 0;
}
