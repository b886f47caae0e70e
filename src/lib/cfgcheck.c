/* cfgcheck.c - bf.cfg diagnostics from the lexer's items and keys.yaml. */
#include "config.h"
#include "cfgcheck.h"
#include "error.h"
#include "passwd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *bf_cfgdiag_sev_name(enum bf_cfgdiag_sev s)
{
	return s == BF_CFGDIAG_ERROR ? "error" : s == BF_CFGDIAG_WARNING ? "warning" : "note";
}

static void diag(struct bf_cfgcheck *c, enum bf_cfgdiag_sev sev, struct bf_bfcfg_pos pos,
		 const char *key, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void diag(struct bf_cfgcheck *c, enum bf_cfgdiag_sev sev, struct bf_bfcfg_pos pos,
		 const char *key, const char *fmt, ...)
{
	struct bf_cfgdiag *d;
	va_list ap;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct bf_cfgdiag *n = realloc(c->d, cap * sizeof(*n));

		if (!n)
			return;
		c->d = n;
		c->cap = cap;
	}
	d = &c->d[c->n++];
	d->sev = sev;
	d->pos = pos;
	snprintf(d->key, sizeof(d->key), "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	if (sev == BF_CFGDIAG_ERROR)
		c->errors++;
	else if (sev == BF_CFGDIAG_WARNING)
		c->warnings++;
	else
		c->notes++;
}

static bool is_int(const char *v, int64_t *out)
{
	char *end;
	long long n;

	if (!*v || (!isdigit((unsigned char)v[0]) && !(v[0] == '-' && isdigit((unsigned char)v[1]))))
		return false;
	errno = 0;
	n = strtoll(v, &end, 10);
	*out = n;
	return !errno && !*end;
}

static bool is_mac(const char *v)
{
	unsigned i;

	if (strlen(v) != 17)
		return false;
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? v[i] != ':' : !isxdigit((unsigned char)v[i]))
			return false;
	return true;
}

static bool is_bootentry(const char *v)
{
	static const char *const ifs[] = { "NIC_P0", "NIC_P1", "OOB", "RSHIM" };
	const char *p;
	size_t i;

	if (!strcmp(v, "DISK") || !strcmp(v, "UEFI_SHELL"))
		return true;
	if (strncmp(v, "NET-", 4))
		return false;
	p = v + 4;
	for (i = 0; i < 4; i++)
		if (!strncmp(p, ifs[i], strlen(ifs[i])))
			break;
	if (i == 4)
		return false;
	p += strlen(ifs[i]);
	if (*p == '.') {
		unsigned vlan = 0, digits = 0;

		for (p++; isdigit((unsigned char)*p) && digits < 5; p++, digits++)
			vlan = vlan * 10 + (unsigned)(*p - '0');
		if (!digits || vlan > 4094)
			return false;
	}
	if (strncmp(p, "-IPV4", 5) && strncmp(p, "-IPV6", 5))
		return false;
	p += 5;
	return !*p || !strcmp(p, "-HTTP");
}

static void check_value(struct bf_cfgcheck *c, const struct bf_cfgkey *k, const struct bf_bfcfg_var *v)
{
	const char *val = v->value, *why = NULL;
	int64_t n;
	unsigned i;

	if (v->flags & BF_BFCFG_EXPANDS)
		return;   /* decided on the DPU: warned about separately */
	switch (k->type) {
	case BF_CFGKEY_YESNO:
		if (strcmp(val, "yes") && strcmp(val, "no") && *val)
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name,
			     "%s takes yes or no (the installer compares with \"yes\": '%s' means no)", v->name, val);
		break;
	case BF_CFGKEY_TRUEFALSE:
		if (strcmp(val, "TRUE") && strcmp(val, "FALSE") && *val)
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name,
			     "%s takes TRUE or FALSE (bfcfg compares with \"TRUE\": '%s' means FALSE)", v->name, val);
		break;
	case BF_CFGKEY_INT:
		if (!*val)
			break;
		if (!is_int(val, &n))
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name, "%s takes an integer, not '%s'", v->name, val);
		else if (n < k->min || n > k->max)
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name, "%s=%lld is out of range [%lld, %lld]", v->name,
			     (long long)n, (long long)k->min, (long long)k->max);
		break;
	case BF_CFGKEY_STRING:
	case BF_CFGKEY_PATH:
	case BF_CFGKEY_LIST:
		if (k->max_len && strlen(val) > k->max_len)
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name, "%s is %zu characters long, above its limit of %zu",
			     v->name, strlen(val), k->max_len);
		if (k->secret && *val)
			diag(c, BF_CFGDIAG_WARNING, v->pos, v->name,
			     "%s holds a plaintext password: keep this bf.cfg private (the installer masks it only in its own log)",
			     v->name);
		break;
	case BF_CFGKEY_IP: {
		unsigned char buf[16];

		if (*val && inet_pton(AF_INET, val, buf) != 1 && inet_pton(AF_INET6, val, buf) != 1)
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name, "%s takes an IP address, not '%s'", v->name, val);
		break;
	}
	case BF_CFGKEY_MAC:
		if (*val && !is_mac(val))
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name, "%s takes a MAC address xx:xx:xx:xx:xx:xx, not '%s'",
			     v->name, val);
		break;
	case BF_CFGKEY_CRYPT:
		if (!*val)
			break;
		if (val[0] != '$') {
			diag(c, BF_CFGDIAG_WARNING, v->pos, v->name,
			     "%s looks like a plaintext password: it must be a crypt hash (make one with 'bfctl cfg passwd')",
			     v->name);
			c->plaintext++;
		}
		else if (!bf_passwd_is_hash(val, &why))
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name, "%s: %s", v->name, why);
		else if (!strncmp(val, "$1$", 3))
			diag(c, BF_CFGDIAG_WARNING, v->pos, v->name,
			     "%s is an MD5-crypt hash, which is weak: prefer SHA-512 ('bfctl cfg passwd')", v->name);
		break;
	case BF_CFGKEY_PBKDF2:
		if (*val && strncmp(val, "grub.pbkdf2.sha512.", 19))
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name,
			     "%s takes a grub PBKDF2 hash (grub-mkpasswd-pbkdf2), not plaintext", v->name);
		break;
	case BF_CFGKEY_ENUM:
		if (!*val)
			break;
		for (i = 0; i < k->nvalues; i++)
			if (!strcmp(val, k->values[i]))
				break;
		if (i == k->nvalues) {
			char list[160] = "";
			size_t o = 0;

			for (i = 0; i < k->nvalues && o < sizeof(list); i++)
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", k->values[i]);
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name, "%s takes one of %s, not '%s'", v->name, list, val);
		}
		break;
	case BF_CFGKEY_BOOTENTRY:
		if (*val && !is_bootentry(val))
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name,
			     "%s takes DISK, UEFI_SHELL or NET-<NIC_P0|NIC_P1|OOB|RSHIM>[.<vlan>]-<IPV4|IPV6>[-HTTP], not '%s'",
			     v->name, val);
		break;
	}
}

int bf_cfgcheck_run(const struct bf_cfgkeys *keys, const char *buf, size_t len, struct bf_cfgcheck *c)
{
	struct bf_bfcfg_diag sd;
	size_t i;
	int r;

	memset(c, 0, sizeof(*c));
	r = bf_bfcfg_parse_diag(buf, len, &c->cfg, &sd);
	if (r == -EBADMSG) {
		bf_error_clear();
		diag(c, BF_CFGDIAG_ERROR, sd.pos, NULL, "%s (the installer ignores a bf.cfg that does not parse)", sd.msg);
		return 0;
	}
	if (r < 0)
		return r;
	for (i = 0; i < c->cfg->nvars; i++) {
		const struct bf_bfcfg_var *v = &c->cfg->vars[i];
		const struct bf_cfgkey *k = bf_cfgkeys_find(keys, v->name);

		if ((v->flags & BF_BFCFG_EXPANDS) && k && k->type == BF_CFGKEY_CRYPT) {
			diag(c, BF_CFGDIAG_ERROR, v->pos, v->name,
			     "%s is a crypt hash outside single quotes: bash expands its $1/$6/$salt parts; write %s='$...'",
			     v->name, v->name);
			continue;
		}
		if (v->flags & BF_BFCFG_EXPANDS) {
			if (strstr(v->value, "$(") || strchr(v->value, '`'))
				diag(c, BF_CFGDIAG_WARNING, v->pos, v->name,
				     "%s holds a command substitution: it runs as root on the DPU, every time bf.cfg is sourced",
				     v->name);
			else
				diag(c, BF_CFGDIAG_NOTE, v->pos, v->name,
				     "%s is expanded on the DPU: its value is not checked here", v->name);
		}
		if (!k) {
			const char *s = bf_cfgkeys_suggest(keys, v->name);

			if (s)
				diag(c, BF_CFGDIAG_WARNING, v->pos, v->name,
				     "unknown key %s: the installer ignores it (did you mean %s?)", v->name, s);
			else
				diag(c, BF_CFGDIAG_WARNING, v->pos, v->name,
				     "unknown key %s: the installer ignores it", v->name);
			continue;
		}
		check_value(c, k, v);
		if (k->overridden)
			diag(c, BF_CFGDIAG_WARNING, v->pos, v->name,
			     "%s is overridden by the installer on %s", v->name, k->overridden);
	}
	for (i = 0; i < c->cfg->nfuncs; i++) {
		const struct bf_bfcfg_func *f = &c->cfg->funcs[i];
		const struct bf_cfghook *h = bf_cfgkeys_hook(keys, f->name);

		if (h)
			diag(c, BF_CFGDIAG_NOTE, f->pos, f->name,
			     "hook %s runs as root on the DPU %s", f->name, h->when);
		else
			diag(c, BF_CFGDIAG_WARNING, f->pos, f->name,
			     "function %s is not a hook the installer calls: it only runs if something in bf.cfg calls it",
			     f->name);
	}
	for (i = 0; i < c->cfg->ncmds; i++)
		diag(c, BF_CFGDIAG_WARNING, c->cfg->cmds[i].pos, c->cfg->cmds[i].name,
		     "command '%s' runs as root on the DPU each time the installer or bfcfg sources bf.cfg",
		     c->cfg->cmds[i].name);
	return 0;
}

void bf_cfgcheck_free(struct bf_cfgcheck *c)
{
	free(c->d);
	bf_bfcfg_free(c->cfg);
	memset(c, 0, sizeof(*c));
}
