/* nic.c - the simulated NIC: its PCI functions' config space (header,
 * capability list, the functional VSEC), the gateway to the address spaces
 * (CR space, ICMD VCR, semaphores, recovery), power, resets and power cuts,
 * and its state in nv.json. Facts: doc/firmware.md sections 1 and 2. */
#include "config.h"
#include "nic_int.h"
#include "clock.h"
#include "error.h"
#include "fw/image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Factory firmware and identity per chip (spec 1.10; the PSIDs, versions,
 * ROMs and MAC are those of the field guide's BlueField-3 query). */
static const struct nic_chip chips[] = {
	[BF_CHIP_BF2] = {
		"BlueField2", "BlueField-2 DPU 25GbE Dual-Port SFP56 (simulated)",
		"BlueField-2 E-Series DPU, 25GbE dual-port SFP56, PCIe Gen4 x8, 16GB DDR4 (bfsim)",
		0xa2d6, 0x214, 0x0040, "MT_0000000540", "24.40.1000", "4.2.2024", 0xb8cef6d0e1a0ull,
		{ 6, 7, 2, 1 }, { 3, 3, 3, 1 },
	},
	[BF_CHIP_BF3] = {
		"BlueField3", "BlueField-3 DPU 200GbE Dual-Port QSFP112 (simulated)",
		"BlueField-3 B3220 P-Series DPU, 200GbE dual-port QSFP112, PCIe Gen5 x16, 32GB DDR5 (bfsim)",
		0xa2dc, 0x21c, 0x0051, "MT_0000000884", "32.40.1000", "4.2.2024", 0xa088c275c110ull,
		{ 6, 7, 2, 1 }, { 3, 3, 3, 1 },
	},
};


double bf_sim_nic_now(struct nic_core *c)
{
	return bf_sim_now(c->s);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* The static config space: header type 0 (multi-function), and the
 * capability list PCIe (0x60) -> VPD (0x48) -> MSI-X (0x9c) -> VSEC (0xc0)
 * -> PM (0x40), as ConnectX functions lay it out. */
static void build_cfg(struct bf_sim_nic *n)
{
	const struct nic_chip *ch = n->core->chip;
	uint8_t *c = n->cfg;

	memset(c, 0, sizeof(n->cfg));
	put16(c + 0x00, BF_PCI_VENDOR);
	put16(c + 0x02, ch->pci_devid);
	put16(c + 0x04, 0x0006);            /* memory space, bus master */
	put16(c + 0x06, 0x0010);            /* capability list */
	c[0x08] = 0x01;                     /* revision */
	c[0x0b] = 0x02;                     /* class: network controller, Ethernet */
	c[0x0e] = 0x80;                     /* multi-function */
	put32(c + 0x10, 0xe2000000u | 0xc); /* BAR0: 64-bit prefetchable */
	put16(c + 0x2c, BF_PCI_VENDOR);
	put16(c + 0x2e, ch->subsys);
	c[0x34] = 0x60;
	c[0x3c] = 0xff;
	c[0x3d] = 0x01;
	c[0x60] = 0x10; c[0x61] = 0x48; put16(c + 0x62, 0x0002);   /* PCI Express v2, endpoint */
	c[0x48] = 0x03; c[0x49] = 0x9c;                            /* VPD */
	c[0x9c] = 0x11; c[0x9d] = n->q.no_vsec ? 0x40 : NIC_VSEC_OFF; put16(c + 0x9e, 0x003f);
	if (!n->q.no_vsec) {
		c[NIC_VSEC_OFF] = BF_FW_VSEC_CAP_ID;               /* functional (VSC type 0 in [31:24]) */
		c[NIC_VSEC_OFF + 1] = 0x40;
		c[NIC_VSEC_OFF + 2] = BF_FW_VSEC_LEN;
	}
	c[0x40] = 0x01; c[0x41] = n->q.cap_loop ? 0x60 : 0x00;    /* power management, last */
	put16(c + 0x42, 0x0003);
}

static struct nic_core *core_of(struct bf_sim *s)
{
	return s->nic;
}

/* A BFB install since (the simulated installer's NIC firmware step, which
 * resets the NIC): the NIC runs what it installed. */
static void sync_installed(struct nic_core *c)
{
	json_object *nf, *x;
	uint32_t ver;

	if (c->bank[c->active].valid && json_object_object_get_ex(bf_sim_nv_installed(c->s), "nic_fw", &nf) &&
	    json_object_object_get_ex(nf, "version", &x) && bf_fw_version_parse(json_object_get_string(x), &ver) == 0 &&
	    ver != c->bank[c->active].version) {
		struct nic_bank *k = &c->bank[c->active];

		k->version = ver;
		snprintf(k->product, sizeof(k->product), "%s", json_object_get_string(x));
		if (json_object_object_get_ex(nf, "psid", &x) && *json_object_get_string(x))
			snprintf(k->psid, sizeof(k->psid), "%s", json_object_get_string(x));
		c->pending = -1;
		c->reset_t = bf_sim_nic_now(c);
	}
}

void bf_sim_nic_sync_installed(struct bf_sim *s)
{
	if (s->nic)
		sync_installed(s->nic);
}

/* NIC firmware of the state directory, or the factory one. */
static void load_state(struct nic_core *c)
{
	json_object *nic, *v, *b;
	size_t i;

	c->active = 0;
	c->pending = -1;
	memset(c->bank, 0, sizeof(c->bank));
	if (json_object_object_get_ex(c->s->nv, "nic", &nic) && json_object_is_type(nic, json_type_object)) {
		if (json_object_object_get_ex(nic, "banks", &v) && json_object_is_type(v, json_type_array))
			for (i = 0; i < 2 && i < json_object_array_length(v); i++) {
				json_object *x;
				struct nic_bank *k = &c->bank[i];

				b = json_object_array_get_idx(v, i);
				if (!json_object_is_type(b, json_type_object))
					continue;
				k->valid = json_object_object_get_ex(b, "version", &x) &&
					   bf_fw_version_parse(json_object_get_string(x), &k->version) == 0;
				if (json_object_object_get_ex(b, "psid", &x))
					snprintf(k->psid, sizeof(k->psid), "%s", json_object_get_string(x));
				if (json_object_object_get_ex(b, "product", &x))
					snprintf(k->product, sizeof(k->product), "%s", json_object_get_string(x));
				if (json_object_object_get_ex(b, "date", &x))
					k->date_bcd = (uint32_t)strtoul(json_object_get_string(x), NULL, 16);
				if (json_object_object_get_ex(b, "size", &x))
					k->size = (uint32_t)json_object_get_int64(x);
				k->hw_dev_id = c->chip->hw_dev_id;
			}
		if (json_object_object_get_ex(nic, "active", &v))
			c->active = json_object_get_int(v) == 1;
		if (json_object_object_get_ex(nic, "pending", &v) && json_object_get_int(v) == !c->active &&
		    c->bank[!c->active].valid)
			c->pending = !c->active;
		if (json_object_object_get_ex(nic, "reset_time", &v))
			c->reset_t = json_object_get_double(v);
		if (json_object_object_get_ex(nic, "resets", &v))
			c->resets = (unsigned)json_object_get_int(v);
		if (json_object_object_get_ex(nic, "powercuts", &v))
			c->powercuts = (unsigned)json_object_get_int(v);
		if (json_object_object_get_ex(nic, "downtime_s", &v) && json_object_get_double(v) >= 0 &&
		    json_object_get_double(v) < 1e9)
			c->s->dp_down_s = json_object_get_double(v);
		if (json_object_object_get_ex(nic, "live_patches", &v))
			c->s->lfwp_count = (unsigned)json_object_get_int(v);
		if (json_object_object_get_ex(nic, "powercut_fired", &v) && json_object_get_boolean(v))
			c->powercut = 0;
		if (json_object_object_get_ex(nic, "nv_next", &v))
			bf_sim_nic_nv_load(&c->next, v);
		if (json_object_object_get_ex(nic, "nv_current", &v))
			bf_sim_nic_nv_load(&c->current, v);
	}
	sync_installed(c);
	if (!c->bank[c->active].valid) {
		/* First power-on: what the installer put there, else the factory image. */
		struct nic_bank *k = &c->bank[c->active];
		json_object *nf, *x;
		const char *ver = c->chip->fw, *psid = c->chip->psid;

		if (json_object_object_get_ex(bf_sim_nv_installed(c->s), "nic_fw", &nf)) {
			if (json_object_object_get_ex(nf, "version", &x) && bf_fw_version_parse(json_object_get_string(x), &k->version) == 0)
				ver = json_object_get_string(x);
			if (json_object_object_get_ex(nf, "psid", &x) && *json_object_get_string(x))
				psid = json_object_get_string(x);
		}
		k->valid = bf_fw_version_parse(ver, &k->version) == 0;
		snprintf(k->psid, sizeof(k->psid), "%s", psid);
		snprintf(k->product, sizeof(k->product), "%s", ver);
		k->date_bcd = 0x20240204;   /* 4.2.2024 */
		k->size = 0x2000000;
		k->hw_dev_id = c->chip->hw_dev_id;
		c->reset_t = bf_sim_nic_now(c);
	}
	bf_sim_nic_flash_load(c);
}

void bf_sim_nic_save(struct bf_sim *s)
{
	struct nic_core *c = core_of(s);
	json_object *o, *banks;
	int i;

	if (!c)
		return;
	o = json_object_new_object();
	banks = json_object_new_array();
	for (i = 0; i < 2; i++) {
		json_object *b = json_object_new_object();
		const struct nic_bank *k = &c->bank[i];
		char t[24];

		if (k->valid) {
			bf_fw_version_fmt(k->version, t, sizeof(t));
			json_object_object_add(b, "version", json_object_new_string(t));
			json_object_object_add(b, "psid", json_object_new_string(k->psid));
			json_object_object_add(b, "product", json_object_new_string(k->product));
			snprintf(t, sizeof(t), "%08x", k->date_bcd);
			json_object_object_add(b, "date", json_object_new_string(t));
			json_object_object_add(b, "size", json_object_new_int64(k->size));
		}
		json_object_array_add(banks, b);
	}
	json_object_object_add(o, "banks", banks);
	json_object_object_add(o, "active", json_object_new_int(c->active));
	json_object_object_add(o, "pending", json_object_new_int(c->pending));
	json_object_object_add(o, "reset_time", json_object_new_double(c->reset_t));
	json_object_object_add(o, "resets", json_object_new_int((int)c->resets));
	json_object_object_add(o, "powercuts", json_object_new_int((int)c->powercuts));
	/* Simulated seconds the data path was down (NIC resets, live patches). */
	json_object_object_add(o, "downtime_s", json_object_new_double(s->dp_down_s));
	json_object_object_add(o, "live_patches", json_object_new_int((int)s->lfwp_count));
	if (s->cfg.fault_powercut && !c->powercut)
		json_object_object_add(o, "powercut_fired", json_object_new_boolean(1));
	json_object_object_add(o, "nv_next", bf_sim_nic_nv_save(&c->next));
	json_object_object_add(o, "nv_current", bf_sim_nic_nv_save(&c->current));
	json_object_object_add(s->nv, "nic", o);
	bf_sim_nic_flash_save(c);
}

void bf_sim_nic_free(struct bf_sim *s)
{
	struct nic_core *c = core_of(s);

	if (!c)
		return;
	bf_sim_nic_nv_free(c);
	bf_sim_nic_bank_drop(&c->bank[0]);
	bf_sim_nic_bank_drop(&c->bank[1]);
	free(c->upd);
	free(c);
	s->nic = NULL;
}

static void reset_function(struct bf_sim_nic *n)
{
	n->ctrl_space = BF_FW_AS_CR;
	n->syndrome_code = 0;
	n->sem = 0;
	n->addr = 0;
	n->data = 0;
	n->icmd_ctrl = 0;
	n->icmd_syndrome = 0;
	n->icmd_done_t = 0;
	memset(n->mbox, 0, sizeof(n->mbox));
}

struct bf_sim_nic *bf_sim_nic_get(struct bf_sim *s, unsigned fn)
{
	struct nic_core *c;
	unsigned i;

	if (fn >= BF_SIM_NIC_FUNCS)
		return NULL;
	if (!s->nic) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return NULL;
		c->s = s;
		c->chip = &chips[s->chip->ver == BF_CHIP_BF2 ? BF_CHIP_BF2 : BF_CHIP_BF3];
		c->powercut = s->cfg.fault_powercut;
		c->next_handle = 0x1a2b;
		bf_sim_nic_nv_init(c);
		load_state(c);
		for (i = 0; i < BF_SIM_NIC_FUNCS; i++) {
			struct bf_sim_nic *n = &c->fn[i];

			n->core = c;
			n->fn = i;
			snprintf(n->bdf, sizeof(n->bdf), "0000:03:00.%u", i);
			build_cfg(n);
			reset_function(n);
		}
		s->nic = c;
	}
	return &s->nic->fn[fn];
}

struct bf_sim *bf_sim_nic_sim(const struct bf_sim_nic *n) { return n->core->s; }
const char *bf_sim_nic_bdf(const struct bf_sim_nic *n) { return n->bdf; }

struct bf_sim_nic_quirks *bf_sim_nic_quirks(struct bf_sim_nic *n)
{
	return &n->q;
}

void bf_sim_nic_quirks_apply(struct bf_sim_nic *n)
{
	build_cfg(n);
}

void bf_sim_nic_stats(const struct bf_sim_nic *n, struct bf_sim_nic_stats *st)
{
	*st = n->st;
}

void bf_sim_nic_sleep(struct bf_sim_nic *n, uint64_t ns)
{
	struct bf_sim *s = n->core->s;

	if (s->cfg.virtual_clock || s->cfg.virtual_access_ns)
		bf_sim_advance(s, (double)ns / 1e9);
	else
		bf_clock_sleep_ns(ns);
}

/* Power and resets. ---------------------------------------------------- */

/* The pending image (if any) becomes the running one. */
static void activate_pending(struct nic_core *c)
{
	if (c->s->cfg.fault_no_activate)
		return;   /* the old image comes up again; the new one stays pending */
	if (c->pending >= 0 && c->bank[c->pending].valid) {
		/* bfsim status shows what the NIC runs. */
		json_object *nf = json_object_new_object();
		char v[16];

		c->active = c->pending;
		bf_fw_version_fmt(c->bank[c->active].version, v, sizeof(v));
		json_object_object_add(nf, "version", json_object_new_string(v));
		json_object_object_add(nf, "psid", json_object_new_string(c->bank[c->active].psid));
		json_object_object_add(bf_sim_nv_installed(c->s), "nic_fw", nf);
	}
	c->pending = -1;
}

void bf_sim_nic_live_patch(struct nic_core *c)
{
	c->mfrl_armed = 0;
	if (c->pending < 0)
		return;
	activate_pending(c);
	c->s->lfwp_count++;
	c->s->dp_down_s += NIC_T_LFWP;
	c->reset_t = bf_sim_nic_now(c);
}

int bf_sim_nic_check_image(struct bf_sim *s, const uint8_t *img, size_t len, struct bf_fw_image_hdr *hp,
			   char *why, size_t cap)
{
	struct bf_fw_image_hdr hh, *h = hp ? hp : &hh;
	struct nic_core *c;

	if (!bf_sim_nic_get(s, 0))
		return -ENOMEM;
	c = s->nic;
	if (bf_fw_image_check(img, len, h) < 0) {
		snprintf(why, cap, "the image failed the firmware's checks (%s)", bf_error_or("damaged"));
		bf_error_clear();
		return -EBADMSG;
	}
	if (!bf_fw_image_for_chip(h, c->chip->hw_dev_id) || strcmp(h->psid, c->bank[c->active].psid)) {
		snprintf(why, cap, "the image is for PSID %s, the NIC is PSID %s", h->psid, c->bank[c->active].psid);
		return -EXDEV;
	}
	return 0;
}

int bf_sim_nic_stage_image(struct bf_sim *s, const uint8_t *img, size_t len, char *why, size_t cap)
{
	struct nic_core *c;
	struct nic_bank *k;
	struct bf_fw_image_hdr h;
	uint8_t *copy;
	int r;

	if ((r = bf_sim_nic_check_image(s, img, len, &h, why, cap)) < 0)
		return r;
	c = s->nic;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, img, len);
	k = &c->bank[!c->active];
	bf_sim_nic_flash_commit(c, k, copy, (uint32_t)len);
	k->valid = true;
	k->hw_dev_id = c->chip->hw_dev_id;
	k->version = h.version;
	k->date_bcd = h.date_bcd;
	k->crc = h.payload_crc;
	memcpy(k->psid, h.psid, sizeof(k->psid));
	memcpy(k->product, h.product, sizeof(k->product));
	c->pending = !c->active;
	return 0;
}

/* The NIC comes up: the pending image (if any) runs, the next-boot NV
 * configuration becomes current, everything volatile starts afresh. */
void bf_sim_nic_boot(struct nic_core *c)
{
	unsigned i;

	c->off = false;
	c->reset_at = 0;
	c->mfrl_armed = 0;
	activate_pending(c);
	bf_sim_nic_nv_apply_next(c);
	bf_sim_nic_fsm_reset(c);
	c->sem_icmd = c->sem_flash = 0;
	c->reset_t = bf_sim_nic_now(c);
	for (i = 0; i < BF_SIM_NIC_FUNCS; i++)
		reset_function(&c->fn[i]);
}

/* Power lost: everything volatile is gone (an update in progress with it);
 * what is on flash stays. It comes back NIC_T_POWERCUT later. */
void bf_sim_nic_power_cut(struct nic_core *c)
{
	c->powercuts++;
	bf_sim_nic_fsm_reset(c);
	c->off = true;
	c->off_until = bf_sim_nic_now(c) + NIC_T_POWERCUT;
	c->reset_at = 0;
}

void bf_sim_nic_power_loss(struct bf_sim *s)
{
	if (bf_sim_nic_get(s, 0))
		bf_sim_nic_power_cut(s->nic);
}

static void tick(struct nic_core *c)
{
	double now;

	if (c->s->cfg.virtual_access_ns)
		c->s->virt_t += (double)c->s->cfg.virtual_access_ns / 1e9;
	now = bf_sim_nic_now(c);
	if (c->reset_at && now >= c->reset_at && !c->off) {
		/* The driver (or the link toggle) resets the NIC; a full-chip
		 * reset takes the ARM cores with it. */
		c->resets++;
		c->s->dp_down_s += NIC_T_DRIVER + NIC_T_RESET_OFF;
		if (c->mfrl_type == 0)
			bf_sim_chip_reset_arm(c->s);
		bf_sim_nic_fsm_reset(c);
		c->off = true;
		c->off_until = c->reset_at + NIC_T_RESET_OFF;
		c->reset_at = 0;
	}
	if (c->off && now >= c->off_until)
		bf_sim_nic_boot(c);
	if (!c->off)
		bf_sim_nic_fsm_tick(c, now);
}

void bf_sim_nic_fw_info(struct bf_sim *s, struct bf_sim_nic_fw *out)
{
	struct nic_core *c;

	memset(out, 0, sizeof(*out));
	if (!bf_sim_nic_get(s, 0))
		return;
	c = s->nic;
	bf_fw_version_fmt(c->bank[c->active].version, out->running, sizeof(out->running));
	if (c->pending >= 0)
		bf_fw_version_fmt(c->bank[c->pending].version, out->pending, sizeof(out->pending));
	snprintf(out->psid, sizeof(out->psid), "%s", c->bank[c->active].psid);
	out->resets = c->resets;
	out->powercuts = c->powercuts;
	out->off = c->off;
	out->fsm_state = c->fsm;
}

/* The address spaces behind the gateway. ------------------------------- */

static bool space_ok(const struct bf_sim_nic *n, uint32_t sp)
{
	return sp == BF_FW_AS_ICMD_EXT || sp == BF_FW_AS_CR || sp == BF_FW_AS_ICMD || sp == BF_FW_AS_SEMAPHORE ||
	       (sp == BF_FW_AS_RECOVERY && n->core->chip->hw_dev_id == 0x21c);
}

static uint32_t space_size(const struct bf_sim_nic *n, uint32_t sp)
{
	switch (sp) {
	case BF_FW_AS_CR: return NIC_CR_SIZE;
	case BF_FW_AS_ICMD: return BF_FW_VCR_MBOX + NIC_MBOX_MAX;
	case BF_FW_AS_SEMAPHORE: return BF_FW_SEM_SPACE_SIZE;
	case BF_FW_AS_RECOVERY: return 0x10;
	default: return 0x1000;
	}
}

uint32_t bf_sim_nic_mbox_size(const struct bf_sim_nic *n)
{
	return n->q.mailbox_size && n->q.mailbox_size <= NIC_MBOX_MAX ? n->q.mailbox_size : NIC_MBOX_SIZE;
}

static uint32_t icmd_ctrl_read(struct bf_sim_nic *n)
{
	uint32_t v = n->icmd_ctrl & ~BF_FW_VCR_CTRL_BUSY;

	if ((n->icmd_ctrl & BF_FW_VCR_CTRL_BUSY) && (n->q.icmd_stuck || bf_sim_nic_now(n->core) < n->icmd_done_t))
		v |= BF_FW_VCR_CTRL_BUSY;
	else
		n->icmd_ctrl &= ~BF_FW_VCR_CTRL_BUSY;
	return v;
}

static uint32_t space_read(struct bf_sim_nic *n, uint32_t sp, uint32_t a)
{
	struct nic_core *c = n->core;

	switch (sp) {
	case BF_FW_AS_CR:
		if (a == BF_FW_CR_HW_ID)
			return c->chip->hw_dev_id;   /* revision 0 in [23:16] */
		if (a == BF_FW_CR_CFG_NOT_DONE)
			return n->q.icmd_not_ready ? BF_FW_CR_CFG_NOT_DONE_BIT : 0;
		return 0;
	case BF_FW_AS_ICMD:
		if (a == BF_FW_VCR_CTRL)
			return icmd_ctrl_read(n);
		if (a == BF_FW_VCR_MBOX_SIZE)
			return bf_sim_nic_mbox_size(n);
		if (a == BF_FW_VCR_SYNDROME)
			return n->icmd_syndrome;
		if (a >= BF_FW_VCR_MBOX && a < BF_FW_VCR_MBOX + NIC_MBOX_MAX)
			return n->mbox[(a - BF_FW_VCR_MBOX) / 4];
		return 0;
	case BF_FW_AS_SEMAPHORE:
		if (a == BF_FW_SEM_ICMD)
			return c->sem_icmd;
		if (a == BF_FW_SEM_FLASH)
			return c->sem_flash;
		return 0;
	default:
		return 0;   /* recovery: not initializing, not in recovery */
	}
}

static void sem_write(uint32_t *sem, uint32_t v)
{
	/* Taken by writing an owner id when free; released by writing 0. */
	if (!v || !*sem)
		*sem = v;
}

static void space_write(struct bf_sim_nic *n, uint32_t sp, uint32_t a, uint32_t v)
{
	struct nic_core *c = n->core;

	switch (sp) {
	case BF_FW_AS_ICMD:
		if (a == BF_FW_VCR_CTRL) {
			bool go = (v & BF_FW_VCR_CTRL_BUSY) && !(icmd_ctrl_read(n) & BF_FW_VCR_CTRL_BUSY);

			n->icmd_ctrl = (v & ~BF_FW_VCR_CTRL_BUSY) | (n->icmd_ctrl & BF_FW_VCR_CTRL_BUSY);
			if (go)
				bf_sim_nic_icmd_go(n);
		} else if (a >= BF_FW_VCR_MBOX && a < BF_FW_VCR_MBOX + bf_sim_nic_mbox_size(n)) {
			n->mbox[(a - BF_FW_VCR_MBOX) / 4] = v;
		}
		break;
	case BF_FW_AS_SEMAPHORE:
		if (a == BF_FW_SEM_ICMD)
			sem_write(&c->sem_icmd, v);
		else if (a == BF_FW_SEM_FLASH)
			sem_write(&c->sem_flash, v);
		break;
	default:
		break;   /* CR space writes are not modelled */
	}
}

/* One transfer through ADDRESS/DATA (spec 1.7): completes at once (the
 * flag toggles) unless the gw_stuck quirk holds it. */
static void gateway(struct bf_sim_nic *n, uint32_t v)
{
	uint32_t a = v & BF_FW_VSEC_ADDR_MASK, sp = n->ctrl_space;
	bool write = !!(v & BF_FW_VSEC_ADDR_FLAG), synd = false;

	n->st.gw_ops++;
	if (!n->sem)
		n->st.sem_violations++;
	if (n->q.gw_stuck) {
		n->addr = v;
		return;
	}
	n->syndrome_code = 0;
	if (n->q.syndrome) {
		synd = true;
		n->syndrome_code = n->q.syndrome & 0xf;
	} else if (!space_ok(n, sp) || a >= space_size(n, sp) || (a & 3)) {
		synd = true;
		n->syndrome_code = BF_FW_VSEC_SYND_OUT_OF_RANGE;
	}
	if (write) {
		if (!synd)
			space_write(n, sp, a, n->data);
		n->addr = a | (synd ? BF_FW_VSEC_ADDR_SYND : 0);
	} else {
		n->data = synd ? 0 : space_read(n, sp, a);
		n->addr = a | BF_FW_VSEC_ADDR_FLAG | (synd ? BF_FW_VSEC_ADDR_SYND : 0);
	}
}

/* The VSEC registers, one dword each. */
static uint32_t vsec_read(struct bf_sim_nic *n, uint32_t r)
{
	switch (r) {
	case 0x0:
		return get32(n->cfg + NIC_VSEC_OFF);
	case BF_FW_VSEC_CTRL:
		return (n->ctrl_space & BF_FW_VSEC_CTRL_SPACE) | (n->syndrome_code & 0xf) << BF_FW_VSEC_CTRL_SYND_SHIFT |
		       (space_ok(n, n->ctrl_space) ? 1u << BF_FW_VSEC_CTRL_STATUS_SHIFT : 0);
	case BF_FW_VSEC_COUNTER:
		if (++n->counter == 0)
			n->counter = 1;
		return n->counter;
	case BF_FW_VSEC_SEMAPHORE:
		return n->q.sem_stuck ? 0x5eed : n->sem;
	case BF_FW_VSEC_ADDRESS:
		return n->addr;
	case BF_FW_VSEC_DATA:
		return n->data;
	default:
		return 0;
	}
}

static void vsec_write(struct bf_sim_nic *n, uint32_t r, uint32_t v)
{
	switch (r) {
	case BF_FW_VSEC_CTRL:
		n->ctrl_space = v & BF_FW_VSEC_CTRL_SPACE;
		break;
	case BF_FW_VSEC_SEMAPHORE:
		if (!n->q.sem_stuck)
			sem_write(&n->sem, v);
		break;
	case BF_FW_VSEC_ADDRESS:
		gateway(n, v);
		break;
	case BF_FW_VSEC_DATA:
		n->data = v;
		break;
	default:
		break;
	}
}

static bool in_vsec(const struct bf_sim_nic *n, uint32_t off)
{
	return !n->q.no_vsec && off >= NIC_VSEC_OFF && off < NIC_VSEC_OFF + BF_FW_VSEC_LEN;
}

int bf_sim_nic_cfg_read(struct bf_sim_nic *n, uint32_t off, void *buf, size_t len)
{
	uint8_t *b = buf;
	size_t i;

	if (off > BF_SIM_NIC_CFG_SIZE || len > BF_SIM_NIC_CFG_SIZE - off)
		return -EINVAL;
	tick(n->core);
	n->st.cfg_reads++;
	if (n->core->off) {
		memset(buf, 0xff, len);
		return 0;
	}
	for (i = 0; i < len;) {
		uint32_t o = off + (uint32_t)i;

		if (in_vsec(n, o)) {
			/* A VSEC register is read once per access, whatever its width. */
			uint32_t r = (o - NIC_VSEC_OFF) & ~3u, v = vsec_read(n, r);
			uint8_t d[4];

			put32(d, v);
			for (; i < len && in_vsec(n, off + (uint32_t)i) &&
			       ((off + (uint32_t)i - NIC_VSEC_OFF) & ~3u) == r; i++)
				b[i] = d[(off + i - NIC_VSEC_OFF) & 3];
		} else {
			b[i] = n->cfg[o];
			i++;
		}
	}
	return 0;
}

int bf_sim_nic_cfg_write(struct bf_sim_nic *n, uint32_t off, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	size_t i;

	if (off > BF_SIM_NIC_CFG_SIZE || len > BF_SIM_NIC_CFG_SIZE - off)
		return -EINVAL;
	tick(n->core);
	n->st.cfg_writes++;
	if (n->core->off)
		return 0;
	for (i = 0; i < len;) {
		uint32_t o = off + (uint32_t)i;

		if (in_vsec(n, o)) {
			/* Sub-dword writes merge into the register's value. */
			uint32_t r = (o - NIC_VSEC_OFF) & ~3u;
			uint8_t d[4];

			switch (r) {
			case BF_FW_VSEC_CTRL: put32(d, n->ctrl_space); break;
			case BF_FW_VSEC_SEMAPHORE: put32(d, n->sem); break;
			case BF_FW_VSEC_ADDRESS: put32(d, n->addr & BF_FW_VSEC_ADDR_MASK); break;
			case BF_FW_VSEC_DATA: put32(d, n->data); break;
			default: memset(d, 0, 4); break;
			}
			for (; i < len && in_vsec(n, off + (uint32_t)i) &&
			       ((off + (uint32_t)i - NIC_VSEC_OFF) & ~3u) == r; i++)
				d[(off + i - NIC_VSEC_OFF) & 3] = b[i];
			vsec_write(n, r, get32(d));
		} else {
			if (o == 0x04 || o == 0x05)   /* the command register; the rest is read-only */
				n->cfg[o] = b[i];
			i++;
		}
	}
	return 0;
}
