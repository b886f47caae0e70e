/* conf.c - /etc/rshimd.conf: the upstream rshim.conf keys that apply
 * (spec rshim.md 6). Each line is "KEY VALUE"; '#' starts a comment line;
 * "rshim<N> <dev>" pins a device to an index, "none <dev>" ignores one. */
#include "config.h"
#include "rshimd.h"
#include "error.h"
#include "fileio.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONF_MAX (64u * 1024)

void bf_rshimd_conf_defaults(struct bf_rshimd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->display_level = 0;
	c->boot_timeout = 300;
	c->drop_mode = -1;
	c->usb_timeout = 40;
	c->usb_reset_delay = -1;
	c->pcie_reset_delay = -1;
}

bool bf_rshimd_default_drop(const struct bf_rshimd_conf *conf, const char *name)
{
	if (conf->drop_mode >= 0)
		return conf->drop_mode > 0;
	/* Upstream starts a livefish function in drop mode. */
	return !strncmp(name, "pcie-lf:", 8);
}

static int num(const char *s, long lo, long hi, long *v)
{
	char *end;

	if (!*s)
		return -EINVAL;
	errno = 0;
	*v = strtol(s, &end, 10);
	return errno || *end || *v < lo || *v > hi ? -EINVAL : 0;
}

static void note(char *warn, size_t cap, unsigned line, const char *msg, const char *key)
{
	size_t n;

	if (!warn || !cap)
		return;
	n = strlen(warn);
	if (cap > n)
		snprintf(warn + n, cap - n, "line %u: %s '%s'\n", line, msg, key);
}

int bf_rshimd_conf_parse(struct bf_rshimd_conf *c, const char *text, size_t len,
			 char *warn, size_t cap)
{
	unsigned lineno = 0;
	size_t pos = 0;

	if (warn && cap)
		warn[0] = '\0';
	while (pos < len) {
		char line[256], key[32], val[64];
		size_t n = 0;
		long v;
		int k;

		lineno++;
		while (pos < len && text[pos] != '\n') {
			if (n + 1 < sizeof(line))
				line[n++] = text[pos] == '\0' ? ' ' : text[pos];
			pos++;
		}
		pos++;
		line[n] = '\0';
		k = sscanf(line, "%31s %63s", key, val);
		if (k < 1 || key[0] == '#')
			continue;
		if (k < 2) {
			note(warn, cap, lineno, "no value for", key);
			continue;
		}
		if (!strcmp(key, "DISPLAY_LEVEL") || !strcmp(key, "BOOT_TIMEOUT") ||
		    !strcmp(key, "DROP_MODE") || !strcmp(key, "USB_TIMEOUT") ||
		    !strcmp(key, "USB_RESET_DELAY") || !strcmp(key, "PCIE_RESET_DELAY") ||
		    !strcmp(key, "FORCE_MODE")) {
			long hi = !strcmp(key, "DISPLAY_LEVEL") ? 2 : !strcmp(key, "USB_TIMEOUT") ? 300 : 86400;

			if (num(val, !strcmp(key, "DROP_MODE") ? -1 : 0, hi, &v) < 0)
				return bf_error_ret(EINVAL, "line %u: bad value '%s' for %s", lineno, val, key);
			if (!strcmp(key, "DISPLAY_LEVEL"))
				c->display_level = (int)v;
			else if (!strcmp(key, "BOOT_TIMEOUT"))
				c->boot_timeout = v ? (unsigned)v : 300;
			else if (!strcmp(key, "DROP_MODE"))
				c->drop_mode = v > 0 ? 1 : v < 0 ? -1 : 0;
			else if (!strcmp(key, "USB_TIMEOUT"))
				c->usb_timeout = v ? (unsigned)v : 40;
			else if (!strcmp(key, "USB_RESET_DELAY"))
				c->usb_reset_delay = (int)v;
			else if (!strcmp(key, "PCIE_RESET_DELAY"))
				c->pcie_reset_delay = (int)v;
			else
				c->force_mode = v != 0;
		} else if (!strcmp(key, "PCIE_INTR_POLL_INTERVAL") || !strcmp(key, "PCIE_HAS_VFIO") ||
			   !strcmp(key, "PCIE_HAS_UIO")) {
			note(warn, cap, lineno, "does not apply to rshimd, ignored:", key);
		} else if (!strncmp(key, "rshim", 5) && isdigit((unsigned char)key[5])) {
			if (num(key + 5, 0, BF_RSHIMD_MAX_DEVS - 1, &v) < 0)
				return bf_error_ret(EINVAL, "line %u: bad device index '%s' (rshim0..rshim%d)",
						    lineno, key, BF_RSHIMD_MAX_DEVS - 1);
			if (strncmp(val, "usb-", 4) && strncmp(val, "pcie-", 5) && strncmp(val, "sim-", 4))
				return bf_error_ret(EINVAL, "line %u: device '%s' must start with usb-, pcie- "
						    "or sim-", lineno, val);
			if (c->nmap >= BF_RSHIMD_MAX_DEVS)
				return bf_error_ret(EINVAL, "line %u: too many devices", lineno);
			c->map[c->nmap].index = (unsigned)v;
			snprintf(c->map[c->nmap].dev, sizeof(c->map[0].dev), "%s", val);
			c->nmap++;
		} else if (!strcmp(key, "none")) {
			if (c->nignore < sizeof(c->ignore) / sizeof(c->ignore[0]))
				snprintf(c->ignore[c->nignore++], sizeof(c->ignore[0]), "%s", val);
		} else {
			note(warn, cap, lineno, "unknown key, ignored:", key);
		}
	}
	return 0;
}

int bf_rshimd_conf_load(struct bf_rshimd_conf *c, const char *path)
{
	char warn[1024];
	size_t len;
	char *buf;
	int r;

	r = bf_file_read_all(path, CONF_MAX, &buf, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return bf_error_get() ? r : bf_error_ret(-r, "cannot read %s: %s", path, strerror(-r));
	r = bf_rshimd_conf_parse(c, buf, len, warn, sizeof(warn));
	free(buf);
	if (r < 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", bf_error_str(r));
		return bf_error_ret(-r, "%s: %s", path, msg);
	}
	if (warn[0])
		fprintf(stderr, "rshimd: %s: %s", path, warn);
	return 0;
}
