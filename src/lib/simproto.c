/* simproto.c - encoding and parsing of the simulated-device messages (see
 * simproto.h and doc/sim-protocol.md). */
#include "config.h"
#include "simproto.h"

#include <errno.h>
#include <string.h>

#define FIFO_MAX  65536u
#define CFG_MAX   4096u

struct layout {
	uint8_t n;            /* fixed fields */
	uint8_t w[6];         /* their widths: 4 or 8 bytes */
	uint32_t data_max;    /* 0: no data */
};

static const struct layout req_layout[BF_SIMPROTO_OP_END] = {
	[BF_SIMPROTO_HELLO] = { 3, { 4, 4, 4 }, 0 },
	[BF_SIMPROTO_REG_READ] = { 2, { 4, 4 }, 0 },
	[BF_SIMPROTO_REG_WRITE] = { 3, { 4, 4, 8 }, 0 },
	[BF_SIMPROTO_BOOT_WRITE] = { 0, { 0 }, BF_SIMPROTO_MAX_DATA },
	[BF_SIMPROTO_FIFO_READ] = { 1, { 4 }, 0 },
	[BF_SIMPROTO_FIFO_WRITE] = { 0, { 0 }, FIFO_MAX },
	[BF_SIMPROTO_CFG_READ] = { 2, { 4, 4 }, 0 },
	[BF_SIMPROTO_CFG_WRITE] = { 1, { 4 }, CFG_MAX },
	[BF_SIMPROTO_TIME] = { 0, { 0 }, 0 },
};

static const struct layout rep_layout[BF_SIMPROTO_OP_END] = {
	[BF_SIMPROTO_HELLO] = { 6, { 4, 4, 4, 4, 8, 8 }, 0 },
	[BF_SIMPROTO_REG_READ] = { 1, { 8 }, 0 },
	[BF_SIMPROTO_REG_WRITE] = { 0, { 0 }, 0 },
	[BF_SIMPROTO_BOOT_WRITE] = { 1, { 4 }, 0 },
	[BF_SIMPROTO_FIFO_READ] = { 0, { 0 }, FIFO_MAX },
	[BF_SIMPROTO_FIFO_WRITE] = { 1, { 4 }, 0 },
	[BF_SIMPROTO_CFG_READ] = { 0, { 0 }, CFG_MAX },
	[BF_SIMPROTO_CFG_WRITE] = { 0, { 0 }, 0 },
	[BF_SIMPROTO_TIME] = { 1, { 8 }, 0 },
};

static const struct layout *layout_of(uint16_t op, bool reply)
{
	if (op == 0 || op >= BF_SIMPROTO_OP_END)
		return NULL;
	return reply ? &rep_layout[op] : &req_layout[op];
}

unsigned bf_simproto_nfields(uint16_t op, bool reply)
{
	const struct layout *l = layout_of(op, reply);

	return l ? l->n : 0;
}

static uint64_t get_le(const uint8_t *p, unsigned w)
{
	uint64_t v = 0;

	while (w--)
		v = v << 8 | p[w];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, unsigned w)
{
	unsigned i;

	for (i = 0; i < w; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static size_t fixed_size(const struct layout *l)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < l->n; i++)
		n += l->w[i];
	return n;
}

long bf_simproto_parse(const uint8_t *buf, size_t len, bool reply, struct bf_simproto_msg *m)
{
	const struct layout *l;
	uint32_t body;
	uint16_t op;
	size_t off = BF_SIMPROTO_HDR, fixed;
	unsigned i;

	if (len < BF_SIMPROTO_HDR)
		return 0;
	body = (uint32_t)get_le(buf, 4);
	op = (uint16_t)get_le(buf + 4, 2);
	if (get_le(buf + 6, 2) != 0 || !!(op & BF_SIMPROTO_REPLY) != reply || body > BF_SIMPROTO_MAX_MSG - BF_SIMPROTO_HDR)
		return -EPROTO;
	op &= (uint16_t)~BF_SIMPROTO_REPLY;
	if (!(l = layout_of(op, reply)))
		return -EPROTO;
	memset(m, 0, sizeof(*m));
	m->op = op;
	m->reply = reply;
	if (reply) {
		if (body < 4)
			return -EPROTO;
	}
	if (len - BF_SIMPROTO_HDR < body)
		return 0;
	if (reply) {
		m->status = (uint32_t)get_le(buf + off, 4);
		off += 4;
		if (m->status) {
			/* An errno and its sentence, nothing else. */
			if (m->status > 4095 || body - 4 > BF_SIMPROTO_MAX_TEXT)
				return -EPROTO;
			m->data = buf + off;
			m->len = body - 4;
			return (long)(BF_SIMPROTO_HDR + body);
		}
	}
	fixed = fixed_size(l);
	if (BF_SIMPROTO_HDR + body < off + fixed)
		return -EPROTO;
	for (i = 0; i < l->n; i++) {
		m->f[i] = get_le(buf + off, l->w[i]);
		off += l->w[i];
	}
	m->len = BF_SIMPROTO_HDR + body - off;
	if (m->len > l->data_max)
		return -EPROTO;
	m->data = m->len ? buf + off : NULL;
	return (long)(BF_SIMPROTO_HDR + body);
}

long bf_simproto_put(uint8_t *out, size_t cap, uint16_t op, bool reply, uint32_t status,
		     const uint64_t *f, const void *data, size_t len)
{
	const struct layout *l = layout_of(op, reply);
	size_t off = BF_SIMPROTO_HDR, total;
	unsigned i;

	if (!l || (reply && status > 4095) || (!reply && status))
		return -EINVAL;
	if (reply && status) {
		if (len > BF_SIMPROTO_MAX_TEXT)
			len = BF_SIMPROTO_MAX_TEXT;
	} else if (len > l->data_max) {
		return -EINVAL;
	}
	total = BF_SIMPROTO_HDR + (reply ? 4 : 0) + (reply && status ? 0 : fixed_size(l)) + len;
	if (total > cap)
		return -EINVAL;
	put_le(out, total - BF_SIMPROTO_HDR, 4);
	put_le(out + 4, op | (reply ? BF_SIMPROTO_REPLY : 0), 2);
	put_le(out + 6, 0, 2);
	if (reply) {
		put_le(out + off, status, 4);
		off += 4;
	}
	if (!(reply && status))
		for (i = 0; i < l->n; i++) {
			put_le(out + off, f ? f[i] : 0, l->w[i]);
			off += l->w[i];
		}
	if (len)
		memcpy(out + off, data, len);
	return (long)total;
}
