/* fw/fs4.c - the FS4 image parser (layout in fw/fs4.h). The buffer is
 * hostile: every offset and length read from it is bounded before use,
 * and every failure names what is wrong and its offset in the buffer. */
#include "config.h"
#include "fw/fs4.h"
#include "error.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

const uint32_t bf_fw_fs4_magic[4] = { 0x4d544657u, 0xabcdef00u, 0xfade1234u, 0x5678deadu };
const uint32_t bf_fw_fs4_starts[BF_FW_FS4_NSTARTS] = {
	0, 0x10000, 0x20000, 0x40000, 0x80000, 0x100000, 0x200000, 0x400000, 0x800000, 0x1000000, 0x2000000,
};

static const char *const ptr_names[BF_FW_FS4_HW_PTR_COUNT] = {
	"boot record", "BOOT2", "TOC", "tools area", "authentication start", "authentication end", "digest",
	"digest recovery key", "FW window start", "FW window end", "IMAGE_INFO", "image signature", "public key",
	"FW security version", "GCM IV delta", "hashes table",
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The FS4 CRC-16 (polynomial 0x100b) feeds the dwords' bits, most
 * significant first, into a register that starts at 0xffff, then 16 zero
 * bits, and inverts. That equals the direct form over the same bytes in
 * memory order from the register's start pushed through 16 zero bits
 * (crc16_start), without the flush at the end: a byte at a time through a
 * table. */
#define CRC16_POLY 0x100bu
static uint16_t crc16_table[256], crc16_start;
static pthread_once_t crc16_once = PTHREAD_ONCE_INIT;

static uint32_t crc16_zeros(uint32_t crc, int nbits)
{
	while (nbits-- > 0)
		crc = (crc & 0x8000 ? (crc << 1) ^ CRC16_POLY : crc << 1) & 0xffff;
	return crc;
}

static void crc16_init(void)
{
	unsigned i;

	for (i = 0; i < 256; i++)
		crc16_table[i] = (uint16_t)crc16_zeros(i << 8, 8);
	crc16_start = (uint16_t)crc16_zeros(0xffff, 16);
}

uint16_t bf_fw_fs4_crc16(const uint8_t *p, size_t ndw)
{
	uint32_t crc;
	size_t i;

	pthread_once(&crc16_once, crc16_init);
	crc = crc16_start;
	for (i = 0; i < 4 * ndw; i++)
		crc = ((crc << 8) ^ crc16_table[(crc >> 8 ^ p[i]) & 0xff]) & 0xffff;
	return (uint16_t)(crc ^ 0xffff);
}

uint16_t bf_fw_fs4_hw_crc(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffff;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= i < 2 ? (uint8_t)~p[i] : p[i];
		for (b = 0; b < 8; b++)
			crc = crc & 1 ? (crc >> 1) ^ 0xd008 : crc >> 1;
	}
	return (uint16_t)((crc << 8 & 0xff00) | (crc >> 8 & 0xff));
}

/* off and off+n within len, without overflow. */
static bool fits(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

/* Device- and file-made text: printable ASCII up to the first NUL. */
static void text(char *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[i] = '\0';
}

static bool magic_at(const uint8_t *p)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		if (be32(p + 4 * i) != bf_fw_fs4_magic[i])
			return false;
	return true;
}

int bf_fw_fs4_find(const uint8_t *buf, size_t len, uint32_t *start)
{
	unsigned i;

	for (i = 0; i < BF_FW_FS4_NSTARTS; i++)
		if (fits(len, bf_fw_fs4_starts[i], BF_FW_FS4_MAGIC_LEN) && magic_at(buf + bf_fw_fs4_starts[i])) {
			*start = bf_fw_fs4_starts[i];
			return 0;
		}
	return -ENOENT;
}

struct ctx {
	const uint8_t *buf;      /* the whole buffer */
	size_t len;
	const uint8_t *img;      /* buf + start */
	size_t ilen;
	uint32_t start;
	struct bf_fw_fs4_info *fi;
	unsigned dtoc_offset;    /* IMAGE_INFO's: where the device sector is */
	uint64_t hi;             /* the end of everything read, from start */
	unsigned devinfo;        /* valid DEV_INFO sections in the DTOC */
};

static void extent(struct ctx *c, uint64_t off, uint64_t n)
{
	if (off + n > c->hi)
		c->hi = off + n;
}

static int crc_bad(struct ctx *c, const char *what, size_t at, unsigned got, unsigned want)
{
	c->fi->bad_crc = true;
	return bf_error_ret(EBADMSG, "FS4 image: the %s at 0x%zx is damaged (CRC 0x%04x, computed 0x%04x)", what, at,
			    got, want);
}

static int truncated(struct ctx *c, const char *what, uint64_t at, uint64_t n)
{
	return bf_error_ret(EBADMSG, "FS4 image: the %s at 0x%llx (0x%llx bytes) lies past the end of the image "
			    "(0x%zx bytes): truncated or a bad pointer", what, (unsigned long long)at,
			    (unsigned long long)n, c->len);
}

/* The 16 HW pointers; ptr[] gets them (0 = absent). */
static int hw_pointers(struct ctx *c, uint32_t ptr[BF_FW_FS4_HW_PTR_COUNT])
{
	unsigned i;

	if (!fits(c->ilen, BF_FW_FS4_HW_PTRS, BF_FW_FS4_HW_PTR_COUNT * 8))
		return truncated(c, "HW pointer table", (uint64_t)c->start + BF_FW_FS4_HW_PTRS, BF_FW_FS4_HW_PTR_COUNT * 8);
	for (i = 0; i < BF_FW_FS4_HW_PTR_COUNT; i++) {
		const uint8_t *e = c->img + BF_FW_FS4_HW_PTRS + 8 * i;
		uint8_t z[8] = { 0 };
		uint32_t crc;

		if (be32(e) == 0xffffffffu)
			e = z;   /* an erased entry: absent */
		crc = be32(e + 4);
		if (crc != bf_fw_fs4_hw_crc(e, 6) && crc != bf_fw_fs4_crc16(e, 1)) {
			c->fi->bad_crc = true;
			return bf_error_ret(EBADMSG, "FS4 image: the HW pointer to the %s at 0x%x is damaged (CRC 0x%x, "
					    "computed 0x%04x)", ptr_names[i], c->start + BF_FW_FS4_HW_PTRS + 8 * i, crc,
					    bf_fw_fs4_hw_crc(e, 6));
		}
		ptr[i] = be32(e);
	}
	return 0;
}

static int tools_and_boot2(struct ctx *c, const uint32_t ptr[BF_FW_FS4_HW_PTR_COUNT])
{
	uint32_t t = ptr[BF_FW_FS4_PTR_TOOLS], b = ptr[BF_FW_FS4_PTR_BOOT2], n, got;

	if (t) {
		if (!fits(c->ilen, t, BF_FW_FS4_TOOLS_SIZE))
			return truncated(c, "tools area", (uint64_t)c->start + t, BF_FW_FS4_TOOLS_SIZE);
		got = be32(c->img + t + 60) & 0xffff;
		if (got != bf_fw_fs4_crc16(c->img + t, 15))
			return crc_bad(c, "tools area", (size_t)c->start + t, got, bf_fw_fs4_crc16(c->img + t, 15));
		extent(c, t, BF_FW_FS4_TOOLS_SIZE);
	}
	if (b) {
		if (!fits(c->ilen, b, 8))
			return truncated(c, "BOOT2 header", (uint64_t)c->start + b, 8);
		n = be32(c->img + b + 4);
		if (n < 4 || n > BF_FW_FS4_BOOT2_MAX)
			return bf_error_ret(EBADMSG, "FS4 image: BOOT2 at 0x%llx has an impossible size (%u dwords; 4 to %u)",
					    (unsigned long long)c->start + b, n, BF_FW_FS4_BOOT2_MAX);
		if (!fits(c->ilen, b, ((uint64_t)n + 4) * 4))
			return truncated(c, "BOOT2", (uint64_t)c->start + b, ((uint64_t)n + 4) * 4);
		got = be32(c->img + b + 4 * ((size_t)n + 3));
		if (got != bf_fw_fs4_crc16(c->img + b, (size_t)n + 3))
			return crc_bad(c, "BOOT2", (size_t)c->start + b, got, bf_fw_fs4_crc16(c->img + b, (size_t)n + 3));
		extent(c, b, ((uint64_t)n + 4) * 4);
	}
	return 0;
}

/* A TOC header at base + off (within base's blen): 1 valid, 0 no
 * signature, <0 damaged. */
static int toc_header(struct ctx *c, const uint8_t *base, size_t blen, uint64_t off, uint32_t sig, size_t at)
{
	const uint8_t *h;
	unsigned got;

	if (!fits(blen, off, BF_FW_FS4_TOC_HDR))
		return 0;
	h = base + off;
	if (be32(h) != sig || be32(h + 4) != BF_FW_FS4_TOC_SIG1 || be32(h + 8) != BF_FW_FS4_TOC_SIG2 ||
	    be32(h + 12) != BF_FW_FS4_TOC_SIG3)
		return 0;
	got = be32(h + 28) & 0xffff;
	if (got != bf_fw_fs4_crc16(h, 7))
		return crc_bad(c, sig == BF_FW_FS4_ITOC_SIG ? "ITOC header" : "DTOC header", at, got,
			       bf_fw_fs4_crc16(h, 7));
	return 1;
}

struct entry {
	uint8_t type, crc_kind;
	bool cache_line_crc;
	uint32_t size;           /* bytes */
	uint64_t addr;           /* bytes, from base */
	uint16_t section_crc;
};

/* Walk a TOC's entries; each() gets every verified section. base/blen are
 * what the entries' addresses are relative to; at0 is base's offset in
 * the buffer (for messages). */
static int toc_entries(struct ctx *c, const uint8_t *base, size_t blen, size_t at0, uint64_t toc, const char *name,
		       int (*each)(struct ctx *, const struct entry *, const uint8_t *), unsigned *count, uint64_t *end)
{
	unsigned i;
	int r;

	for (i = 0;; i++) {
		uint64_t eo = toc + BF_FW_FS4_TOC_HDR + (uint64_t)i * BF_FW_FS4_TOC_ENTRY;
		const uint8_t *e, *s;
		struct entry en;
		char what[48];
		unsigned got, want;

		if (!fits(blen, eo, BF_FW_FS4_TOC_ENTRY))
			return truncated(c, name, at0 + eo, BF_FW_FS4_TOC_ENTRY);
		e = base + eo;
		if (end && eo + BF_FW_FS4_TOC_ENTRY > *end)
			*end = eo + BF_FW_FS4_TOC_ENTRY;
		en.type = e[0];
		if (en.type == BF_FW_FS4_SECT_END)
			break;
		if (i + 1 >= BF_FW_FS4_MAX_TOCS)
			return bf_error_ret(EBADMSG, "FS4 image: the %s at 0x%llx has no end marker within %u entries", name,
					    (unsigned long long)(at0 + toc), BF_FW_FS4_MAX_TOCS - 1);
		snprintf(what, sizeof(what), "%s entry %u (type 0x%02x)", name, i, en.type);
		got = be32(e + 28) & 0xffff;
		if (got != bf_fw_fs4_crc16(e, 7))
			return crc_bad(c, what, at0 + eo, got, bf_fw_fs4_crc16(e, 7));
		en.size = ((be32(e) >> 2) & 0x3fffff) * 4;
		en.cache_line_crc = (be32(e + 4) >> 30) & 1;
		en.addr = (uint64_t)((be32(e + 20) >> 2) & 0x1fffffff) * 4;
		en.section_crc = (uint16_t)(be32(e + 24) & 0xffff);
		en.crc_kind = (be32(e + 24) >> 16) & 7;
		snprintf(what, sizeof(what), "%s section 0x%02x", name, en.type);
		if (!fits(blen, en.addr, en.size))
			return truncated(c, what, at0 + en.addr, en.size);
		s = base + en.addr;
		if (en.cache_line_crc && en.size > 68 && (be32(s + 64) & 0xffff0000u))
			en.crc_kind = BF_FW_FS4_CRC_NONE;   /* encrypted lines carry an auth tag */
		if (en.crc_kind == BF_FW_FS4_CRC_IN_ENTRY) {
			got = en.section_crc;
			want = bf_fw_fs4_crc16(s, en.size / 4);
			if (got != want)
				return crc_bad(c, what, at0 + en.addr, got, want);
		} else if (en.crc_kind == BF_FW_FS4_CRC_IN_SECTION && en.size >= 4 &&
			   (en.type != BF_FW_FS4_SECT_DEV_INFO || (en.size >= 16 && be32(s) == BF_FW_FS4_DEVINFO_SIG0))) {
			got = be32(s + en.size - 4) & 0xffff;
			want = bf_fw_fs4_crc16(s, en.size / 4 - 1);
			if (got != want)
				return crc_bad(c, what, at0 + en.addr, got, want);
		}
		if (end && en.addr + en.size > *end)
			*end = en.addr + en.size;
		if ((r = each(c, &en, s)) < 0)
			return r;
	}
	*count = i;
	return 0;
}

static int image_info(struct ctx *c, const struct entry *en, const uint8_t *s)
{
	struct bf_fw_fs4_info *fi = c->fi;
	uint32_t w;
	unsigned i;

	if (en->type == BF_FW_FS4_SECT_IMAGE_SIGNATURE_256 || en->type == BF_FW_FS4_SECT_IMAGE_SIGNATURE_512)
		fi->has_signature = true;
	if (en->type == BF_FW_FS4_SECT_PUBLIC_KEYS_2048 || en->type == BF_FW_FS4_SECT_PUBLIC_KEYS_4096)
		fi->has_public_keys = true;
	if (en->type != BF_FW_FS4_SECT_IMAGE_INFO || fi->psid[0] || fi->fw_ver[0] || fi->nhw)
		return 0;   /* the first IMAGE_INFO counts */
	if (en->size < BF_FW_FS4_II_SIZE)
		return bf_error_ret(EBADMSG, "FS4 image: the IMAGE_INFO section at 0x%llx is %u bytes, not %u",
				    (unsigned long long)c->start + en->addr, en->size, BF_FW_FS4_II_SIZE);
	w = be32(s + BF_FW_FS4_II_FLAGS);
	fi->info_major = (uint8_t)(w >> 24);
	fi->info_minor = (uint8_t)(w >> 16);
	if (fi->info_major != 0)
		return bf_error_ret(EBADMSG, "FS4 image: unknown IMAGE_INFO format version %u.%u at 0x%llx",
				    fi->info_major, fi->info_minor, (unsigned long long)c->start + en->addr);
	fi->secure_fw = (w >> 15) & 1;
	fi->signed_fw = (w >> 14) & 1;
	fi->debug_fw = (w >> 13) & 1;
	fi->mcc_en = (w >> 8) & 1;
	fi->fw_ver[0] = (uint16_t)(be32(s + BF_FW_FS4_II_FW_MAJOR) >> 16);
	fi->fw_ver[1] = (uint16_t)(be32(s + BF_FW_FS4_II_FW_MINOR) >> 16);
	fi->fw_ver[2] = (uint16_t)be32(s + BF_FW_FS4_II_FW_MINOR);
	w = be32(s + BF_FW_FS4_II_FW_TIME);
	fi->rel_sec = (uint8_t)(w >> 24);
	fi->rel_min = (uint8_t)(w >> 16);
	fi->rel_hour = (uint8_t)(w >> 8);
	w = be32(s + BF_FW_FS4_II_FW_DATE);
	fi->rel_year = (uint16_t)(w >> 16);
	fi->rel_month = (uint8_t)(w >> 8);
	fi->rel_day = (uint8_t)w;
	fi->pci_device_id = (uint16_t)(be32(s + BF_FW_FS4_II_PCI_IDS) >> 16);
	c->dtoc_offset = (be32(s + BF_FW_FS4_II_DTOC_OFFSET) >> 8) & 0xff;
	text(fi->psid, s + BF_FW_FS4_II_PSID, 16);
	text(fi->image_vsd, s + BF_FW_FS4_II_VSD, 208);
	text(fi->product, s + BF_FW_FS4_II_PROD_VER, 16);
	if (fi->info_minor == 2 || fi->info_minor == 3) {
		text(fi->description, s + BF_FW_FS4_II_DESCRIPTION, 256);
		text(fi->name, s + BF_FW_FS4_II_NAME, 64);
	}
	for (i = 0; i < 4 && (w = be32(s + BF_FW_FS4_II_HW_IDS + 4 * i)); i++)
		fi->hw_ids[fi->nhw++] = w;
	return 0;
}

static void uid(struct bf_fw_fs4_uid *u, const uint8_t *p)
{
	uint32_t w = be32(p);

	u->count = (w & 0xff) + ((w >> 16 & 0xff) << 8);
	u->uid = (uint64_t)be32(p + 8) << 32 | be32(p + 12);
}

static int dev_section(struct ctx *c, const struct entry *en, const uint8_t *s)
{
	struct bf_fw_fs4_info *fi = c->fi;

	unsigned v;

	if (en->type == BF_FW_FS4_SECT_MFG_INFO && en->size >= BF_FW_FS4_MI_SIZE) {
		if ((v = s[BF_FW_FS4_MI_VERSION]) > 1)
			return bf_error_ret(EBADMSG, "FS4 image: unknown MFG_INFO format version %u at 0x%llx", v,
					    (unsigned long long)en->addr);
		text(fi->orig_psid, s + BF_FW_FS4_MI_PSID, 16);
		if (v == 1) {
			uid(&fi->orig_guid, s + BF_FW_FS4_MI_GUIDS);
			uid(&fi->orig_mac, s + BF_FW_FS4_MI_MACS);
		}
		fi->dtoc = true;   /* marks "MFG_INFO seen" until the walk ends */
	} else if (en->type == BF_FW_FS4_SECT_DEV_INFO && en->size >= BF_FW_FS4_DI_SIZE &&
		   be32(s) == BF_FW_FS4_DEVINFO_SIG0 && be32(s + 4) == BF_FW_FS4_DEVINFO_SIG1 &&
		   be32(s + 8) == BF_FW_FS4_TOC_SIG2 && be32(s + 12) == BF_FW_FS4_TOC_SIG3) {
		if (c->devinfo++)
			return bf_error_ret(EBADMSG, "FS4 image: two valid DEV_INFO sections (the second at 0x%llx)",
					    (unsigned long long)en->addr);
		v = (be32(s + BF_FW_FS4_DI_VERSION) >> 8) & 0x1ff;
		if (v != 1 && v != 2)
			return bf_error_ret(EBADMSG, "FS4 image: unknown DEV_INFO format version %u at 0x%llx", v,
					    (unsigned long long)en->addr);
		if (v == 2) {
			uid(&fi->guid, s + BF_FW_FS4_DI_GUIDS);
			uid(&fi->mac, s + BF_FW_FS4_DI_MACS);
		}
		text(fi->device_vsd, s + BF_FW_FS4_DI_VSD, 208);
	}
	return 0;
}

/* The device sector, when the file has one: its last 4K sector (or the one
 * IMAGE_INFO's dtoc_offset names), addresses from the file's start. */
static int dtoc(struct ctx *c, unsigned dtoc_offset)
{
	uint64_t at = dtoc_offset ? c->len / (dtoc_offset * 2u) : c->len;
	unsigned n;
	int r;

	if (at < BF_FW_FS4_SECTOR || (at -= BF_FW_FS4_SECTOR) < (uint64_t)c->start + c->fi->end)
		return 0;   /* a reduced image: no device sector */
	if ((r = toc_header(c, c->buf, c->len, at, BF_FW_FS4_DTOC_SIG, (size_t)at)) <= 0)
		return r;
	if ((r = toc_entries(c, c->buf, c->len, 0, at, "DTOC", dev_section, &n, NULL)) < 0)
		return r;
	if (!c->fi->dtoc)
		return bf_error_ret(EBADMSG, "FS4 image: the DTOC at 0x%llx has no MFG_INFO section",
				    (unsigned long long)at);
	if (!c->devinfo)
		return bf_error_ret(EBADMSG, "FS4 image: the DTOC at 0x%llx has no valid DEV_INFO section",
				    (unsigned long long)at);
	return 0;
}

int bf_fw_fs4_parse(const uint8_t *buf, size_t len, unsigned flags, struct bf_fw_fs4_info *fi)
{
	struct ctx c = { .buf = buf, .len = len, .fi = fi };
	uint32_t ptr[BF_FW_FS4_HW_PTR_COUNT], fmt;
	uint64_t end = 0;
	unsigned i;
	int r;

	memset(fi, 0, sizeof(*fi));
	if (flags & BF_FW_FS4_COMPONENT) {
		if (len < BF_FW_FS4_MAGIC_LEN)
			return bf_error_ret(EBADMSG, "FS4 component: %zu bytes is too short", len);
		for (i = 0; i < BF_FW_FS4_MAGIC_LEN && buf[i] == 0xff; i++)
			;
		if (i < BF_FW_FS4_MAGIC_LEN && !magic_at(buf))
			return bf_error_ret(EBADMSG, "FS4 component: no masked magic pattern at 0");
	} else if (bf_fw_fs4_find(buf, len, &c.start) < 0) {
		return bf_error_ret(EBADMSG, "not an FS4 image: no magic pattern at 0 or at any 64K-32M boundary");
	} else {
		for (i = 0; i < BF_FW_FS4_NSTARTS; i++)
			if (bf_fw_fs4_starts[i] > c.start && fits(len, bf_fw_fs4_starts[i], BF_FW_FS4_MAGIC_LEN) &&
			    magic_at(buf + bf_fw_fs4_starts[i]))
				return bf_error_ret(EBADMSG, "FS4 image: more than one image in the file (at 0x%x and 0x%x)",
						    c.start, bf_fw_fs4_starts[i]);
	}
	fi->start = c.start;
	c.img = buf + c.start;
	c.ilen = len - c.start;
	if (!fits(c.ilen, BF_FW_FS4_BOOT_VERSION, 4))
		return truncated(&c, "boot version", (uint64_t)c.start + BF_FW_FS4_BOOT_VERSION, 4);
	fmt = c.img[BF_FW_FS4_BOOT_VERSION];
	if (fmt != BF_FW_FS4_FORMAT)
		return bf_error_ret(EBADMSG, "FS4 image: image format version %u at 0x%x is not FS4 (1)%s", fmt,
				    c.start + BF_FW_FS4_BOOT_VERSION, fmt == 2 ? ": FS5 images are not supported" : "");
	if ((r = hw_pointers(&c, ptr)) < 0 || (r = tools_and_boot2(&c, ptr)) < 0)
		return r;
	fi->itoc = ptr[BF_FW_FS4_PTR_TOC];
	if (!fi->itoc)
		return bf_error_ret(EBADMSG, "FS4 image: the HW pointer to the ITOC (at 0x%x) is 0",
				    c.start + BF_FW_FS4_HW_PTRS + 8 * BF_FW_FS4_PTR_TOC);
	r = toc_header(&c, c.img, c.ilen, fi->itoc, BF_FW_FS4_ITOC_SIG, (size_t)c.start + fi->itoc);
	if (r != 1) {
		/* Not there, or damaged: the copy one sector further. */
		char why[256];
		int r2;

		snprintf(why, sizeof(why), "%s", r < 0 ? bf_error_or("") : "");
		r2 = toc_header(&c, c.img, c.ilen, (uint64_t)fi->itoc + BF_FW_FS4_SECTOR, BF_FW_FS4_ITOC_SIG,
				(size_t)c.start + fi->itoc + BF_FW_FS4_SECTOR);
		if (r2 == 1) {
			fi->itoc += BF_FW_FS4_SECTOR;
			fi->bad_crc = false;
		} else if (r < 0) {
			fi->bad_crc = true;
			return bf_error_ret(EBADMSG, "%s", why);
		} else if (r2 < 0) {
			return r2;
		} else {
			return bf_error_ret(EBADMSG, "FS4 image: no ITOC header at 0x%llx or 0x%llx (an encrypted image, or "
					    "not an FS4 image)", (unsigned long long)c.start + fi->itoc,
					    (unsigned long long)c.start + fi->itoc + BF_FW_FS4_SECTOR);
		}
	}
	extent(&c, 0, BF_FW_FS4_HW_PTRS + BF_FW_FS4_HW_PTR_COUNT * 8);
	if ((r = toc_entries(&c, c.img, c.ilen, c.start, fi->itoc, "ITOC", image_info, &fi->nsections, &end)) < 0)
		return r;
	fi->security_version = ptr[BF_FW_FS4_PTR_SECURITY_VERSION];
	if (ptr[BF_FW_FS4_PTR_PUBLIC_KEY])
		fi->has_signature = true;
	fi->is_signed = (fi->signed_fw || fi->secure_fw) && fi->has_signature && fi->has_public_keys && fi->mcc_en;
	extent(&c, 0, end);
	if (!fi->psid[0] && !fi->fw_ver[0] && !fi->nhw)
		return bf_error_ret(EBADMSG, "FS4 image: the ITOC at 0x%x has no IMAGE_INFO section (no version, no PSID)",
				    c.start + fi->itoc);
	fi->end = (uint32_t)c.hi;
	if (!(flags & BF_FW_FS4_COMPONENT) && (r = dtoc(&c, c.dtoc_offset)) < 0)
		return r;
	return 0;
}
