/* usbdev.c - the simulated BlueField's USB function: descriptors, endpoints
 * and the link timing model (see usbdev.h). */
#include "config.h"
#include "usbdev.h"
#include "sim_int.h"
#include "xorshift.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bf_sim_usb {
	struct bf_sim *s;
	struct bf_sim_usb_timing tm;
	double uf_start;                      /* the microframe of the last packet landed */
	unsigned uf_pkts;                     /* packets landed in it */
	struct bf_sim_urb *pend;              /* submission order */
	struct bf_sim_urb *doneq, **done_tail;
	double link_t;                        /* the OUT link is busy until then */
	double ctrl_t;                        /* endpoint 0 is busy until then */
	double done_last;                     /* the last completion's time */
	uint64_t rng;                         /* completion jitter (xorshift64) */
};

void bf_sim_usb_timing_defaults(struct bf_sim_usb_timing *t)
{
	*t = (struct bf_sim_usb_timing){
		.link_bps = 0,
		.uframe_s = BF_SIM_USB_UFRAME,
		.uframe_pkts = BF_SIM_USB_UFRAME_PKTS,
		.ctl_s = 125e-6,
		.ctl_bus_s = 2e-6,
		.done_s = 40e-6,
		.sample_at = 0.5,
	};
}

int bf_sim_usb_timing_parse(struct bf_sim_usb_timing *t, const char *spec)
{
	static const struct { const char *key; size_t off; double scale; } keys[] = {
		{ "link_mb_s", offsetof(struct bf_sim_usb_timing, link_bps), 1e6 },
		{ "uframe_us", offsetof(struct bf_sim_usb_timing, uframe_s), 1e-6 },
		{ "ctl_us", offsetof(struct bf_sim_usb_timing, ctl_s), 1e-6 },
		{ "ctl_bus_us", offsetof(struct bf_sim_usb_timing, ctl_bus_s), 1e-6 },
		{ "done_us", offsetof(struct bf_sim_usb_timing, done_s), 1e-6 },
		{ "sample_at", offsetof(struct bf_sim_usb_timing, sample_at), 1 },
		{ "done_jitter_us", offsetof(struct bf_sim_usb_timing, done_jitter_s), 1e-6 },
	};
	const char *p = spec;

	while (p && *p) {
		const char *eq = strchr(p, '='), *end = strchr(p, ',');
		size_t klen, i;
		char *e;
		double v;

		if (!end)
			end = p + strlen(p);
		if (!eq || eq > end)
			return -EINVAL;
		klen = (size_t)(eq - p);
		v = strtod(eq + 1, &e);
		if (e != end || !isfinite(v) || v < 0 || v > 1e9)
			return -EINVAL;
		if (klen == 11 && !strncmp(p, "uframe_pkts", 11)) {
			if (v < 1 || v > 1000 || v != (double)(unsigned)v)
				return -EINVAL;
			t->uframe_pkts = (unsigned)v;
		} else {
			for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				if (strlen(keys[i].key) == klen && !strncmp(p, keys[i].key, klen))
					break;
			if (i == sizeof(keys) / sizeof(keys[0]))
				return -EINVAL;
			*(double *)((char *)t + keys[i].off) = v * keys[i].scale;
		}
		p = *end ? end + 1 : end;
	}
	if (t->uframe_s <= 0 || t->ctl_bus_s > t->ctl_s || t->sample_at > 1)
		return -EINVAL;
	return 0;
}

/* The host's jitter: 0 to done_jitter_s, uniform (xorshift64). */
static double jitter(struct bf_sim_usb *u)
{
	if (u->tm.done_jitter_s <= 0)
		return 0;
	return u->tm.done_jitter_s * (double)(bf_xorshift64(&u->rng) >> 11) / 9007199254740992.0;
}

/* When the host sees a bulk transfer that ended at t: done_s later plus
 * the jitter, never before one that ended earlier (they end in order). */
static double done_time(struct bf_sim_usb *u, double t)
{
	double d = t + u->tm.done_s + jitter(u);

	if (d < u->done_last)
		d = u->done_last;
	u->done_last = d;
	return d;
}

int bf_sim_usb_open(struct bf_sim *s, const struct bf_sim_usb_timing *t, struct bf_sim_usb **out)
{
	struct bf_sim_usb *u = calloc(1, sizeof(*u));

	if (!u)
		return -ENOMEM;
	u->s = s;
	if (t)
		u->tm = *t;
	else
		bf_sim_usb_timing_defaults(&u->tm);
	if (u->tm.link_bps <= 0)
		u->tm.link_bps = (double)s->cfg.link_bps;
	u->uf_start = -1;
	u->done_tail = &u->doneq;
	u->rng = 0x9e3779b97f4a7c15ull;
	*out = u;
	return 0;
}

void bf_sim_usb_close(struct bf_sim_usb *u)
{
	free(u);
}

static void unlink_pending(struct bf_sim_usb *u, struct bf_sim_urb *urb)
{
	struct bf_sim_urb **pp;

	for (pp = &u->pend; *pp; pp = &(*pp)->next)
		if (*pp == urb) {
			*pp = urb->next;
			break;
		}
	urb->next = NULL;
}

static void complete(struct bf_sim_usb *u, struct bf_sim_urb *urb, int status)
{
	unlink_pending(u, urb);
	urb->status = status;
	urb->done = true;
	*u->done_tail = urb;
	u->done_tail = &urb->next;
}

static bool is_out_bulk(const struct bf_sim_urb *urb)
{
	return urb->type == BF_SIM_URB_BULK && !(urb->ep & 0x80) && !urb->wired;
}

/* The first bulk OUT URB in submission order: the one on the link. */
static struct bf_sim_urb *link_head(struct bf_sim_usb *u)
{
	struct bf_sim_urb *p;

	for (p = u->pend; p; p = p->next)
		if (is_out_bulk(p))
			return p;
	return NULL;
}

static double pkt_time(const struct bf_sim_usb *u, size_t n)
{
	return (double)n / u->tm.link_bps;
}

/* The start of the microframe t falls in (t >= 0; no libm). */
static double uframe_of(const struct bf_sim_usb *u, double t)
{
	return (double)(uint64_t)(t / u->tm.uframe_s) * u->tm.uframe_s;
}

/* When a packet whose transfer would end at t lands: the same, unless
 * its microframe already carried uframe_pkts packets (then it goes into
 * the next microframe). */
static double pkt_slot(const struct bf_sim_usb *u, double t)
{
	double uf = uframe_of(u, t);

	if (uf == u->uf_start && u->uf_pkts >= u->tm.uframe_pkts)
		return uf + u->tm.uframe_s + (t - uf);
	return t;
}

static void pkt_landed(struct bf_sim_usb *u, double t)
{
	double uf = uframe_of(u, t);

	if (uf != u->uf_start) {
		u->uf_start = uf;
		u->uf_pkts = 0;
	}
	u->uf_pkts++;
}

static size_t pkt_len(const struct bf_sim_urb *urb)
{
	size_t left = urb->len - urb->moved;

	return left < BF_SIM_USB_PACKET ? left : BF_SIM_USB_PACKET;
}

int bf_sim_usb_submit(struct bf_sim_usb *u, struct bf_sim_urb *urb)
{
	struct bf_sim *s = u->s;
	double now = bf_sim_now(s);
	struct bf_sim_urb **pp;

	if (bf_sim_gone(s))
		return -ENODEV;
	switch (urb->type) {
	case BF_SIM_URB_CONTROL:
		if (urb->ep & 0x7f || urb->len < 8 || urb->len > 8 + 4096)
			return -EINVAL;
		urb->t_sample = (now > u->ctrl_t ? now : u->ctrl_t) + u->tm.ctl_s * u->tm.sample_at;
		u->ctrl_t = urb->t_sample + u->tm.ctl_s * (1 - u->tm.sample_at);
		urb->t_done = u->ctrl_t + u->tm.done_s + jitter(u);
		break;
	case BF_SIM_URB_BULK:
		if (urb->ep != BF_SIM_USB_EP_BOOT && urb->ep != BF_SIM_USB_EP_TM_OUT &&
		    urb->ep != BF_SIM_USB_EP_TM_IN)
			return -EINVAL;
		urb->t_sample = now;   /* submission time */
		urb->t_next = -1;
		break;
	case BF_SIM_URB_INTERRUPT:
		if (urb->ep != BF_SIM_USB_EP_TM_INT || urb->len < 8)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (urb->len > (64u << 20))
		return -EINVAL;
	urb->actual = urb->moved = 0;
	urb->status = 0;
	urb->done = urb->wired = false;
	urb->next = NULL;
	for (pp = &u->pend; *pp; pp = &(*pp)->next)
		;
	*pp = urb;
	return 0;
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* wValue:wIndex back to (channel, offset), as the device decodes them. */
static int decode_addr(const struct bf_chip *c, uint16_t wvalue, uint16_t windex,
		       uint32_t *chan, uint32_t *off)
{
	if (c->ver != BF_CHIP_BF3) {
		*chan = wvalue;
		*off = windex;
		return *chan <= 0xf ? 0 : -EINVAL;
	}
	return bf_chip_addr_split(c, (uint32_t)wvalue << 16 | windex, chan, off);
}

/* The vendor request 0 (register access) and the few standard requests a
 * host sends after enumeration. Returns 0 or -EPIPE (stall). */
static int control(struct bf_sim_usb *u, struct bf_sim_urb *urb)
{
	const uint8_t *st = urb->buf;
	uint8_t type = st[0], req = st[1], *data = urb->buf + 8;
	uint16_t wvalue = (uint16_t)get_le(st + 2, 2), windex = (uint16_t)get_le(st + 4, 2);
	size_t wlen = (size_t)get_le(st + 6, 2), room = urb->len - 8;
	const struct bf_chip *c = bf_sim_chip(u->s);
	uint32_t chan, off;
	uint64_t v = 0;

	if (wlen > room)
		return -EPIPE;
	if ((type & 0x60) == 0x40) {   /* vendor */
		if (req != 0 || (wlen != 8 && !(wlen == 4 && c->ver == BF_CHIP_BF3)))
			return -EPIPE;
		if (decode_addr(c, wvalue, windex, &chan, &off) < 0) {
			chan = 0xff;   /* no such channel: reads 0, writes ignored */
			off = 0;
		}
		if (type & 0x80) {
			if (chan != 0xff && bf_sim_read_reg(u->s, chan, off, &v) < 0)
				return -ENODEV;
			put_le(data, v, wlen);
		} else if (chan != 0xff &&
			   bf_sim_write_reg(u->s, chan, off, get_le(data, wlen)) < 0) {
			return -ENODEV;
		}
		urb->actual = wlen;
		return 0;
	}
	if ((type & 0x60) != 0)
		return -EPIPE;
	switch (req) {
	case 6: {   /* GET_DESCRIPTOR */
		uint8_t d[128];
		size_t n = bf_sim_usb_descriptors(c, d, sizeof(d)), at = 0, len = 18;

		if ((wvalue >> 8) == 2) {
			at = 18;
			len = n - 18;
		} else if ((wvalue >> 8) != 1) {
			return -EPIPE;
		}
		urb->actual = wlen < len ? wlen : len;
		memcpy(data, d + at, urb->actual);
		return 0;
	}
	case 0:     /* GET_STATUS */
		memset(data, 0, wlen < 2 ? wlen : 2);
		urb->actual = wlen < 2 ? wlen : 2;
		return 0;
	case 1: case 3: case 9: case 11:   /* CLEAR/SET_FEATURE, SET_CONFIGURATION/INTERFACE */
		urb->actual = 0;
		return 0;
	default:
		return -EPIPE;
	}
}

/* One packet of the head bulk OUT URB lands at t. Returns false when the
 * endpoint NAKed it (retry later). */
static bool out_packet(struct bf_sim_usb *u, struct bf_sim_urb *urb, double t)
{
	struct bf_sim *s = u->s;
	size_t n = pkt_len(urb), i;
	uint8_t pad[BF_SIM_USB_PACKET + 8];

	bf_sim_fifo_drain(s, t);
	if (urb->ep == BF_SIM_USB_EP_TM_OUT) {
		unsigned depth = s->chip->tm_fifo_words && s->chip->tm_fifo_words <= SIM_TM_WORDS ?
				 s->chip->tm_fifo_words : SIM_TM_WORDS;

		if (s->h2t_len + (n + 7) / 8 > depth)
			return false;
		memset(pad, 0, sizeof(pad));
		memcpy(pad, urb->buf + urb->moved, n);
		for (i = 0; i < n; i += 8)
			bf_sim_tm_h2t_push(s, bf_tmfifo_bytes_word(pad + i));
		urb->moved += n;
		return true;
	}
	/* The boot FIFO. BlueField-2 flow-controls with NAKs; BlueField-3
	 * stores what fits and loses the rest. */
	if (s->chip->ver != BF_CHIP_BF3 && s->fifo_cap - s->fifo_len < ((n + 7) & ~(size_t)7))
		return false;
	if (s->cfg.fault_unplug_after && s->boot_bytes + n >= s->cfg.fault_unplug_after) {
		n = (size_t)(s->cfg.fault_unplug_after - s->boot_bytes) & ~(size_t)7;
		s->unplugged = true;
	}
	memset(pad, 0, sizeof(pad));
	memcpy(pad, urb->buf + urb->moved, n);
	bf_sim_fifo_push(s, pad, (n + 7) & ~(size_t)7);
	urb->moved += n;
	return true;
}

/* When a NAKed packet can next be tried: when the FIFO will have drained
 * enough, at the earliest one packet time later. */
static double retry_time(struct bf_sim_usb *u, struct bf_sim_urb *urb, double t)
{
	struct bf_sim *s = u->s;
	double next = t + pkt_time(u, pkt_len(urb));
	size_t need = (pkt_len(urb) + 7) & ~(size_t)7, room = s->fifo_cap - s->fifo_len;

	if (urb->ep == BF_SIM_USB_EP_BOOT && !s->stalled && s->cfg.drain_bps && need > room) {
		double t_room = t + (double)(need - room) / (double)s->cfg.drain_bps;

		if (t_room > next)
			next = t_room;
	}
	return next;
}

/* The earliest timed event of the pending URBs, and its URB. */
static double next_timed(struct bf_sim_usb *u, struct bf_sim_urb **which)
{
	struct bf_sim_urb *p, *head = link_head(u);
	double best = -1, t;

	*which = NULL;
	for (p = u->pend; p; p = p->next) {
		if (p->type == BF_SIM_URB_CONTROL)
			t = p->moved ? p->t_done : p->t_sample;
		else if (p->wired)
			t = p->t_done;
		else if (p == head) {
			if (p->t_next < 0) {
				double start = p->t_sample > u->link_t ? p->t_sample : u->link_t;

				p->t_next = pkt_slot(u, start + pkt_time(u, pkt_len(p)));
			}
			t = p->t_next;
		} else
			continue;
		if (best < 0 || t < best) {
			best = t;
			*which = p;
		}
	}
	return best;
}

static void fail_all(struct bf_sim_usb *u, int status)
{
	while (u->pend)
		complete(u, u->pend, status);
}

/* Run every timed event up to now, then the IN endpoints. */
static void advance(struct bf_sim_usb *u)
{
	struct bf_sim *s = u->s;
	double now = bf_sim_now(s), t;
	struct bf_sim_urb *urb, *p, *nx;
	unsigned guard = 0;

	while ((t = next_timed(u, &urb)) >= 0 && t <= now && ++guard < 1000000) {
		if (bf_sim_gone(s))
			break;
		if (urb->wired) {
			complete(u, urb, 0);
			continue;
		}
		if (urb->type == BF_SIM_URB_CONTROL) {
			if (!urb->moved) {
				struct bf_sim_urb *h = link_head(u);
				int r = control(u, urb);

				/* The bus carries the control stages between
				 * bulk packets. */
				if (h && h->t_next > t)
					h->t_next += u->tm.ctl_bus_s;
				u->link_t += u->tm.ctl_bus_s;
				urb->moved = 1;   /* sampled */
				if (r < 0) {
					complete(u, urb, r);
					continue;
				}
			} else {
				complete(u, urb, 0);
			}
			continue;
		}
		if (urb->len == 0 || out_packet(u, urb, t)) {
			u->link_t = t;
			if (urb->len)
				pkt_landed(u, t);
			if (urb->moved >= urb->len) {
				urb->actual = urb->moved;
				urb->wired = true;
				urb->t_done = done_time(u, t);
			} else {
				urb->t_next = pkt_slot(u, t + pkt_time(u, pkt_len(urb)));
			}
		} else {
			u->link_t = t;
			if (s->stalled || s->phase == PH_STALLED) {
				/* NAKed until the device drains again: retried
				 * from now on, without spinning through the past. */
				urb->t_next = now + pkt_time(u, pkt_len(urb));
				break;
			}
			urb->t_next = retry_time(u, urb, t);
		}
	}
	if (bf_sim_gone(s)) {
		fail_all(u, -ENODEV);
		return;
	}
	bf_sim_tick(s);
	for (p = u->pend; p; p = nx) {
		uint64_t count = bf_sim_tm_t2h_count(s);
		size_t i, n;

		nx = p->next;
		if (!(p->ep & 0x80) || p->type == BF_SIM_URB_CONTROL || count == 0)
			continue;
		if (p->type == BF_SIM_URB_INTERRUPT) {
			put_le(p->buf, count, 8);
			p->actual = 8;
		} else {
			n = p->len / 8 < count ? p->len / 8 : (size_t)count;
			for (i = 0; i < n; i++)
				bf_tmfifo_word_bytes(bf_sim_tm_t2h_pop(s), p->buf + 8 * i);
			p->actual = 8 * n;
			if (!n)
				continue;
		}
		complete(u, p, 0);
	}
}

struct bf_sim_urb *bf_sim_usb_reap(struct bf_sim_usb *u)
{
	struct bf_sim_urb *urb;

	advance(u);
	urb = u->doneq;
	if (urb) {
		u->doneq = urb->next;
		if (!u->doneq)
			u->done_tail = &u->doneq;
		urb->next = NULL;
	}
	return urb;
}

int bf_sim_usb_discard(struct bf_sim_usb *u, struct bf_sim_urb *urb)
{
	struct bf_sim_urb *p;

	for (p = u->pend; p && p != urb; p = p->next)
		;
	if (!p)
		return -EINVAL;
	urb->actual = urb->type == BF_SIM_URB_CONTROL ? 0 : urb->moved;
	complete(u, urb, -ENOENT);
	return 0;
}

void bf_sim_usb_forget(struct bf_sim_usb *u, struct bf_sim_urb *urb)
{
	struct bf_sim_urb **pp;

	unlink_pending(u, urb);
	for (pp = &u->doneq; *pp; pp = &(*pp)->next)
		if (*pp == urb) {
			*pp = urb->next;
			break;
		}
	u->done_tail = &u->doneq;
	while (*u->done_tail)
		u->done_tail = &(*u->done_tail)->next;
}

double bf_sim_usb_next_event(struct bf_sim_usb *u)
{
	struct bf_sim_urb *urb;

	if (u->doneq)
		return bf_sim_now(u->s);
	return next_timed(u, &urb);
}

size_t bf_sim_usb_descriptors(const struct bf_chip *chip, uint8_t *buf, size_t cap)
{
	static const uint8_t tmpl[] = {
		/* device */
		18, 1, 0x00, 0x02, 0, 0, 0, 64, 0xdc, 0x22, 0, 0, 0x00, 0x01, 0, 0, 0, 1,
		/* configuration: 2 interfaces, self-powered */
		9, 2, 0, 0, 2, 1, 0, 0xc0, 0,
		/* interface 0: rshim (subclass 0), one bulk OUT: the boot FIFO */
		9, 4, 0, 0, 1, 0xff, 0, 0, 0,
		7, 5, BF_SIM_USB_EP_BOOT, 2, 0x00, 0x02, 0,
		/* interface 1: tmfifo (subclass 1): bulk IN, interrupt IN, bulk OUT */
		9, 4, 1, 0, 3, 0xff, 1, 0, 0,
		7, 5, BF_SIM_USB_EP_TM_IN, 2, 0x00, 0x02, 0,
		7, 5, BF_SIM_USB_EP_TM_INT, 3, 0x08, 0x00, 4,
		7, 5, BF_SIM_USB_EP_TM_OUT, 2, 0x00, 0x02, 0,
	};
	size_t n = sizeof(tmpl);

	if (cap < n)
		return 0;
	memcpy(buf, tmpl, n);
	buf[10] = (uint8_t)chip->usb_pid;
	buf[11] = (uint8_t)(chip->usb_pid >> 8);
	buf[18 + 2] = (uint8_t)(n - 18);
	buf[18 + 3] = (uint8_t)((n - 18) >> 8);
	return n;
}
