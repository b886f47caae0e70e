/* files.c - what the device files do (spec rshim.md 5, 7): boot (open
 * resets unless BOOT_RESET_SKIP, write pushes with flow control, close
 * ends the stream), misc (text per open, "KEY value" writes), rshim
 * (register ioctls). The console is a terminal: console.c. */
#include "config.h"
#include "rshimd.h"
#include "boot.h"
#include "bootlog.h"
#include "chip.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "opn.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_SLICE_NS  200000000ull    /* re-check interrupts at least this often */
#define CTRL_WAIT_S    1.0             /* DPU answer to CTRL_REQ (upstream 1 s) */

/* Wait on d->cond (held) for up to WAIT_SLICE_NS. */
static void cond_wait_slice(struct bf_rshimd_dev *d)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += (long)WAIT_SLICE_NS;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&d->cond, &d->lock, &ts);
}

/* ---- boot ---------------------------------------------------------------- */

int bf_rshimd_boot_open(struct bf_rshimd_dev *d)
{
	bool skip;
	int ret;

	pthread_mutex_lock(&d->lock);
	if (d->gone) {
		pthread_mutex_unlock(&d->lock);
		return -ENODEV;
	}
	if (d->drop_mode) {
		pthread_mutex_unlock(&d->lock);
		bf_warn("rshim%u boot fail (drop mode)", d->index);
		return -EINVAL;
	}
	if (d->boot_open) {
		pthread_mutex_unlock(&d->lock);
		bf_warn("rshim%u boot already open", d->index);
		return -EBUSY;
	}
	d->boot_open = true;
	d->boot_tail_len = 0;
	skip = d->boot_reset_skip;
	/* The host side of the TM FIFO starts over. */
	d->con_tx.len = 0;
	d->nctrl = 0;
	d->fifo_reset = true;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	bf_rshimd_dev_wake(d);
	bf_info("rshim%u boot open%s", d->index, skip ? " (BOOT_RESET_SKIP)" : "");
	if (skip) {
		/* Into a running system: only the ARM watchdog is stopped. */
		if (bf_rshim_write(&d->r, BF_CHAN_WDOG1, 0, 0) < 0)
			bf_debug("rshim%u: watchdog disable failed (ignored)", d->index);
		return 0;
	}
	ret = bf_boot_reset(&d->r);
	if (ret < 0) {
		bf_warn("rshim%u boot reset failed: %s", d->index, bf_error_str(ret));
		pthread_mutex_lock(&d->lock);
		d->boot_open = false;
		pthread_mutex_unlock(&d->lock);
		return ret;
	}
	return 0;
}

struct push_ctx {
	bf_rshimd_intr_fn intr;
	void *ctx;
	struct bf_rshimd_dev *d;
};

static int push_poll(void *arg)
{
	struct push_ctx *p = arg;
	bool drop;

	if (p->intr && p->intr(p->ctx))
		return -EINTR;
	pthread_mutex_lock(&p->d->lock);
	drop = p->d->drop_mode;
	pthread_mutex_unlock(&p->d->lock);
	/* Handed over to another backend meanwhile: the rest is not ours to push. */
	return drop ? bf_error_ret(EACCES, "rshim%u entered drop mode during the boot stream push",
				   p->d->index) : 0;
}

ssize_t bf_rshimd_boot_write(struct bf_rshimd_dev *d, const void *buf, size_t len,
			     bf_rshimd_intr_fn intr, void *ctx)
{
	struct push_ctx pc = { intr, ctx, d };
	struct bf_boot_opts o;
	uint64_t pushed = 0;
	size_t total, whole, keep;
	uint8_t *tmp;
	int ret;

	if (!len)
		return 0;
	pthread_mutex_lock(&d->lock);
	memset(&o, 0, sizeof(o));
	o.stall_timeout_s = d->boot_timeout ? d->boot_timeout : BF_BOOT_TIMEOUT_DEFAULT;
	o.poll = push_poll;
	o.poll_ctx = &pc;
	o.poll_ms = 100;
	total = d->boot_tail_len + len;
	tmp = malloc(total);
	if (!tmp) {
		pthread_mutex_unlock(&d->lock);
		return -ENOMEM;
	}
	memcpy(tmp, d->boot_tail, d->boot_tail_len);
	memcpy(tmp + d->boot_tail_len, buf, len);
	whole = total & ~(size_t)7;
	keep = total - whole;
	pthread_mutex_unlock(&d->lock);
	/* Whole words now; a tail of < 8 bytes waits for the next write or
	 * the close. */
	ret = whole ? bf_boot_push_buf(&d->r, tmp, whole, &o, &pushed) : 0;
	pthread_mutex_lock(&d->lock);
	if (ret == 0) {
		memcpy(d->boot_tail, tmp + whole, keep);
		d->boot_tail_len = keep;
	}
	pthread_mutex_unlock(&d->lock);
	free(tmp);
	if (ret < 0) {
		if (ret == -ETIMEDOUT)
			bf_warn("rshim%u boot timeout", d->index);
		else if (ret != -EINTR)
			bf_warn("rshim%u boot write failed: %s", d->index,
				bf_error_str(ret));
		return ret;
	}
	return (ssize_t)len;
}

void bf_rshimd_boot_close(struct bf_rshimd_dev *d)
{
	struct bf_boot_opts o;
	uint8_t tail[8];
	uint64_t pushed;
	size_t n;

	pthread_mutex_lock(&d->lock);
	n = d->boot_tail_len;
	memcpy(tail, d->boot_tail, n);
	d->boot_tail_len = 0;
	pthread_mutex_unlock(&d->lock);
	memset(&o, 0, sizeof(o));
	o.stall_timeout_s = 10;
	/* The last partial word, zero-padded by the backend. */
	if (n && !d->gone && bf_boot_push_buf(&d->r, tail, n, &o, &pushed) < 0)
		bf_warn("rshim%u: the last %zu bytes of the boot stream were not taken", d->index, n);
	if (!d->gone && bf_boot_finish(&d->r) < 0)
		bf_warn("rshim%u: BOOT_CONTROL write at boot close failed", d->index);
	pthread_mutex_lock(&d->lock);
	d->boot_open = false;
	pthread_mutex_unlock(&d->lock);
	bf_rshimd_dev_wake(d);
	bf_info("rshim%u boot close", d->index);
}

/* ---- misc ------------------------------------------------------------------ */

/* OPN_STR: the 16 characters (NUL-padded) into the YU boot record. */
static int write_opn(struct bf_rshimd_dev *d, const char *opn)
{
	int ret = bf_opn_write(&d->r, opn);

	if (ret < 0) {
		bf_warn("rshim%u OPN_STR write failed: %s", d->index,
			ret == -EOPNOTSUPP ? "a BlueField-1 has no OPN" :
			ret == -ETIMEDOUT ? "no answer through MEM_ACC (byte access widget timeout)" :
			strerror(-ret));
		return ret;
	}
	bf_info("rshim%u OPN_STR set to %.16s", d->index, opn);
	return 0;
}

int bf_rshimd_dev_misc_text(struct bf_rshimd_dev *d, char *buf, size_t cap, size_t *len)
{
	const struct bf_chip_regs *g = &d->r.chip->r;
	struct bf_rshimd_misc_view v;
	uint64_t val, gen;
	int level;
	bool clear;

	memset(&v, 0, sizeof(v));
	pthread_mutex_lock(&d->lock);
	level = d->display_level;
	clear = d->clear_on_read;
	gen = d->ctrl_gen;
	pthread_mutex_unlock(&d->lock);
	v.chip_ver = d->r.chip->ver;
	v.rev = 1;
	snprintf(v.dev_name, sizeof(v.dev_name), "%s", d->r.dev_name);
	if (!d->drop_mode && !d->gone) {
		if (bf_rshim_rd(&d->r, g->boot_control, &val) == 0)
			v.boot_mode = (unsigned)(val & 3);
		if (v.chip_ver >= 3 && bf_rshim_rd(&d->r, g->scratchpad2, &val) == 0)
			v.bf_mode = (int)((val & BF_SP2_MODE_MASK) >> BF_SP2_MODE_SHIFT);
		if (v.chip_ver >= 3 && bf_rshim_rd(&d->r, g->uptime, &val) == 0 && d->r.chip->uptime_hz)
			v.uptime_s = val / d->r.chip->uptime_hz;
		if (v.chip_ver >= 3 && bf_rshim_rd(&d->r, g->scratchpad1, &val) == 0)
			v.secure_nic = val == BF_SP1_LOCKED;
		if (bf_opn_read(&d->r, v.opn) < 0)
			v.opn[0] = '\0';   /* N/A */
	}
	if (level == 1 && !d->drop_mode && !d->gone) {
		/* Ask the DPU for its MAC, VLAN and PXE ids (PXE_ID comes last). */
		struct bf_tmfifo_hdr h = { .type = BF_TMFIFO_CTRL_REQ };
		struct bf_deadline dl;

		bf_rshimd_dev_queue_ctrl(d, bf_tmfifo_hdr_word(&h));
		bf_deadline_set(&dl, CTRL_WAIT_S, "the DPU's answer");
		pthread_mutex_lock(&d->lock);
		while (d->ctrl_gen == gen && !bf_deadline_passed(&dl) && !d->stop)
			cond_wait_slice(d);
		pthread_mutex_unlock(&d->lock);
	}
	pthread_mutex_lock(&d->lock);
	v.display_level = d->display_level;
	v.boot_timeout = d->boot_timeout;
	v.usb_timeout = d->usb_timeout;
	v.drop_mode = d->drop_mode;
	v.force_cmd = d->force_pending;
	v.boot_reset_skip = d->boot_reset_skip;
	v.clear_on_read = d->clear_on_read;
	memcpy(v.peer_mac, d->peer_mac, 6);
	v.pxe_id = d->pxe_id;
	memcpy(v.vlan, d->vlan, sizeof(v.vlan));
	pthread_mutex_unlock(&d->lock);
	*len = bf_rshimd_misc_format(&v, buf, cap);
	if (level == 2 && !d->drop_mode && !d->gone) {
		uint64_t words[BF_BOOTLOG_MAX_WORDS];
		unsigned n = 0;
		int ret = bf_bootlog_read_words(&d->r, words, BF_BOOTLOG_MAX_WORDS, &n, clear);

		if (ret < 0)
			bf_warn("rshim%u: log ring: %s", d->index, bf_error_str(ret));
		*len += bf_rshimd_misc_format_log(words, n, buf + *len, cap - *len);
	}
	return 0;
}

/* Settings rshimd keeps itself, the device untouched: 0 or -errno, or 1
 * when c is not one of them. */
static int misc_local(struct bf_rshimd_dev *d, const struct bf_rshimd_misc_cmd *c)
{
	int ret;

	switch (c->key) {
	case BF_MISC_DISPLAY_LEVEL:
		pthread_mutex_lock(&d->lock);
		d->display_level = (int)c->u;
		pthread_mutex_unlock(&d->lock);
		return 0;
	case BF_MISC_BOOT_TIMEOUT:
		if (!c->u)
			return -EINVAL;
		d->boot_timeout = (unsigned)c->u;
		return 0;
	case BF_MISC_USB_TIMEOUT:
		d->usb_timeout = c->u ? (unsigned)c->u : 40;
		return 0;
	case BF_MISC_CLEAR_ON_READ:
		d->clear_on_read = c->u != 0;
		return 0;
	case BF_MISC_BOOT_RESET_SKIP:
		d->boot_reset_skip = c->u != 0;
		return 0;
	case BF_MISC_DROP_MODE:
		/* Leaving runs the access check (EACCES when another backend
		 * drives the device); the TM FIFO starts over. */
		return bf_rshimd_dev_set_drop(d, c->u != 0);
	case BF_MISC_FORCE_CMD:
		if (!c->u)
			return 0;
		if ((ret = bf_rshimd_dev_force(d)) < 0) {
			bf_warn("rshim%u FORCE_CMD refused: not in drop mode (the device is ours already)", d->index);
			return ret;
		}
		bf_info("rshim%u FORCE_CMD: asking the owner to hand the device over", d->index);
		return 0;
	default:
		return 1;
	}
}

static int misc_sw_reset(struct bf_rshimd_dev *d)
{
	int ret;

	bf_info("rshim%u SW RESET", d->index);
	ret = bf_boot_chip_reset(&d->r);
	pthread_mutex_lock(&d->lock);
	d->fifo_reset = true;
	pthread_mutex_unlock(&d->lock);
	bf_rshimd_dev_wake(d);
	return ret;
}

/* One TM FIFO control message: a type and up to 6 data bytes. */
static void misc_ctrl(struct bf_rshimd_dev *d, uint8_t type, const uint8_t *data, size_t n)
{
	struct bf_tmfifo_hdr h;

	memset(&h, 0, sizeof(h));
	h.type = type;
	memcpy(h.data, data, n);
	bf_rshimd_dev_queue_ctrl(d, bf_tmfifo_hdr_word(&h));
}

/* The DPU's MAC, PXE ID and VLANs: kept for the misc file, and told to
 * the DPU as they are set (the MAC in two halves, the rest big-endian as
 * the DPU driver reads them; the PXE ID little-endian). */
static void misc_peer_mac(struct bf_rshimd_dev *d, const uint8_t mac[6])
{
	pthread_mutex_lock(&d->lock);
	memcpy(d->peer_mac, mac, 6);
	pthread_mutex_unlock(&d->lock);
	misc_ctrl(d, BF_TMFIFO_MAC_1, mac, 3);
	misc_ctrl(d, BF_TMFIFO_MAC_2, mac + 3, 3);
}

static void misc_pxe_id(struct bf_rshimd_dev *d, uint32_t id)
{
	const uint8_t b[4] = { (uint8_t)id, (uint8_t)(id >> 8), (uint8_t)(id >> 16), (uint8_t)(id >> 24) };

	pthread_mutex_lock(&d->lock);
	d->pxe_id = id;
	pthread_mutex_unlock(&d->lock);
	misc_ctrl(d, BF_TMFIFO_PXE_ID, b, sizeof(b));
}

static void misc_vlan(struct bf_rshimd_dev *d, const uint16_t vlan[2])
{
	const uint8_t b[4] = { (uint8_t)(vlan[0] >> 8), (uint8_t)vlan[0], (uint8_t)(vlan[1] >> 8), (uint8_t)vlan[1] };

	pthread_mutex_lock(&d->lock);
	memcpy(d->vlan, vlan, sizeof(d->vlan));
	pthread_mutex_unlock(&d->lock);
	misc_ctrl(d, BF_TMFIFO_VLAN_ID, b, sizeof(b));
}

/* Settings that reach the device. In drop mode the writes are dropped, as
 * every write then. */
static int misc_device(struct bf_rshimd_dev *d, const struct bf_rshimd_misc_cmd *c)
{
	switch (c->key) {
	case BF_MISC_BOOT_MODE:
		return d->drop_mode ? 0 : bf_rshim_wr(&d->r, d->r.chip->r.boot_control, c->u & 3);
	case BF_MISC_SW_RESET:
		return !c->u || d->drop_mode ? 0 : misc_sw_reset(d);
	case BF_MISC_PEER_MAC:
		misc_peer_mac(d, c->mac);
		return 0;
	case BF_MISC_PXE_ID:
		misc_pxe_id(d, (uint32_t)c->u);
		return 0;
	case BF_MISC_VLAN_ID:
		misc_vlan(d, c->vlan);
		return 0;
	case BF_MISC_DEBUG_CODE:
		d->debug_code = c->u;
		return bf_rshim_wr(&d->r, d->r.chip->r.scratchpad1, c->u);
	case BF_MISC_OPN_STR:
		return d->drop_mode ? 0 : write_opn(d, c->str);
	case BF_MISC_DEV_NAME:
		return bf_rshimd_dev_refresh(d);
	default:
		return -EINVAL;
	}
}

int bf_rshimd_dev_misc_apply(struct bf_rshimd_dev *d, const struct bf_rshimd_misc_cmd *c)
{
	int ret = misc_local(d, c);

	if (ret != 1)
		return ret;
	if (d->gone)
		return -ENODEV;
	return misc_device(d, c);
}

/* ---- rshim (ioctl) ------------------------------------------------------- */

int bf_rshimd_dev_ioctl(struct bf_rshimd_dev *d, unsigned cmd, const void *in, size_t in_len,
			uint8_t *out, size_t *out_len)
{
	struct bf_rshimd_ioreq rq;
	uint64_t v = 0;
	int ret;

	ret = bf_rshimd_ioctl_decode(cmd, in, in_len, (int)d->r.chip->ver,
				     !strncmp(d->name, "usb", 3), &rq);
	if (ret < 0)
		return ret;
	*out_len = rq.msg_len;
	if (d->gone)
		return -ENODEV;
	if (d->drop_mode) {
		/* As upstream over PCIe: reads give 0, writes are dropped. */
		bf_rshimd_ioctl_reply(in, &rq, rq.write ? rq.data : 0, out);
		return 0;
	}
	if (!rq.write || rq.size == 4)
		ret = bf_rshim_read_data(&d->r, rq.chan, rq.off, &v);
	if (ret == 0 && rq.write) {
		if (rq.size == 4)
			v = (v & ~(0xffffffffull << rq.shift)) | (rq.data << rq.shift);
		else
			v = rq.data;
		ret = bf_rshim_write(&d->r, rq.chan, rq.off, v);
		v = rq.data;
	} else if (ret == 0 && rq.size == 4) {
		v = (v >> rq.shift) & 0xffffffffull;
	}
	if (ret < 0)
		return ret;
	bf_rshimd_ioctl_reply(in, &rq, v, out);
	return 0;
}
