/* cfgcheck_file.c - the bf.cfg check bfctl install and bfb-install make
 * before anything is pushed. */
#include "config.h"
#include "cfgcheck.h"
#include "cfgkeys.h"
#include "error.h"
#include "fileio.h"
#include "event.h"
#include "log.h"
#include "print.h"

#include <errno.h>
#include <stdlib.h>

#define BFCFG_MAX (1u << 20)

void bf_cfgdiag_print(const char *path, const struct bf_cfgdiag *d, bool text)
{
	enum bf_print_to to = text ? BF_PRINT_ANY : BF_PRINT_JSON;

	bf_print_begin("cfg_diag");
	bf_print_string(to, "file", "%s:", path);
	bf_print_uint(to, "line", "%llu:", d->pos.line);
	bf_print_uint(to, "col", "%llu: ", d->pos.col);
	bf_print_string(to, "severity", "%s: ", bf_cfgdiag_sev_name(d->sev));
	if (d->key[0])
		bf_print_string(BF_PRINT_JSON, "key", NULL, d->key);
	bf_print_string(to, "message", "%s\n", d->msg);
	bf_print_end();
}

/* The diagnostics: cfg_diag events under --json, log lines on stderr otherwise. */
static void show(const char *path, const struct bf_cfgcheck *chk)
{
	size_t i;

	for (i = 0; i < chk->n; i++)
		if (bf_event_json())
			bf_cfgdiag_print(path, &chk->d[i], false);
		else if (chk->d[i].sev != BF_CFGDIAG_NOTE || bf_log_get_level() >= BF_LOG_INFO)
			bf_log(chk->d[i].sev == BF_CFGDIAG_ERROR ? BF_LOG_ERROR :
			       chk->d[i].sev == BF_CFGDIAG_WARNING ? BF_LOG_WARN : BF_LOG_INFO,
			       "%s:%u:%u: %s", path, chk->d[i].pos.line, chk->d[i].pos.col, chk->d[i].msg);
}

int bf_cfgcheck_install_file(const char *path, unsigned flags)
{
	struct bf_cfgkeys keys;
	struct bf_cfgcheck chk;
	unsigned errors, plain;
	size_t len;
	char *buf;
	int r;

	r = bf_file_read_all(path, BFCFG_MAX, &buf, &len);
	if (r < 0)
		return r;
	if (len == 0) {
		free(buf);
		return bf_error_ret(EINVAL, "bf.cfg %s is empty: the installer ignores an empty bf.cfg", path);
	}
	if ((r = bf_cfgkeys_load(&keys)) < 0) {
		free(buf);
		return r;
	}
	r = bf_cfgcheck_run(&keys, buf, len, &chk);
	free(buf);
	if (r < 0) {
		bf_cfgkeys_free(&keys);
		return r;
	}
	show(path, &chk);
	errors = chk.errors;
	plain = chk.plaintext;
	bf_cfgcheck_free(&chk);
	bf_cfgkeys_free(&keys);
	if (errors && !(flags & BF_CFGCHECK_FORCE))
		return bf_error_ret(EBADMSG, "%s has %u error%s (above; 'bfctl cfg check %s')", path,
				    errors, errors == 1 ? "" : "s", path);
	if (errors)
		bf_warn("%s has %u error%s; pushing anyway (--force)", path, errors, errors == 1 ? "" : "s");
	if (plain && !(flags & BF_CFGCHECK_ALLOW_PLAINTEXT))
		return bf_error_ret(EBADMSG, "%s holds %u plaintext password%s where a crypt hash belongs (above): "
				    "make the hash with 'bfctl cfg passwd' (--allow-plaintext-password overrides)",
				    path, plain, plain == 1 ? "" : "s");
	if (plain)
		bf_warn("%s holds a plaintext password; pushing it anyway (--allow-plaintext-password)", path);
	return 0;
}
