/* misc.c - the misc file's text and commands (spec rshim.md 5): pure
 * functions, no device access. */
#include "config.h"
#include "rshimd.h"
#include "rlog.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

static const char *mode_name(int m)
{
	static const char *const names[] = { "Unknown", "DPU mode", "NIC mode", "Reserved" };

	return names[m & 3];
}

size_t bf_rshimd_misc_format(const struct bf_rshimd_misc_view *v, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0 };

	if (!cap)
		return 0;
	buf[0] = '\0';
	put(&o, "%-16s%d (0:basic, 1:advanced, 2:log)\n", "DISPLAY_LEVEL", v->display_level);
	if (v->chip_ver >= 3)
		put(&o, "%-16s%s\n", "BF_MODE", mode_name(v->bf_mode));
	put(&o, "%-16s%u (0:rshim, 1:emmc, 2:emmc-boot-swap)\n", "BOOT_MODE", v->boot_mode & 3);
	put(&o, "%-16s%u (seconds)\n", "BOOT_TIMEOUT", v->boot_timeout);
	put(&o, "%-16s%u (seconds)\n", "USB_TIMEOUT", v->usb_timeout);
	put(&o, "%-16s%d (0:normal, 1:drop)\n", "DROP_MODE", v->drop_mode);
	put(&o, "%-16s%d (1: reset)\n", "SW_RESET", 0);
	put(&o, "%-16s%s\n", "DEV_NAME", v->dev_name);
	put(&o, "%-16sBlueField-%d(Rev %u)\n", "DEV_INFO", v->chip_ver, v->rev);
	if (v->chip_ver >= 2)
		put(&o, "%-16s%s\n", "OPN_STR", v->opn[0] ? v->opn : "N/A");
	if (v->chip_ver >= 3) {
		put(&o, "%-16s%llu(s)\n", "UP_TIME", (unsigned long long)v->uptime_s);
		put(&o, "%-16s%d (0:no, 1:yes)\n", "SECURE_NIC_MODE", v->secure_nic);
	}
	put(&o, "%-16s%d (1: send Force command)\n", "FORCE_CMD", v->force_cmd);
	if (v->display_level == 1) {
		put(&o, "%-16s%d (1: skip)\n", "BOOT_RESET_SKIP", v->boot_reset_skip);
		put(&o, "%-16s%02x:%02x:%02x:%02x:%02x:%02x (rw)\n", "PEER_MAC",
		    v->peer_mac[0], v->peer_mac[1], v->peer_mac[2],
		    v->peer_mac[3], v->peer_mac[4], v->peer_mac[5]);
		put(&o, "%-16s0x%08x (rw)\n", "PXE_ID", v->pxe_id);
		put(&o, "%-16s%u %u (rw)\n", "VLAN_ID", v->vlan[0], v->vlan[1]);
		put(&o, "%-16s%d (0:no, 1:yes)\n", "CLEAR_ON_READ", v->clear_on_read);
	}
	return o.len;
}

size_t bf_rshimd_misc_format_log(const uint64_t *words, unsigned n, char *buf, size_t cap)
{
	static const char dashes[] = "---------------------------------------";
	struct out o = { buf, cap, 0 };
	struct bf_rlog_rec *rec;
	char *line;
	unsigned i = 0;

	if (!cap)
		return 0;
	buf[0] = '\0';
	put(&o, "%s\n             Log Messages\n%s\n", dashes, dashes);
	rec = malloc(sizeof(*rec));
	line = malloc(BF_RLOG_LINE_MAX * 4);
	if (!rec || !line) {
		free(rec);
		free(line);
		return o.len;
	}
	while (i < n) {
		size_t used = bf_rlog_decode(words + i, n - i, rec);

		if (used == 0)
			break;
		i += (unsigned)used;
		if (rec->garbage)
			continue;
		bf_rlog_format(rec, line, BF_RLOG_LINE_MAX * 4);
		put(&o, "%s\n", line);
	}
	free(rec);
	free(line);
	return o.len;
}

enum vtype { V_DEC, V_HEX, V_MAC, V_VLAN, V_STR16, V_HEX64, V_STR };

static const struct {
	const char *name;
	enum bf_rshimd_key key;
	enum vtype type;
	uint64_t max;            /* numeric: inclusive upper bound */
} keys[] = {
	{ "DISPLAY_LEVEL", BF_MISC_DISPLAY_LEVEL, V_DEC, 2 },
	{ "BOOT_TIMEOUT", BF_MISC_BOOT_TIMEOUT, V_DEC, 86400 },
	{ "USB_TIMEOUT", BF_MISC_USB_TIMEOUT, V_DEC, 300 },
	{ "DROP_MODE", BF_MISC_DROP_MODE, V_DEC, 1 },
	{ "CLEAR_ON_READ", BF_MISC_CLEAR_ON_READ, V_DEC, 1 },
	{ "BOOT_MODE", BF_MISC_BOOT_MODE, V_HEX, 0xffffffffu },
	{ "SW_RESET", BF_MISC_SW_RESET, V_HEX, 0xffffffffu },
	{ "BOOT_RESET_SKIP", BF_MISC_BOOT_RESET_SKIP, V_HEX, 0xffffffffu },
	{ "PEER_MAC", BF_MISC_PEER_MAC, V_MAC, 0 },
	{ "PXE_ID", BF_MISC_PXE_ID, V_HEX, 0xffffffffu },
	{ "VLAN_ID", BF_MISC_VLAN_ID, V_VLAN, 0xffff },
	{ "OPN_STR", BF_MISC_OPN_STR, V_STR16, 0 },
	{ "DEBUG_CODE", BF_MISC_DEBUG_CODE, V_HEX64, UINT64_MAX },
	{ "FORCE_CMD", BF_MISC_FORCE_CMD, V_HEX, 0xffffffffu },
	{ "DEV_NAME", BF_MISC_DEV_NAME, V_STR, 0 },
};

/* A whole token as a number in base (hex may carry 0x), <= max. */
static int num(const char *s, int base, uint64_t max, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, base);
	if (errno || *end || *v > max)
		return -EINVAL;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned i;

	for (i = 0; i < 6; i++) {
		unsigned v = 0, d = 0;

		while (isxdigit((unsigned char)*s) && d < 2) {
			v = v * 16 + (unsigned)(isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10));
			s++;
			d++;
		}
		if (!d)
			return -EINVAL;
		mac[i] = (uint8_t)v;
		if (i < 5 && *s++ != ':')
			return -EINVAL;
	}
	return *s ? -EINVAL : 0;
}

int bf_rshimd_misc_parse(const char *buf, size_t len, struct bf_rshimd_misc_cmd *cmd)
{
	char line[160], *key, *val, *p;
	size_t i, n = 0;

	memset(cmd, 0, sizeof(*cmd));
	if (!buf)
		return -EINVAL;
	/* The first line only; a longer one is not a command. */
	while (n < len && buf[n] != '\n' && buf[n] != '\0')
		n++;
	if (n >= sizeof(line))
		return -EINVAL;
	memcpy(line, buf, n);
	line[n] = '\0';
	for (p = line; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\r')
			return -EINVAL;
	while (n && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	key = line;
	while (*key == ' ' || *key == '\t')
		key++;
	val = key;
	while (*val && *val != ' ' && *val != '\t')
		val++;
	if (*val)
		*val++ = '\0';
	while (*val == ' ' || *val == '\t')
		val++;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i].name))
			break;
	/* DEV_NAME alone is a command (upstream does not read its value). */
	if (i == sizeof(keys) / sizeof(keys[0]) || (!*val && keys[i].key != BF_MISC_DEV_NAME))
		return -EINVAL;
	cmd->key = keys[i].key;
	switch (keys[i].type) {
	case V_DEC:
		return num(val, 10, keys[i].max, &cmd->u);
	case V_HEX:
	case V_HEX64:
		return num(val, 16, keys[i].max, &cmd->u);
	case V_MAC:
		return parse_mac(val, cmd->mac);
	case V_VLAN: {
		char *sp = strpbrk(val, " \t");
		uint64_t a, b;

		if (!sp)
			return -EINVAL;
		*sp++ = '\0';
		while (*sp == ' ' || *sp == '\t')
			sp++;
		if (num(val, 10, keys[i].max, &a) < 0 || num(sp, 10, keys[i].max, &b) < 0)
			return -EINVAL;
		cmd->vlan[0] = (uint16_t)a;
		cmd->vlan[1] = (uint16_t)b;
		return 0;
	}
	case V_STR16:
	case V_STR:
		if (strlen(val) > (keys[i].type == V_STR16 ? 16u : 64u) || strpbrk(val, " \t"))
			return -EINVAL;
		snprintf(cmd->str, sizeof(cmd->str), "%s", val);
		return 0;
	}
	return -EINVAL;
}
