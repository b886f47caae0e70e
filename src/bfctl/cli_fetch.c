/* cli_fetch.c - inputs given as URLs: options and reporting (cli_fetch.h). */
#include "config.h"
#include "cli_fetch.h"
#include "cli.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

void bf_cli_fetch_init(struct bf_cli_fetch *f)
{
	memset(f, 0, sizeof(*f));
	f->o.retries = -1;
	f->o.progress = true;
}

bool bf_cli_fetch_opt(struct bf_cli_fetch *f, int opt, const char *arg)
{
	char hex[65];

	switch (opt) {
	case BF_OPT_CACHE: f->o.cache_dir = arg; return true;
	case BF_OPT_CACERT:
		if (bf_cli_input(arg))
			bf_cli_usage_error("--cacert: %s cannot be read", arg);
		f->o.cacert = arg;
		return true;
	case BF_OPT_INSECURE: f->o.insecure = true; return true;
	case BF_OPT_SHA256:
		if (bf_fetch_parse_digest(arg, hex) < 0)
			bf_cli_usage_error("--sha256: %s", bf_error_get());
		f->sha256 = arg;
		return true;
	default:
		return false;
	}
}

/* A local file against --sha256. */
static int check_local(const char *path, const char *want, const char *what)
{
	char got[65], hex[65];
	int r;

	bf_fetch_parse_digest(want, hex);
	if ((r = bf_fetch_file_sha256(path, got)) < 0)   /* the file, or no libcrypto */
		return bf_cli_fail(r == -ELIBACC ? BF_EXIT_FAILURE : BF_EXIT_INPUT, r, NULL,
				   "cannot check the %s", what);
	if (strcmp(got, hex)) {
		bf_error_clear();
		return bf_cli_fail(BF_EXIT_INPUT, 0, "nothing was pushed",
				   "%s: SHA-256 %s, expected %s", path, got, hex);
	}
	return 0;
}

int bf_cli_fetch_input(struct bf_cli_fetch *f, const char **path, const char *what, bool main)
{
	struct bf_fetch_opts o = f->o;
	struct bf_fetch_result res;
	int r;

	if (!bf_fetch_is_url(*path))
		return main && f->sha256 ? check_local(*path, f->sha256, what) : 0;
	if (f->n >= sizeof(f->paths) / sizeof(f->paths[0]))
		return bf_cli_fail(BF_EXIT_USAGE, 0, NULL, "too many URLs");
	if (o.insecure)
		bf_warn("%s: the server's certificate is not verified (--insecure)", *path);
	o.sha256 = main ? f->sha256 : NULL;
	bf_error_clear();
	r = bf_fetch(*path, &o, &res);
	if (r < 0)
		return bf_cli_fail(bf_fetch_exit_code(r), r, NULL, "cannot fetch the %s", what);
	bf_info("%s: %s (%s%s)", *path, res.path, res.cached ? "cached" : res.resumed ? "resumed" : "downloaded",
		res.checked ? ", SHA-256 checked" : "");
	snprintf(f->paths[f->n], sizeof(f->paths[0]), "%s", res.path);
	*path = f->paths[f->n++];
	return 0;
}
