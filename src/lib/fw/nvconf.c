/* fw/nvconf.c - NV configuration through the NV registers (spec 3.10). */
#include "config.h"
#include "fw/nvconf.h"
#include "fw/reg.h"
#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { NV_NEXT, NV_CURRENT, NV_DEFAULT, NV_KINDS };

struct bf_fw_nvtlv {
	uint32_t type;
	bool loaded[NV_KINDS], dirty, rd, wr, queried;
	uint16_t len;
	uint8_t data[NV_KINDS][BF_FW_NV_DATA_MAX];
};

int bf_fw_nvconf_open(struct bf_fw_nvconf *c, struct bf_fw_dev *d, const struct bf_fw_params *db)
{
	struct bf_fw_mnvgc g = { 0 };
	struct bf_fw_mgir m;
	unsigned st;
	int r;

	memset(c, 0, sizeof(*c));
	c->d = d;
	c->db = db;
	/* Ports: MGIR num_ports, or 8 if MGIR fails (as mlxconfig). */
	c->nports = bf_fw_dev_mgir(d, &m) == 0 && m.num_ports ? m.num_ports : 8;
	if (c->nports > 8)
		c->nports = 8;
	if ((r = bf_fw_reg(&d->icmd, &bf_fw_mnvgc_layout, BF_FW_METHOD_GET, &g, &st)) < 0)
		return r;
	c->has_default = st == 0 && g.nvda_read_factory_settings;
	c->has_current = st == 0 && g.nvda_read_current_settings;
	return 0;
}

void bf_fw_nvconf_close(struct bf_fw_nvconf *c)
{
	free(c->t);
	memset(c, 0, sizeof(*c));
}

static struct bf_fw_nvtlv *tlv(struct bf_fw_nvconf *c, uint32_t type)
{
	size_t i;

	for (i = 0; i < c->nt; i++)
		if (c->t[i].type == type)
			return &c->t[i];
	if (c->nt == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct bf_fw_nvtlv *t = realloc(c->t, cap * sizeof(*t));

		if (!t)
			return NULL;
		c->t = t;
		c->cap = cap;
	}
	memset(&c->t[c->nt], 0, sizeof(c->t[0]));
	c->t[c->nt].type = type;
	return &c->t[c->nt++];
}

/* MNVDA GET of one kind; "resource not available" reads as all zeros. */
static int load(struct bf_fw_nvconf *c, struct bf_fw_nvtlv *t, int kind)
{
	struct bf_fw_mnvda m = { .length = BF_FW_NV_DATA_MAX, .over_en = 1, .writer_id = BF_FW_NV_WRITER_MLXCONFIG,
				 .type = t->type };
	unsigned st;
	int r;

	if (t->loaded[kind])
		return 0;
	m.def = kind == NV_DEFAULT;
	m.read_current = kind == NV_CURRENT;
	if ((r = bf_fw_reg_sized(&c->d->icmd, &bf_fw_mnvda_layout, BF_FW_METHOD_GET, &m, BF_FW_NV_HDR_SIZE,
				 bf_fw_mnvda_layout.size, &st)) < 0)
		return r;
	if (st && st != 0x8)
		return bf_error_ret(EREMOTEIO, "reading TLV 0x%08x of %s: %s (register status 0x%x)", t->type, c->d->name,
				    bf_fw_reg_status_text(st), st);
	memset(t->data[kind], 0, BF_FW_NV_DATA_MAX);
	if (st == 0) {
		size_t n = m.length < BF_FW_NV_DATA_MAX ? m.length : BF_FW_NV_DATA_MAX;

		memcpy(t->data[kind], m.data, n);
		if (n > t->len)
			t->len = (uint16_t)n;
	}
	t->loaded[kind] = true;
	return 0;
}

static int query(struct bf_fw_nvconf *c, struct bf_fw_nvtlv *t)
{
	struct bf_fw_mnvqc q = { .type = t->type };
	unsigned st;
	int r;

	if (t->queried)
		return 0;
	if ((r = bf_fw_reg(&c->d->icmd, &bf_fw_mnvqc_layout, BF_FW_METHOD_GET, &q, &st)) < 0)
		return r;
	t->rd = st == 0 && q.support_rd;
	t->wr = st == 0 && q.support_wr;
	t->queried = true;
	return 0;
}

/* A capability field's value (0 when the device does not have the TLV). */
static int cap_field(struct bf_fw_nvconf *c, const struct bf_fw_fref *f, uint32_t *v)
{
	struct bf_fw_nvtlv *t = tlv(c, bf_fw_fref_type(c->db, f));
	int r;

	if (!t)
		return -ENOMEM;
	if ((r = load(c, t, NV_NEXT)) < 0)
		return r;
	*v = bf_fw_bits_get(t->data[NV_NEXT], f->off, f->lsb, f->width);
	if (f->has_valid && !bf_fw_bits_get(t->data[NV_NEXT], f->valid_off, f->valid_lsb, 1))
		*v = 0;
	return 0;
}

int bf_fw_nvconf_get(struct bf_fw_nvconf *c, const struct bf_fw_param *p, unsigned port, struct bf_fw_nvitem *it)
{
	struct bf_fw_nvtlv *t = tlv(c, bf_fw_param_type(c->db, p, port));
	uint32_t v;
	int r;

	memset(it, 0, sizeof(*it));
	if (!t)
		return -ENOMEM;
	it->p = p;
	it->port = port;
	bf_fw_param_name(p, port, it->name, sizeof(it->name));
	it->supported = true;
	it->max = p->max;
	if (p->supported.set) {
		if ((r = cap_field(c, &p->supported, &v)) < 0)
			return r;
		it->supported = v != 0;
	}
	if (p->max_cap.set) {
		if ((r = cap_field(c, &p->max_cap, &v)) < 0)
			return r;
		if (v < it->max)
			it->max = v;
	}
	if ((r = query(c, t)) < 0)
		return r;
	if (!t->rd)
		it->supported = false;
	it->ro = !t->wr;
	if (!it->supported)
		return 0;
	if ((r = load(c, t, NV_NEXT)) < 0 || (c->has_current && (r = load(c, t, NV_CURRENT)) < 0) ||
	    (c->has_default && (r = load(c, t, NV_DEFAULT)) < 0))
		return r;
	it->next = bf_fw_bits_get(t->data[NV_NEXT], p->off, p->lsb, p->width);
	it->cur = c->has_current ? bf_fw_bits_get(t->data[NV_CURRENT], p->off, p->lsb, p->width) : it->next;
	it->def = c->has_default ? bf_fw_bits_get(t->data[NV_DEFAULT], p->off, p->lsb, p->width) : it->next;
	return 0;
}

int bf_fw_nvconf_stage(struct bf_fw_nvconf *c, struct bf_fw_nvitem *it, uint32_t v)
{
	const struct bf_fw_param *p = it->p;
	struct bf_fw_nvtlv *t = tlv(c, bf_fw_param_type(c->db, p, it->port));

	if (!t)
		return -ENOMEM;
	if (!it->supported)
		return bf_error_ret(ENOTSUP, "%s is not supported by the firmware of %s", it->name, c->d->name);
	if (it->ro)
		return bf_error_ret(EACCES, "%s is read-only on %s", it->name, c->d->name);
	if (v < p->min || v > it->max)
		return bf_error_ret(EINVAL, "%s: %u is out of range: %s allows %u to %u", it->name, v, c->d->name,
				    p->min, it->max);
	bf_fw_bits_set(t->data[NV_NEXT], p->off, p->lsb, p->width, v);
	if (p->valid.set)
		bf_fw_bits_set(t->data[NV_NEXT], p->valid.off, p->valid.lsb, 1, 1);
	t->dirty = true;
	it->staged = true;
	it->value = v;
	return 0;
}

int bf_fw_nvconf_commit(struct bf_fw_nvconf *c)
{
	size_t i, j;
	int r;

	for (i = 0; i < c->nt; i++) {
		struct bf_fw_nvtlv *t = &c->t[i];
		struct bf_fw_mnvda m = { .over_en = 1, .writer_id = BF_FW_NV_WRITER_MLXCONFIG, .type = t->type };
		unsigned st, size = 0;

		if (!t->dirty)
			continue;
		/* The TLV's size: the database's, else what the device returned. */
		for (j = 0; j < c->db->ntlvs; j++)
			if (bf_fw_nv_type(c->db->tlvs[j].cls, c->db->tlvs[j].index,
					  c->db->tlvs[j].cls == BF_FW_NV_CLASS_PORT ? (t->type >> 16) & 0xff : 0, 0, 0) == t->type)
				size = c->db->tlvs[j].size;
		if (!size)
			size = t->len;
		m.length = (uint16_t)size;
		memcpy(m.data, t->data[NV_NEXT], size);
		if ((r = bf_fw_reg_sized(&c->d->icmd, &bf_fw_mnvda_layout, BF_FW_METHOD_SET, &m, BF_FW_NV_HDR_SIZE + size,
					 BF_FW_NV_HDR_SIZE, &st)) < 0)
			return r;
		if (st == 0x20)
			return bf_error_ret(EINVAL, "%s rejected the configuration of TLV 0x%08x (bad config: a value "
					    "above what the device allows)", c->d->name, t->type);
		if (st)
			return bf_error_ret(EREMOTEIO, "writing TLV 0x%08x of %s: %s (register status 0x%x)", t->type,
					    c->d->name, bf_fw_reg_status_text(st), st);
		t->dirty = false;
	}
	return 0;
}

int bf_fw_nvconf_reset_all(struct bf_fw_nvconf *c)
{
	struct bf_fw_mnvia m = { 0 };

	return bf_fw_reg(&c->d->icmd, &bf_fw_mnvia_layout, BF_FW_METHOD_SET, &m, NULL);
}

int bf_fw_nvconf_prepare_reset(struct bf_fw_nvconf *c, bool *prepared, bool *dpu_mode)
{
	const struct bf_fw_param *engine = NULL, *shutdown = NULL;
	struct bf_fw_mfrl m = { .reset_trigger = 0x48 };
	struct bf_fw_nvitem it;
	unsigned port, st;
	int r;

	*prepared = *dpu_mode = false;
	/* DPU mode: INTERNAL_CPU_OFFLOAD_ENGINE=0 and INT_CPU_AUTO_SHUTDOWN != 0. */
	engine = bf_fw_params_find(c->db, "INTERNAL_CPU_OFFLOAD_ENGINE", c->nports, &port);
	shutdown = bf_fw_params_find(c->db, "INT_CPU_AUTO_SHUTDOWN", c->nports, &port);
	bf_error_clear();
	if (engine && shutdown) {
		uint32_t e, s;

		if ((r = bf_fw_nvconf_get(c, engine, 0, &it)) < 0)
			return r;
		e = it.supported ? it.cur : 1;
		if ((r = bf_fw_nvconf_get(c, shutdown, 0, &it)) < 0)
			return r;
		s = it.cur;
		*dpu_mode = e == 0 && s != 0;
	}
	if (*dpu_mode)
		return 0;
	if ((r = bf_fw_reg(&c->d->icmd, &bf_fw_mfrl_layout, BF_FW_METHOD_SET, &m, &st)) < 0)
		return r;
	*prepared = st == 0;
	return 0;
}
