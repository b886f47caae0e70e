/* nic_nv.c - the simulated NIC's NV configuration (spec 3.10, 4): TLVs by
 * type dword with factory defaults, the values stored for the next boot
 * ("next", what MNVDA SET writes) and the values in effect ("current",
 * copied from next at each reset), the capability TLVs (read-only), and the
 * firmware's own range checks against them (status 0x20, bad config).
 * Per-PF TLVs (class 3) written with function 0 apply to the function that
 * writes them, so 03:00.0 and 03:00.1 each have their own.
 * The firmware knows its TLV layouts independently of bfctl's parameter
 * database (firmware/params.yaml), so tests compare the two. */
#include "config.h"
#include "nic_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nvdef { uint32_t type; uint8_t size; bool cap; };
struct nvfield { uint32_t type; uint8_t off, lsb, width; uint32_t val; };

static const struct nvdef tlvs[] = {
	{ 0x00000002, 16, true }, { 0x00000003, 8, true },      /* nv_base_mac_guid / cap (read-only here) */
	{ 0x0000000C, 16, false }, { 0x0000000D, 16, true },    /* nv_internal_cpu_conf / cap */
	{ 0x00000080, 12, false }, { 0x00000081, 20, true },    /* nv_global_pci_conf / cap */
	{ 0x00000088, 4, false }, { 0x00000089, 4, true },      /* nv_power_conf / cap (LAG) */
	{ 0x0000008D, 4, false }, { 0x0000008E, 4, true },      /* nv_emulation_pci_switch_conf / cap */
	{ 0x00000090, 32, false }, { 0x00000091, 16, true },    /* nv_emulation_virtio_net_conf / cap */
	{ 0x00000101, 4, true },                                /* nv_rom_cap */
	{ 0x01010012, 4, false }, { 0x01020012, 4, false },     /* nv_vpi_link_type, ports 1 and 2 */
	{ 0x03000080, 16, false },                              /* nv_pf_pci_conf (per PF) */
	{ 0x03000196, 4, false }, { 0x03000206, 4, false },     /* nv_rom_uefi_conf, _debug_level */
	{ 0x07000080, 4, false }, { 0x07000081, 4, true },      /* nv_pci_conf / cap (per host) */
};

/* Factory values (fields not listed are 0). */
static const struct nvfield defaults[] = {
	{ 0x0C, 0x0, 0, 4, 1 },                                /* EMBEDDED_CPU (DPU mode) */
	{ 0x0D, 0x0, 31, 1, 1 }, { 0x0D, 0x0, 30, 1, 1 }, { 0x0D, 0x0, 25, 1, 1 },
	{ 0x80, 0x0, 31, 1, 1 }, { 0x80, 0x4, 31, 1, 1 }, { 0x80, 0x4, 0, 16, 16 },   /* SR-IOV, 16 VFs */
	{ 0x80, 0x0, 28, 1, 1 }, { 0x80, 0x4, 16, 8, 2 },                            /* 2 PFs */
	{ 0x80, 0x0, 27, 1, 1 }, { 0x80, 0x8, 22, 10, 11 },                          /* 11 MSI-X per VF */
	{ 0x80, 0x8, 12, 10, 63 },                                                   /* NUM_PF_MSIX */
	{ 0x81, 0x0, 31, 1, 1 }, { 0x81, 0x4, 0, 16, 127 }, { 0x81, 0x4, 31, 1, 1 },  /* max 127 VFs */
	{ 0x81, 0x4, 16, 8, 4 }, { 0x81, 0x4, 27, 1, 1 }, { 0x81, 0x4, 28, 1, 1 },   /* 4 PFs, BAR2, hide */
	{ 0x81, 0x0, 14, 1, 1 }, { 0x81, 0x0, 13, 1, 1 }, { 0x81, 0x0, 27, 1, 1 },
	{ 0x81, 0x0, 26, 1, 1 }, { 0x81, 0x8, 22, 10, 127 }, { 0x81, 0xC, 0, 16, 4096 },
	{ 0x89, 0x0, 21, 1, 1 },                                                     /* LAG pre-allocation */
	{ 0x8E, 0x0, 31, 1, 1 }, { 0x8E, 0x0, 0, 8, 32 },                            /* PCIe switch, 32 ports */
	{ 0x91, 0x0, 31, 1, 1 }, { 0x91, 0x4, 0, 16, 1008 }, { 0x91, 0x4, 16, 8, 31 },
	{ 0x101, 0x0, 26, 1, 1 }, { 0x101, 0x0, 28, 1, 1 },
	{ 0x01010012, 0x0, 2, 2, 2 }, { 0x01020012, 0x0, 2, 2, 2 },                  /* ETH */
	{ 0x03000196, 0x0, 31, 1, 1 },                                               /* UEFI HII */
	{ 0x07000080, 0x0, 25, 1, 1 },                                               /* UEFI x86 ROM */
	{ 0x07000081, 0x0, 17, 1, 1 }, { 0x07000081, 0x0, 25, 1, 1 },
};

/* What the firmware refuses: a field above the capability that bounds it. */
static const struct { uint32_t conf; uint8_t off, lsb, width; uint32_t cap; uint8_t coff, clsb, cwidth; } checks[] = {
	{ 0x80, 0x4, 0, 16, 0x81, 0x4, 0, 16 },     /* total_vfs <= max_vfs_per_pf */
	{ 0x80, 0x4, 16, 8, 0x81, 0x4, 16, 8 },     /* num_pfs <= max_num_pfs */
	{ 0x80, 0x8, 22, 10, 0x81, 0x8, 22, 10 },   /* num_vf_msix <= max_num_vf_msix */
	{ 0x8D, 0x0, 0, 8, 0x8E, 0x0, 0, 8 },       /* switch ports */
	{ 0x90, 0x4, 0, 16, 0x91, 0x4, 0, 16 },     /* virtio-net VFs */
	{ 0x90, 0x4, 16, 8, 0x91, 0x4, 16, 8 },     /* virtio-net PFs */
};

static const struct nvdef *find_def(uint32_t type)
{
	size_t i;

	for (i = 0; i < sizeof(tlvs) / sizeof(tlvs[0]); i++)
		if (tlvs[i].type == type)
			return &tlvs[i];
	return NULL;
}

/* The factory TLV of a known type (per-PF types by their function-0 form). */
static void factory(const struct nic_core *c, uint32_t type, struct nic_tlv *t)
{
	uint32_t base = (type >> 24) == BF_FW_NV_CLASS_HOST_PF ? type & ~(0xffu << 10) : type;
	const struct nvdef *d = find_def(base);
	size_t i;

	memset(t, 0, sizeof(*t));
	t->type = type;
	t->len = d ? d->size : 0;
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (defaults[i].type == base)
			bf_fw_bits_set(t->data, defaults[i].off, defaults[i].lsb, defaults[i].width, defaults[i].val);
	if (base == 0x91 && c->fn[0].q.hide_virtio_cap)
		bf_fw_bits_set(t->data, 0, 31, 1, 0);
	if (base == 0x2) {
		/* The manufacturing base MAC, and the GUID formed from it
		 * (MAC[0:3] 03 00 MAC[3:6]), as MGIR reports them. */
		uint64_t mac = c->chip->base_mac, guid = (mac >> 24) << 40 | 0x0300ull << 24 | (mac & 0xffffff);

		bf_fw_put32(t->data, 0x0, (uint32_t)(mac >> 32));
		bf_fw_put32(t->data, 0x4, (uint32_t)mac);
		bf_fw_put32(t->data, 0x8, (uint32_t)(guid >> 32));
		bf_fw_put32(t->data, 0xC, (uint32_t)guid);
	}
	if (base == 0x3)
		bf_fw_put32(t->data, 0x0, 3u << 30);   /* mac_en, guid_en; no count allocated */
}

static struct nic_tlv *set_find(struct nic_nvset *s, uint32_t type)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].type == type)
			return &s->v[i];
	return NULL;
}

static struct nic_tlv *set_put(struct nic_nvset *s, const struct nic_tlv *t)
{
	struct nic_tlv *x = set_find(s, t->type);

	if (!x) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			struct nic_tlv *v = realloc(s->v, cap * sizeof(*v));

			if (!v)
				return NULL;
			s->v = v;
			s->cap = cap;
		}
		x = &s->v[s->n++];
	}
	*x = *t;
	return x;
}

static void set_del(struct nic_nvset *s, uint32_t type)
{
	struct nic_tlv *x = set_find(s, type);

	if (x) {
		*x = s->v[s->n - 1];
		s->n--;
	}
}

void bf_sim_nic_nv_init(struct nic_core *c)
{
	memset(&c->next, 0, sizeof(c->next));
	memset(&c->current, 0, sizeof(c->current));
}

void bf_sim_nic_nv_free(struct nic_core *c)
{
	free(c->next.v);
	free(c->current.v);
	bf_sim_nic_nv_init(c);
}

void bf_sim_nic_nv_apply_next(struct nic_core *c)
{
	size_t i;

	c->current.n = 0;
	for (i = 0; i < c->next.n; i++)
		set_put(&c->current, &c->next.v[i]);
}

/* The type the store keys on: a per-PF TLV for "function 0, host 0" is the
 * writer's own function. */
static uint32_t key(const struct bf_sim_nic *n, uint32_t type)
{
	if ((type >> 24) == BF_FW_NV_CLASS_HOST_PF && !(type & (0xffu << 10)) && !(type & (0x3fu << 18)))
		return type | (uint32_t)n->fn << 10;
	return type;
}

static bool known(uint32_t type, bool *cap)
{
	uint32_t base = (type >> 24) == BF_FW_NV_CLASS_HOST_PF ? type & ~(0xffu << 10) : type;
	const struct nvdef *d = find_def(base);

	if (cap)
		*cap = d && d->cap;
	return d != NULL;
}

/* The factory value (which 0), the one in effect (1, current) or the one
 * the next reset loads (2, next); a TLV never written is at its default. */
static void lookup(struct nic_core *c, uint32_t type, int which, struct nic_tlv *t)
{
	struct nic_tlv *x = NULL;

	if (which == 2)
		x = set_find(&c->next, type);
	else if (which == 1)
		x = set_find(&c->current, type);
	if (x)
		*t = *x;
	else
		factory(c, type, t);
}

static unsigned fw_check(struct nic_core *c, const struct nic_tlv *t)
{
	size_t i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		struct nic_tlv cap;

		if (checks[i].conf != t->type)
			continue;
		factory(c, checks[i].cap, &cap);
		if (bf_fw_bits_get(t->data, checks[i].off, checks[i].lsb, checks[i].width) >
		    bf_fw_bits_get(cap.data, checks[i].coff, checks[i].clsb, checks[i].cwidth))
			return 0x20;
	}
	return 0;
}

int bf_sim_nic_reg_mnvda(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct nic_core *c = n->core;
	struct bf_fw_mnvda m;
	struct nic_tlv t;
	bool cap;

	(void)exec;
	bf_fw_unpack(&bf_fw_mnvda_layout, p, &m);
	t.type = key(n, m.type);
	if (!known(t.type, &cap))
		return method == BF_FW_METHOD_GET ? 0x8 : 0x3;
	if (method == BF_FW_METHOD_SET) {
		struct nic_tlv f;
		unsigned st;

		if (cap)
			return 0x6;   /* capabilities are read-only */
		factory(c, t.type, &f);
		if (m.length > f.len)
			return 0x7;
		memset(t.data, 0, sizeof(t.data));
		memcpy(t.data, m.data, m.length);
		t.len = f.len;
		if ((st = fw_check(c, &t)))
			return (int)st;
		return set_put(&c->next, &t) ? 0 : 0x70;
	}
	if (method != BF_FW_METHOD_GET)
		return 0x6;
	lookup(c, t.type, m.def ? 0 : m.read_current ? 1 : 2, &t);
	m.length = t.len;
	m.writer_id = BF_FW_NV_WRITER_MLXCONFIG;
	memset(m.data, 0, sizeof(m.data));
	memcpy(m.data, t.data, t.len);
	bf_fw_pack(&bf_fw_mnvda_layout, &m, p);
	return 0;
}

int bf_sim_nic_reg_mnvdi(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct bf_fw_mnvda m;
	bool cap;

	(void)exec;
	if (method != BF_FW_METHOD_SET)
		return 0x6;
	bf_fw_unpack(&bf_fw_mnvdi_layout, p, &m);
	if (!known(key(n, m.type), &cap) || cap)
		return 0x7;
	set_del(&n->core->next, key(n, m.type));
	return 0;
}

int bf_sim_nic_reg_mnvia(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct bf_fw_mnvia m;

	(void)exec;
	if (method != BF_FW_METHOD_SET)
		return 0x6;
	bf_fw_unpack(&bf_fw_mnvia_layout, p, &m);
	if (m.target != 0)
		return 0x7;
	n->core->next.n = 0;   /* every TLV back to its default at the next boot */
	return 0;
}

int bf_sim_nic_reg_mnvqc(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct bf_fw_mnvqc m;
	bool cap;

	(void)exec;
	if (method != BF_FW_METHOD_GET)
		return 0x6;
	bf_fw_unpack(&bf_fw_mnvqc_layout, p, &m);
	m.support_rd = known(key(n, m.type), &cap);
	m.support_wr = m.support_rd && !cap;
	m.version = 0;
	m.host_id_valid = 0;
	bf_fw_pack(&bf_fw_mnvqc_layout, &m, p);
	return 0;
}

int bf_sim_nic_reg_mnvgc(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct bf_fw_mnvgc m = { .nvda_read_factory_settings = 1, .nvda_read_current_settings = 1 };

	(void)n;
	(void)exec;
	if (method != BF_FW_METHOD_GET)
		return 0x6;
	bf_fw_pack(&bf_fw_mnvgc_layout, &m, p);
	return 0;
}

json_object *bf_sim_nic_nv_save(const struct nic_nvset *set)
{
	json_object *o = json_object_new_object();
	size_t i, j;

	for (i = 0; i < set->n; i++) {
		char k[16], hex[2 * BF_FW_NV_DATA_MAX + 1];

		snprintf(k, sizeof(k), "0x%08x", set->v[i].type);
		for (j = 0; j < set->v[i].len && j < BF_FW_NV_DATA_MAX; j++)
			snprintf(hex + 2 * j, 3, "%02x", set->v[i].data[j]);
		hex[2 * j] = '\0';
		json_object_object_add(o, k, json_object_new_string(hex));
	}
	return o;
}

/* State files are input: unknown types, odd or oversized data are dropped. */
void bf_sim_nic_nv_load(struct nic_nvset *set, json_object *o)
{
	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, k, v) {
		struct nic_tlv t;
		const char *h;
		size_t len, j;

		if (!json_object_is_type(v, json_type_string))
			continue;
		h = json_object_get_string(v);
		len = strlen(h);
		memset(&t, 0, sizeof(t));
		t.type = (uint32_t)strtoul(k, NULL, 16);
		if (len % 2 || len / 2 > BF_FW_NV_DATA_MAX || !known(t.type, NULL))
			continue;
		for (j = 0; j < len / 2; j++) {
			char b[3] = { h[2 * j], h[2 * j + 1], 0 };

			t.data[j] = (uint8_t)strtoul(b, NULL, 16);
		}
		t.len = (uint16_t)(len / 2);
		set_put(set, &t);
	}
}
