/* provision_bfcfg.c - the bf.cfg bfctl provision pushes: the profile's
 * bfcfg: keys, then two hooks for the hand-off (doc/provision.md):
 *   bfb_modify_os    (the new OS mounted at /mnt) adds the device's public
 *                    key to root's authorized_keys, makes the OS's ed25519
 *                    host key if it has none, tells cloud-init to keep the
 *                    host keys, records the bundle's version, and keeps the
 *                    host key's fingerprint for the next hook;
 *   bfb_post_install publishes that fingerprint on the RShim log with
 *                    bfrshlog ("bfctl-hostkey SHA256:..."), the channel
 *                    the host reads and pins it from.
 * No secret goes into it: a public key, a fingerprint, a version. */
#include "config.h"
#include "provision_int.h"
#include "bfcfg.h"
#include "error.h"
#include "fileio.h"
#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CFG_MAX 65536

static const char hooks[] =
	"bfb_modify_os()\n"
	"{\n"
	"\tinstall -d -m 0700 /mnt/root/.ssh\n"
	"\tgrep -qxF \"$BFCTL_PUBKEY\" /mnt/root/.ssh/authorized_keys 2>/dev/null ||\n"
	"\t\tprintf '%s\\n' \"$BFCTL_PUBKEY\" >> /mnt/root/.ssh/authorized_keys\n"
	"\tchmod 0600 /mnt/root/.ssh/authorized_keys\n"
	"\tk=/mnt/etc/ssh/ssh_host_ed25519_key\n"
	"\tif [ ! -s \"$k\" ] || [ ! -s \"$k.pub\" ]; then\n"
	"\t\trm -f \"$k\" \"$k.pub\"\n"
	"\t\tmkdir -p /mnt/etc/ssh\n"
	"\t\tssh-keygen -q -t ed25519 -N '' -C root@dpu -f \"$k\" 2>/dev/null ||\n"
	"\t\t\tchroot /mnt ssh-keygen -q -t ed25519 -N '' -C root@dpu -f /etc/ssh/ssh_host_ed25519_key\n"
	"\tfi\n"
	"\tmkdir -p /mnt/etc/cloud/cloud.cfg.d /mnt/var/lib/bfctl\n"
	"\tprintf 'ssh_deletekeys: false\\n' > /mnt/etc/cloud/cloud.cfg.d/99-bfctl-hostkey.cfg\n"
	"\tprintf '%s\\n' \"$BFCTL_BFB_VERSION\" > /mnt" BF_PROV_VERSION_FILE "\n"
	"\t{ ssh-keygen -lf \"$k.pub\" 2>/dev/null || chroot /mnt ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub; } |\n"
	"\t\tcut -d' ' -f2 > /tmp/bfctl-hostkey.fp\n"
	"}\n"
	"\n"
	"bfb_post_install()\n"
	"{\n"
	"\tif [ -s /tmp/bfctl-hostkey.fp ]; then\n"
	"\t\tbfrshlog \"INFO " BF_PROV_HOSTKEY_TAG "$(head -c 80 /tmp/bfctl-hostkey.fp)\"\n"
	"\telse\n"
	"\t\tbfrshlog \"ERR bfctl-hostkey: no SSH host key fingerprint\"\n"
	"\tfi\n"
	"}\n";

/* Single-quoted for bash: ' becomes '\''. */
static int put_quoted(char *buf, size_t cap, size_t *pos, const char *v)
{
	size_t n = *pos;

	if (n + 1 >= cap)
		return -EOVERFLOW;
	buf[n++] = '\'';
	for (; *v; v++) {
		if (*v == '\n' || *v == '\r')
			return -EINVAL;
		if (*v == '\'') {
			if (n + 4 >= cap)
				return -EOVERFLOW;
			memcpy(buf + n, "'\\''", 4);
			n += 4;
		} else {
			if (n + 1 >= cap)
				return -EOVERFLOW;
			buf[n++] = *v;
		}
	}
	if (n + 2 >= cap)
		return -EOVERFLOW;
	buf[n++] = '\'';
	buf[n++] = '\n';
	buf[n] = '\0';
	*pos = n;
	return 0;
}

static int put_kv(char *buf, size_t cap, size_t *pos, const char *key, const char *v)
{
	int n = snprintf(buf + *pos, cap - *pos, "%s=", key);

	if (n < 0 || (size_t)n >= cap - *pos)
		return -EOVERFLOW;
	*pos += (size_t)n;
	return put_quoted(buf, cap, pos, v);
}

static int compose(struct bf_prov *p, const struct bf_profile *prof, char *buf, size_t cap, size_t *len)
{
	size_t pos = 0, i;
	int n, r;

	n = snprintf(buf, cap, "# bf.cfg made by bfctl provision: the profile's bfcfg: keys and the hand-off hooks\n");
	pos = (size_t)n;
	for (i = 0; i < prof->nbfcfg; i++) {
		const char *k = prof->bfcfg[i].key;
		size_t j;

		for (j = 0; k[j]; j++)
			if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_", k[j]))
				return bf_error_ret(EINVAL, "bfcfg key '%.64s' is not a shell variable name", k);
		if ((r = put_kv(buf, cap, &pos, k, prof->bfcfg[i].value)) < 0)
			return bf_error_ret(-r, "bfcfg.%s: its value cannot go into bf.cfg", k);
	}
	if ((r = put_kv(buf, cap, &pos, "BFCTL_PUBKEY", p->pub)) < 0 ||
	    (r = put_kv(buf, cap, &pos, "BFCTL_BFB_VERSION", p->bfb_version)) < 0)
		return bf_error_ret(-r, "the hand-off values do not fit in bf.cfg");
	n = snprintf(buf + pos, cap - pos, "\n");
	pos += (size_t)n;
	if (sizeof(hooks) >= cap - pos)
		return bf_error_ret(EOVERFLOW, "bf.cfg too long");
	memcpy(buf + pos, hooks, sizeof(hooks));
	*len = pos + sizeof(hooks) - 1;
	return 0;
}

int bf_prov_bfcfg_write(struct bf_prov *p, const struct bf_profile *prof, char *out, size_t cap)
{
	struct bf_bfcfg *cfg = NULL;
	char *buf = malloc(CFG_MAX);
	size_t len = 0;
	int fd, r;

	if (!buf)
		return bf_prov_fail(p, BF_EXIT_FAILURE, -ENOMEM, NULL, "%s: out of memory", p->o->device);
	r = compose(p, prof, buf, CFG_MAX, &len);
	/* The installer sources it: it must read as bf.cfg does. */
	if (r == 0 && (r = bf_bfcfg_parse(buf, len, &cfg)) == 0)
		bf_bfcfg_free(cfg);
	if (r < 0) {
		free(buf);
		return bf_prov_fail(p, BF_EXIT_INPUT, r, "fix the profile's bfcfg: layer; nothing was touched",
				    "%s: the bf.cfg made from %s is not valid: %s", p->o->device, p->o->profile,
				    bf_error_str(r));
	}
	if (snprintf(out, cap, "%s/bf.cfg", p->state_dir) >= (int)cap) {
		free(buf);
		return bf_prov_fail(p, BF_EXIT_INPUT, -ENAMETOOLONG, NULL, "%s: state directory path too long", p->o->device);
	}
	fd = bf_file_create(out, 0600, true);
	r = fd < 0 ? fd : bf_file_write_all(fd, buf, len);
	if (fd >= 0)
		close(fd);
	free(buf);
	if (r < 0)
		return bf_prov_fail(p, BF_EXIT_FAILURE, r, NULL, "%s: cannot write %s", p->o->device, out);
	return 0;
}
