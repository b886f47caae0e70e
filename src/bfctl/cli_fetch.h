/* cli_fetch.h - inputs given as URLs (bf_cli_fetch_*): the options every
 * command that takes a BFB, a bf.cfg or an image accepts, and the fetch
 * of an input into the cache, reported in the command's words. */
#ifndef BF_CLI_FETCH_H
#define BF_CLI_FETCH_H

#include <stdbool.h>

#include "fetch.h"

enum { BF_OPT_CACHE = 0x1100, BF_OPT_CACERT, BF_OPT_INSECURE, BF_OPT_SHA256 };
#define BF_CLI_FETCH_LONGOPTS \
	{ "cache", required_argument, NULL, BF_OPT_CACHE }, \
	{ "cacert", required_argument, NULL, BF_OPT_CACERT }, \
	{ "insecure", no_argument, NULL, BF_OPT_INSECURE }, \
	{ "sha256", required_argument, NULL, BF_OPT_SHA256 }

/* The usage lines for these options. */
#define BF_CLI_FETCH_USAGE \
	"      --sha256 HEX      the bundle's expected SHA-256 (sha256:HEX too);\n" \
	"                        without it a URL.sha256 beside a URL is used\n" \
	"      --cache DIR       where downloads are kept (default /var/cache/bfctl)\n" \
	"      --cacert FILE     CA certificates (PEM) for https:// instead of the\n" \
	"                        system's\n" \
	"      --insecure        do not verify the https:// server (not advised)\n"

struct bf_cli_fetch {
	struct bf_fetch_opts o;
	const char *sha256;    /* --sha256: for the main input only */
	char paths[4][4096];   /* the cached files handed out */
	unsigned n;
};

void bf_cli_fetch_init(struct bf_cli_fetch *f);
/* The option opt, when it is one of these: true (taken); false otherwise.
 * A malformed value is a usage error (exits). */
bool bf_cli_fetch_opt(struct bf_cli_fetch *f, int opt, const char *arg);

/* When *path is a URL: fetch it (main: --sha256 applies) and point *path
 * at the cached file. 0, or the failure reported ("cannot fetch WHAT
 * URL: reason; nothing was pushed") and its exit code returned. --sha256
 * on a local path checks that file. */
int bf_cli_fetch_input(struct bf_cli_fetch *f, const char **path, const char *what, bool main);

#endif
