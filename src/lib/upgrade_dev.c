/* upgrade_dev.c - what the device runs (NIC over PCI, ATF/UEFI/BSP from
 * the RShim log) and the deferred handshake in SCRATCHPAD2 and SWINT. */
#include "config.h"
#include "upgrade_dev.h"
#include "bootlog.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "rlog.h"
#include "fw/dev.h"
#include "fw/query.h"
#include "fw/reset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bf_upgrade_nic_name(const char *dev, char *nic, size_t cap)
{
	size_t n = dev ? strlen(dev) : 0;

	nic[0] = '\0';
	if (!dev)
		return;
	/* DEV_NAME style (a daemon's misc): "sim-0", "pcie-0000:03:00.2". */
	if ((!strncmp(dev, "sim:", 4) || !strncmp(dev, "sim-", 4)) && n < cap) {
		snprintf(nic, cap, "sim:%s", dev + 4);
	} else if ((!strncmp(dev, "pcie:", 5) || !strncmp(dev, "pcie-0", 6)) && n > 7 && n - 5 < cap &&
		   dev[n - 2] == '.') {
		snprintf(nic, cap, "%s", dev + 5);
		nic[strlen(nic) - 1] = '0';
	}
}

int bf_upgrade_read_nic(const char *nic, struct bf_upgrade_plan *p)
{
	struct bf_upgrade_item *it = &p->it[BF_UPG_NIC];
	struct bf_fw_reset_caps caps;
	struct bf_fw_query q;
	struct bf_fw_dev *d;
	int r;

	if ((r = bf_fw_dev_open(nic, &d)) < 0)
		return r;
	r = bf_fw_query(d, &q);
	if (r == 0) {
		snprintf(it->running, sizeof(it->running), "%s", q.fw_running);
		snprintf(it->pending, sizeof(it->pending), "%s", q.pending ? q.fw_version : "");
		snprintf(p->nic_psid, sizeof(p->nic_psid), "%s", q.psid);
		p->nic_read = true;
		if (bf_fw_reset_query(d, &caps) == 0)
			p->nic_lfwp = bf_fw_reset_level_ok(&caps, 0);
		bf_error_clear();
	}
	bf_fw_dev_close(d);
	return r;
}

int bf_upgrade_live_patch(const char *nic, bool *supported)
{
	struct bf_fw_reset_opts o = { .level = 0, .type = 0, .sync = BF_FW_SYNC_DRIVER, .timeout_s = 180 };
	struct bf_fw_reset_caps caps;
	struct bf_fw_dev *d;
	bool waited;
	int r;

	*supported = false;
	if ((r = bf_fw_dev_open(nic, &d)) < 0)
		return r;
	if ((r = bf_fw_reset_query(d, &caps)) == 0 && bf_fw_reset_level_ok(&caps, 0)) {
		*supported = true;
		r = bf_fw_reset(d, &o, &waited);
	}
	bf_fw_dev_close(d);
	return r;
}

int bf_upgrade_read_arm(struct bf_rshim *r, struct bf_upgrade_plan *p, bool *found)
{
	uint64_t w[BF_BOOTLOG_MAX_WORDS];
	struct bf_rlog_rec *rec = malloc(sizeof(*rec));
	unsigned n = 0, i = 0;
	int ret;

	*found = false;
	if (!rec)
		return -ENOMEM;
	ret = bf_bootlog_read_words(r, w, BF_BOOTLOG_MAX_WORDS, &n, false);
	while (ret == 0 && i < n) {
		size_t used = bf_rlog_decode(w + i, n - i, rec);

		/* The last such line wins: the DPU publishes it at each boot. */
		if (!rec->garbage && rec->type == BF_RLOG_T_MSG && rec->module == BF_RLOG_MISC &&
		    bf_upgrade_running_line(rec->text, p))
			*found = true;
		i += (unsigned)(used ? used : 1);
	}
	free(rec);
	return ret;
}

static int rd(struct bf_rshim *r, uint32_t off, uint64_t *v)
{
	return bf_rshim_rd(r, off, v);
}

static int wr(struct bf_rshim *r, uint32_t off, uint64_t v)
{
	return bf_rshim_wr(r, off, v);
}

bool bf_upgrade_nic_mode(struct bf_rshim *r)
{
	uint64_t v = 0;

	if (r->chip->ver != BF_CHIP_BF3 || rd(r, r->chip->r.scratchpad2, &v) < 0)
		return false;
	return ((v & BF_SP2_MODE_MASK) >> BF_SP2_MODE_SHIFT) == BF_MODE_NIC;
}

int bf_upgrade_sp2_clear(struct bf_rshim *r)
{
	uint64_t v;
	int ret;

	if ((ret = rd(r, r->chip->r.scratchpad2, &v)) < 0 ||
	    (ret = wr(r, r->chip->r.scratchpad2, v & ~BF_UPG_SP2_CLEAR)) < 0 ||
	    (ret = wr(r, r->chip->r.swint, BF_UPG_SWINT_BIT)) < 0)
		return ret;
	return 0;
}

int bf_upgrade_deferred_arm(struct bf_rshim *r)
{
	const struct bf_chip_regs *g = &r->chip->r;
	uint64_t v, cnt = 0;
	unsigned i;
	int ret;

	/* What a previous stream left in the boot FIFO (bounded: a device
	 * that keeps counting is not waited for forever). */
	for (i = 0; i < 4096; i++) {
		if ((ret = rd(r, g->boot_fifo_count, &cnt)) < 0)
			return ret;
		if (!(cnt & r->chip->boot_fifo_count_mask))
			break;
		if ((ret = rd(r, g->boot_fifo_data, &v)) < 0)
			return ret;
	}
	if ((ret = rd(r, g->scratchpad2, &v)) < 0 || (ret = wr(r, g->scratchpad2, v | BF_UPG_SP2_DEFERRED)) < 0)
		return ret;
	if (!bf_upgrade_nic_mode(r) && (ret = wr(r, g->swint, BF_UPG_SWINT_BIT)) < 0)
		return ret;
	return 0;
}

int bf_upgrade_sp2_status(struct bf_rshim *r, unsigned *st)
{
	uint64_t v;
	int ret;

	*st = 0;
	if ((ret = rd(r, r->chip->r.scratchpad2, &v)) < 0)
		return ret;
	*st = (unsigned)((v & BF_UPG_SP2_STATUS) >> 11);
	return 0;
}

int bf_upgrade_activate_request(struct bf_rshim *r, double timeout_s, unsigned *st)
{
	struct bf_deadline dl;
	uint64_t v;
	int ret;

	*st = 0;
	if ((ret = bf_upgrade_sp2_clear(r)) < 0 || (ret = rd(r, r->chip->r.scratchpad2, &v)) < 0 ||
	    (ret = wr(r, r->chip->r.scratchpad2, v | BF_UPG_SP2_ACTIVATE)) < 0)
		return ret;
	if (!bf_upgrade_nic_mode(r) && (ret = wr(r, r->chip->r.swint, BF_UPG_SWINT_BIT)) < 0)
		return ret;
	bf_deadline_set(&dl, timeout_s, "ActivateFirmware");
	for (;;) {
		if ((ret = bf_upgrade_sp2_status(r, st)) < 0)
			return ret;
		if (*st == 2 || *st == 3 || bf_deadline_passed(&dl))
			return 0;
		bf_clock_sleep_ns(200000000ull);
	}
}
