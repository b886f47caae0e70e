/* rlog.c - RShim log record codec and its safe formatter. */
#include "config.h"
#include "rlog.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const module_names[BF_RLOG_NMODULES] = {
	"MISC", "BL1", "BL2", "BL2R", "BL31", "UEFI", "PSC",
};
static const char *const level_names[] = { "INFO", "WARN", "ERR", "ASSERT" };

const char *bf_rlog_module_name(unsigned module)
{
	return module < BF_RLOG_NMODULES ? module_names[module] : "MISC";
}

const char *bf_rlog_level_name(const struct bf_rlog_rec *rec)
{
	if (rec->type == BF_RLOG_T_PANIC)
		return "PANIC";
	if (rec->type == BF_RLOG_T_EXCEPTION)
		return "EXCEPTION";
	return rec->level < 4 ? level_names[rec->level] : "INFO";
}

bool bf_rlog_is_error(const struct bf_rlog_rec *rec)
{
	return rec->type == BF_RLOG_T_PANIC || rec->type == BF_RLOG_T_EXCEPTION ||
	       rec->level == BF_RLOG_ERR || rec->level == BF_RLOG_ASSERT;
}

int bf_rlog_level_parse(const char *s)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		if (!strcasecmp(s, level_names[i]))
			return (int)i;
	return -1;
}

int bf_rlog_module_parse(const char *s)
{
	unsigned i;

	for (i = 0; i < BF_RLOG_NMODULES; i++)
		if (!strcasecmp(s, module_names[i]))
			return (int)i;
	return -1;
}

size_t bf_rlog_encode_msg(uint64_t *out, size_t max, unsigned module, unsigned level,
			  const char *text, bool has_arg, uint32_t arg)
{
	size_t len = strlen(text), words, i;

	words = (len + 7) / 8;
	if (words > BF_RLOG_MAX_PAYLOAD)
		words = BF_RLOG_MAX_PAYLOAD;
	if (max < words + 1)
		return 0;
	out[0] = ((uint64_t)(module & 0xf) << 60) | ((uint64_t)BF_RLOG_T_MSG << 56) |
		 ((uint64_t)words << 48) | ((uint64_t)arg << 16) |
		 ((uint64_t)(has_arg ? 1 : 0) << 8) | (level & 0xff);
	for (i = 0; i < words; i++) {
		uint64_t w = 0;
		size_t j;

		/* Raw ASCII, byte 0 in bits 7:0 (little-endian memory copy). */
		for (j = 0; j < 8 && i * 8 + j < len; j++)
			w |= (uint64_t)(uint8_t)text[i * 8 + j] << (8 * j);
		out[1 + i] = w;
	}
	return words + 1;
}

size_t bf_rlog_decode(const uint64_t *w, size_t n, struct bf_rlog_rec *rec)
{
	uint64_t h;
	size_t len, i, t = 0;

	memset(rec, 0, sizeof(*rec) - sizeof(rec->text) - sizeof(rec->pairs));
	rec->text[0] = '\0';
	if (n == 0)
		return 0;
	h = w[0];
	rec->header = h;
	rec->module = (unsigned)(h >> 60);
	if (rec->module >= BF_RLOG_NMODULES)
		rec->module = BF_RLOG_MISC;
	rec->type = (unsigned)(h >> 56) & 0xf;
	len = (size_t)(h >> 48) & 0x7f;
	if (len > n - 1) {
		/* Past the ring's end: drain what is left. */
		rec->garbage = true;
		return n;
	}
	switch (rec->type) {
	case BF_RLOG_T_MSG:
		rec->level = (unsigned)(h & 0xff);
		if (rec->level > BF_RLOG_ASSERT)
			rec->level = BF_RLOG_INFO;
		rec->has_arg = ((h >> 8) & 0xff) != 0;
		rec->arg = (uint32_t)(h >> 16);
		for (i = 0; i < len; i++) {
			unsigned j;

			for (j = 0; j < 8; j++) {
				uint8_t c = (uint8_t)(w[1 + i] >> (8 * j));

				if (c == '\0')
					goto text_done;
				/* Keep the line a line: no control bytes from the device. */
				rec->text[t++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
			}
		}
text_done:
		rec->text[t] = '\0';
		break;
	case BF_RLOG_T_PANIC:
	case BF_RLOG_T_EXCEPTION:
		rec->arg = (uint32_t)h;
		rec->level = BF_RLOG_ERR;
		rec->npairs = (unsigned)(len / 2);
		for (i = 0; i < rec->npairs; i++) {
			rec->pairs[i][0] = w[1 + 2 * i];
			rec->pairs[i][1] = w[2 + 2 * i];
		}
		break;
	default:
		rec->garbage = true;
		break;
	}
	return len + 1;
}

/* Digits of v in base (10, 8, 16), upper or lower case, into buf (reversed
 * order is handled here); returns the length. */
static size_t utoa(uint32_t v, unsigned base, bool upper, char *buf)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[16];
	size_t n = 0, i;

	do {
		rev[n++] = digits[v % base];
		v /= base;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = rev[n - 1 - i];
	return n;
}

/* Render one conversion of the 32-bit argument: flags '-' and '0', a width
 * up to 32, conversions d i u x X o c %. The device's text is never handed
 * to printf. */
static size_t fmt_arg(char *out, size_t cap, const char **pp, uint32_t arg, bool *used)
{
	const char *p = *pp;   /* at the character after '%' */
	bool left = false, zero = false, neg = false;
	unsigned width = 0;
	char num[40];
	size_t n = 0, pad, o = 0, i;

	for (; *p == '-' || *p == '0' || *p == ' ' || *p == '+' || *p == '#'; p++) {
		if (*p == '-')
			left = true;
		else if (*p == '0')
			zero = true;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		if (width < 32)
			width = width * 10 + (unsigned)(*p - '0');
	if (width > 32)
		width = 32;
	while (*p == 'l' || *p == 'h' || *p == 'z')
		p++;   /* the argument is always 32 bits */
	if (*p == '%') {
		*pp = p + 1;
		if (cap > 1)
			out[o++] = '%';
		return o;
	}
	if (!*p || !strchr("diuxXoc", *p)) {
		/* Unsupported conversion (%s, %p, %n, ...): keep the '%' literally. */
		if (cap > 1)
			out[o++] = '%';
		return o;
	}
	*pp = p + 1;
	if (*used) {
		num[n++] = '?';   /* only one argument exists */
	} else if (*p == 'c') {
		uint8_t c = (uint8_t)arg;

		num[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	} else if (*p == 'd' || *p == 'i') {
		int32_t v = (int32_t)arg;

		neg = v < 0;
		n = utoa(neg ? (uint32_t)(-(int64_t)v) : (uint32_t)v, 10, false, num);
	} else {
		n = utoa(arg, *p == 'o' ? 8 : (*p == 'u' ? 10 : 16), *p == 'X', num);
	}
	*used = true;
	pad = width > n + neg ? width - n - neg : 0;
	if (!left && !zero)
		for (i = 0; i < pad && o + 1 < cap; i++)
			out[o++] = ' ';
	if (neg && o + 1 < cap)
		out[o++] = '-';
	if (!left && zero)
		for (i = 0; i < pad && o + 1 < cap; i++)
			out[o++] = '0';
	for (i = 0; i < n && o + 1 < cap; i++)
		out[o++] = num[i];
	if (left)
		for (i = 0; i < pad && o + 1 < cap; i++)
			out[o++] = ' ';
	return o;
}

static void render_text(const struct bf_rlog_rec *rec, char *out, size_t cap)
{
	const char *p = rec->text;
	bool used = false;
	size_t o = 0;

	if (cap == 0)
		return;
	while (*p && o + 1 < cap) {
		if (rec->has_arg && *p == '%') {
			p++;
			o += fmt_arg(out + o, cap - o, &p, rec->arg, &used);
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
}

void bf_rlog_format(const struct bf_rlog_rec *rec, char *line, size_t len)
{
	const char *mod = bf_rlog_module_name(rec->module);
	char text[BF_RLOG_TEXT_MAX + 64];
	size_t o;
	unsigned i;

	if (rec->type == BF_RLOG_T_PANIC || rec->type == BF_RLOG_T_EXCEPTION) {
		unsigned ec = rec->arg >> 26;

		if (rec->type == BF_RLOG_T_PANIC)
			o = (size_t)snprintf(line, len, " PANIC(%s): PC = 0x%x", mod, rec->arg);
		else
			o = (size_t)snprintf(line, len, " Exception(%s): syndrome = 0x%x%s", mod, rec->arg,
					     ec == 0x24 || ec == 0x25 ? "(Data Abort)" :
					     ec == 0x2f ? "(SError)" : "");
		for (i = 0; i < rec->npairs && o < len; i++)
			o += (size_t)snprintf(line + o, len - o, "\n   sysreg 0x%04x    0x%016llx",
					      (unsigned)((rec->pairs[i][0] >> 5) & 0xffff),
					      (unsigned long long)rec->pairs[i][1]);
		return;
	}
	render_text(rec, text, sizeof(text));
	snprintf(line, len, " %s[%s]: %s", bf_rlog_level_name(rec), mod, text);
}
