/* fw/reset.c - MFRL reset levels, types and the reset (spec 3.9, 5.3, 6.8). */
#include "config.h"
#include "fw/reset.h"
#include "fw/reg.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const uint8_t level_bit[5] = { 0x01, 0x02, 0, 0x08, 0x40 };

const char *bf_fw_reset_level_text(int level)
{
	switch (level) {
	case 0: return "Driver, PCI link, network link will remain up (\"live-Patch\")";
	case 1: return "Only ARM side will not remain up (\"Immediate reset\").";
	case 3: return "Driver restart and PCI reset";
	case 4: return "Warm Reboot";
	default: return NULL;
	}
}

const char *bf_fw_reset_type_text(int type)
{
	switch (type) {
	case 0: return "Full chip reset";
	case 1: return "Phy-less reset (keep network port active during reset)";
	case 2: return "NIC only reset (for SoC devices)";
	case 3: return "ARM only reset";
	case 4: return "ARM OS shut down";
	default: return NULL;
	}
}

const char *bf_fw_reset_state_text(unsigned st)
{
	static const char *const t[] = {
		"idle", "negotiation in progress", "reset in progress", "negotiation timed out",
		"negotiation refused (dis-ack)", "driver unload timed out", "ARM OS is up: shut it down first",
		"ARM OS shutdown in progress", "waiting for the reset trigger",
	};

	return st < sizeof(t) / sizeof(t[0]) ? t[st] : "unknown";
}

bool bf_fw_reset_level_ok(const struct bf_fw_reset_caps *c, int level)
{
	return level >= 0 && level <= 4 && level_bit[level] && (c->levels & level_bit[level]);
}

int bf_fw_reset_query(struct bf_fw_dev *d, struct bf_fw_reset_caps *c)
{
	static const int type_order[] = { 2, 0, 3, 4 };
	struct bf_fw_mfrl m = { 0 };
	size_t i;
	int r;

	memset(c, 0, sizeof(*c));
	/* "FW bug: the first MFRL might fail": once more (spec 3.9). */
	if ((r = bf_fw_reg(&d->icmd, &bf_fw_mfrl_layout, BF_FW_METHOD_GET, &m, NULL)) < 0) {
		memset(&m, 0, sizeof(m));
		if ((r = bf_fw_reg(&d->icmd, &bf_fw_mfrl_layout, BF_FW_METHOD_GET, &m, NULL)) < 0)
			return r;
	}
	c->levels = m.reset_trigger;
	c->types = m.reset_type;
	c->state = m.reset_state;
	c->driver_sync = bf_fw_mcam_bit(d->mcam0.feature_mask, 19);
	c->default_level = c->default_type = -1;
	for (i = 0; i < 3; i++) {
		int l = (int[]){ 0, 3, 4 }[i];

		if (bf_fw_reset_level_ok(c, l)) {
			c->default_level = l;
			break;
		}
	}
	for (i = 0; i < sizeof(type_order) / sizeof(type_order[0]); i++)
		if (c->types & (1u << type_order[i])) {
			c->default_type = type_order[i];
			break;
		}
	return 0;
}

int bf_fw_reset(struct bf_fw_dev *d, const struct bf_fw_reset_opts *o, bool *waited)
{
	struct bf_fw_reset_caps c;
	struct bf_fw_mfrl m = { 0 };
	struct bf_fw_mgir g;
	uint64_t t0, limit;
	uint32_t before;
	bool gone = false;
	int r;

	*waited = false;
	if ((r = bf_fw_reset_query(d, &c)) < 0)
		return r;
	if (!bf_fw_reset_level_ok(&c, o->level))
		return bf_error_ret(EINVAL, "%s does not support reset level %d (supported mask 0x%02x)", d->name,
				    o->level, c.levels);
	if (o->type < 0 || o->type > 4 || !(c.types & (1u << o->type)))
		return bf_error_ret(EINVAL, "%s does not support reset type %d (supported mask 0x%02x)", d->name,
				    o->type, c.types);
	if (o->sync < 0 || o->sync > 2)
		return bf_error_ret(EINVAL, "reset sync is 0 (tool), 1 (driver) or 2 (firmware)");
	if ((o->level == 1 || o->level == 3) && o->sync == BF_FW_SYNC_TOOL)
		return bf_error_ret(ENOTSUP, "reset sync 0 needs the tool to take the PCI link down on the upstream "
				    "bridge, which bfctl does not do: use --sync=1 (the mlx5 driver resets the NIC)");
	if ((r = bf_fw_dev_mgir(d, &g)) < 0)
		return r;
	before = g.uptime;
	m.reset_trigger = level_bit[o->level];
	if (o->level == 4 && bf_fw_reset_level_ok(&c, 3))
		m.reset_trigger |= level_bit[3];
	m.rst_type_sel = (uint8_t)o->type;
	m.pci_sync_for_fw_update_start = (uint8_t)(o->level == 4 ? BF_FW_SYNC_TOOL : o->sync);
	r = bf_fw_reg(&d->icmd, &bf_fw_mfrl_layout, BF_FW_METHOD_SET, &m, NULL);
	if (r < 0 && o->sync != BF_FW_SYNC_DRIVER && r != -ENODEV)
		r = bf_fw_reg(&d->icmd, &bf_fw_mfrl_layout, BF_FW_METHOD_SET, &m, NULL);
	/* The NIC answered MGIR a moment ago: gone before its answer to the
	 * SET was read, it is resetting already (the driver was quick). */
	if (r == -ENODEV && (o->level == 1 || o->level == 3)) {
		bf_error_clear();
		gone = true;
		r = 0;
	}
	if (r < 0)
		return r;
	if (o->level == 0 || o->level == 4)
		return 0;   /* live patch: no reset; warm reboot: the host's */
	/* Wait for it: off the bus, then back with a smaller uptime. */
	t0 = bf_fw_pci_now(d->pci);
	limit = (uint64_t)((o->timeout_s > 0 ? o->timeout_s : 180) * 1e9);
	for (;;) {
		bf_fw_pci_sleep(d->pci, 100000000);   /* 100 ms */
		if (bf_fw_pci_alive(d->pci) < 0) {
			gone = true;
		} else if (bf_fw_dev_mgir(d, &g) == 0 && (gone || g.uptime < before)) {
			*waited = true;
			break;
		}
		if (bf_fw_pci_now(d->pci) - t0 > limit) {
			struct bf_fw_mfrl s = { 0 };

			if (!gone && bf_fw_reg(&d->icmd, &bf_fw_mfrl_layout, BF_FW_METHOD_GET, &s, NULL) == 0 && s.reset_state)
				return bf_error_ret(ETIMEDOUT, "%s did not reset within %.0f s: reset state %u (%s)", d->name,
						    (double)limit / 1e9, s.reset_state, bf_fw_reset_state_text(s.reset_state));
			return bf_error_ret(ETIMEDOUT, "%s did not %s within %.0f s%s", d->name,
					    gone ? "come back after the reset" : "reset", (double)limit / 1e9,
					    o->sync == BF_FW_SYNC_DRIVER ? " (with --sync=1 the mlx5 driver resets it: is it "
					    "loaded and bound to the device?)" : "");
		}
	}
	bf_error_clear();
	/* The device came back: what it offers may have changed. */
	if (d->mcc)
		bf_fw_dev_components(d);
	return 0;
}
