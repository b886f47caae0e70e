/* cmd_cfg.c - bfctl cfg: bf.cfg helpers (passwd). */
#include "config.h"
#include "cli.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "cfgcheck.h"
#include "cfgkeys.h"
#include "fileio.h"
#include "passwd.h"
#include "print.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PW_MAX 256

static const char cfg_usage[] =
	"Usage: bfctl cfg check FILE [--json]\n"
	"       bfctl cfg show FILE [--json]\n"
	"       bfctl cfg passwd [--stdin] [--md5] [--json]\n"
	"\n"
	"Commands:\n"
	"  check    errors (syntax, wrong type, out of range, malformed hash) and\n"
	"           warnings (unknown key with a suggestion, plaintext or weak\n"
	"           password, command substitution, commands, keys the installer\n"
	"           overrides) as FILE:LINE:COL, and notes (each hook: code that\n"
	"           runs as root on the DPU). Exit 3 when there are errors.\n"
	"  show     the effective settings, defaults filled in, by install step\n"
	"  passwd   read a password (twice, without echo, from the terminal) and\n"
	"           print its crypt hash for ubuntu_PASSWORD in bf.cfg:\n"
	"           SHA-512 ($6$) by default, MD5 ($1$, as 'openssl passwd -1')\n"
	"           with --md5\n"
	"\n"
	"Options:\n"
	"      --stdin   read the password from the first line of stdin (scripts)\n"
	"      --md5     MD5-crypt instead of SHA-512\n"
	"      --json    a JSON \"passwd\" event with the hash\n"
	"  -h, --help    this help\n";

/* One line from fd into buf (without the newline). -errno, or the length. */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0 || c == '\n')
			break;
		if (n + 1 >= len)
			return -ENAMETOOLONG;
		buf[n++] = c;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (int)n;
}

static int prompt_noecho(int tty, const char *prompt, char *buf, size_t len)
{
	struct termios old, noecho;
	int r;

	if (write(tty, prompt, strlen(prompt)) < 0)
		return -errno;
	if (tcgetattr(tty, &old) < 0)
		return -errno;
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	if (tcsetattr(tty, TCSAFLUSH, &noecho) < 0)
		return -errno;
	r = read_line(tty, buf, len);
	tcsetattr(tty, TCSAFLUSH, &old);
	return r;
}

static int cfg_passwd(int argc, char **argv)
{
	enum { OPT_STDIN = BF_OPT_FIRST_CMD, OPT_MD5 };
	static const struct option longopts[] = {
		{ "stdin", no_argument, NULL, OPT_STDIN },
		{ "md5", no_argument, NULL, OPT_MD5 },
		BF_CLI_LONGOPTS, { 0 } };
	enum bf_passwd_alg alg = BF_PASSWD_SHA512;
	char pw[PW_MAX], again[PW_MAX], hash[256];
	bool from_stdin = false;
	int opt, r, tty;

	while ((opt = bf_cli_getopt(argc, argv, BF_CLI_SHORTOPTS, longopts)) != -1) {
		switch (opt) {
		case OPT_STDIN: from_stdin = true; break;
		case OPT_MD5: alg = BF_PASSWD_MD5; break;
		default: bf_cli_common(opt, cfg_usage);
		}
	}
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (from_stdin) {
		r = read_line(STDIN_FILENO, pw, sizeof(pw));
	} else {
		tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (tty < 0)
			return bf_cli_fail(BF_EXIT_USAGE, 0, "use --stdin in scripts",
					   "no terminal to read the password from");
		r = prompt_noecho(tty, "Password: ", pw, sizeof(pw));
		if (r >= 0) {
			int r2 = prompt_noecho(tty, "Again: ", again, sizeof(again));

			if (r2 < 0)
				r = r2;
			else if (strcmp(pw, again)) {
				close(tty);
				explicit_bzero(pw, sizeof(pw));
				explicit_bzero(again, sizeof(again));
				bf_error_clear();
				return bf_cli_fail(BF_EXIT_INPUT, 0, "try again",
						   "the two passwords differ");
			}
		}
		close(tty);
		explicit_bzero(again, sizeof(again));
	}
	if (r == -ENAMETOOLONG)
		return bf_cli_fail(BF_EXIT_INPUT, 0, NULL, "password longer than %d bytes", PW_MAX - 1);
	if (r < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot read the password");
	if (r == 0)
		return bf_cli_fail(BF_EXIT_INPUT, 0, NULL, "empty password");
	r = bf_passwd_hash(pw, alg, hash, sizeof(hash));
	explicit_bzero(pw, sizeof(pw));
	if (r < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot hash the password");
	bf_print_begin("passwd");
	bf_print_string(BF_PRINT_ANY, "hash", "%s\n", hash);
	bf_print_string(BF_PRINT_JSON, "algorithm", NULL, alg == BF_PASSWD_MD5 ? "md5" : "sha512");
	bf_print_end();
	return bf_cli_ok();
}

#define CFG_FILE_MAX (1u << 20)

static int load_both(const char *path, struct bf_cfgkeys *keys, struct bf_cfgcheck *chk)
{
	size_t len;
	char *buf;
	int r;

	if ((r = bf_cli_input(path)))
		return r;
	if ((r = bf_cfgkeys_load(keys)) < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot load the key database");
	r = bf_file_read_all(path, CFG_FILE_MAX, &buf, &len);
	if (r == 0) {
		r = bf_cfgcheck_run(keys, buf, len, chk);
		free(buf);
	}
	if (r < 0) {
		bf_cfgkeys_free(keys);
		return bf_cli_fail(r == -ENOMEM ? BF_EXIT_FAILURE : BF_EXIT_INPUT, r, NULL, "cannot check %s", path);
	}
	return 0;
}

static int cfg_check(int argc, char **argv)
{
	static const struct option longopts[] = { BF_CLI_LONGOPTS, { 0 } };
	struct bf_cfgkeys keys;
	struct bf_cfgcheck chk;
	const char *path;
	size_t i;
	int opt, r;

	while ((opt = bf_cli_getopt(argc, argv, BF_CLI_SHORTOPTS, longopts)) != -1)
		bf_cli_common(opt, cfg_usage);
	if (optind + 1 != argc)
		bf_cli_usage_error("check needs exactly one FILE");
	path = argv[optind];
	if ((r = load_both(path, &keys, &chk)) != 0)
		return r;
	for (i = 0; i < chk.n; i++)
		bf_cfgdiag_print(path, &chk.d[i], true);
	bf_print_line("%s: %u error%s, %u warning%s, %u note%s", path, chk.errors, chk.errors == 1 ? "" : "s",
		     chk.warnings, chk.warnings == 1 ? "" : "s", chk.notes, chk.notes == 1 ? "" : "s");
	r = chk.errors;
	bf_cfgcheck_free(&chk);
	bf_cfgkeys_free(&keys);
	if (r) {
		bf_error_clear();
		bf_error_set("%s has %d error%s", path, r, r == 1 ? "" : "s");
		return bf_cli_fail(BF_EXIT_INPUT, -EINVAL, "fix them before installing", "check failed");
	}
	return bf_cli_ok();
}

static void show_one(const char *name, const char *value, const char *source, bool secret,
		     const char *step)
{
	const char *shown = secret && *value ? "xxxxxx" : value;

	bf_print_begin("cfg_setting");
	bf_print_string(BF_PRINT_ANY, "key", "  %-32s ", name);
	bf_print_string(BF_PRINT_ANY, "value", "%-24s ", shown);
	bf_print_string(BF_PRINT_ANY, "source", "(%s)\n", source);
	bf_print_string(BF_PRINT_JSON, "step", NULL, step);
	bf_print_end();
}

static int cfg_show(int argc, char **argv)
{
	static const struct option longopts[] = { BF_CLI_LONGOPTS, { 0 } };
	struct bf_cfgkeys keys;
	struct bf_cfgcheck chk;
	size_t s, i, j;
	int opt, r;

	while ((opt = bf_cli_getopt(argc, argv, BF_CLI_SHORTOPTS, longopts)) != -1)
		bf_cli_common(opt, cfg_usage);
	if (optind + 1 != argc)
		bf_cli_usage_error("show needs exactly one FILE");
	if ((r = load_both(argv[optind], &keys, &chk)) != 0)
		return r;
	if (!chk.cfg) {
		r = bf_cli_fail(BF_EXIT_INPUT, 0, "run 'bfctl cfg check' for the details",
				"%s does not parse", argv[optind]);
		goto out;
	}
	for (s = 0; s < keys.nsteps; s++) {
		bool header = false;

		for (i = 0; i < keys.nkeys; i++) {
			const struct bf_cfgkey *k = &keys.keys[i];

			if (strcmp(k->step, keys.steps[s]))
				continue;
			if (!header) {
				bf_print_line("%s (%s):", keys.steps[s], keys.step_desc[s]);
				header = true;
			}
			if (strchr(k->name, '<')) {
				/* Numbered keys: the ones the file sets. */
				for (j = 0; j < chk.cfg->nvars; j++)
					if (bf_cfgkeys_find(&keys, chk.cfg->vars[j].name) == k &&
					    bf_bfcfg_var_find(chk.cfg, chk.cfg->vars[j].name) == &chk.cfg->vars[j])
						show_one(chk.cfg->vars[j].name, chk.cfg->vars[j].value, "bf.cfg",
							 k->secret, k->step);
				continue;
			}
			if (bf_bfcfg_var_find(chk.cfg, k->name))
				show_one(k->name, bf_bfcfg_var_find(chk.cfg, k->name)->value, "bf.cfg",
					 k->secret || k->type == BF_CFGKEY_CRYPT, k->step);
			else if (k->def[0])
				show_one(k->name, k->def, "default", false, k->step);
		}
	}
	for (j = 0; j < chk.cfg->nfuncs; j++)
		bf_print_line("hook %s: runs as root on the DPU", chk.cfg->funcs[j].name);
	r = bf_cli_ok();
out:
	bf_cfgcheck_free(&chk);
	bf_cfgkeys_free(&keys);
	return r;
}

int bf_cmd_cfg(int argc, char **argv)
{
	if (argc < 2)
		bf_cli_usage_exit(cfg_usage, true);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		bf_cli_usage_exit(cfg_usage, false);
	if (!strcmp(argv[1], "check")) {
		bf_cli_set_cmdname("bfctl cfg check");
		return cfg_check(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "show")) {
		bf_cli_set_cmdname("bfctl cfg show");
		return cfg_show(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "passwd")) {
		bf_cli_set_cmdname("bfctl cfg passwd");
		return cfg_passwd(argc - 1, argv + 1);
	}
	bf_cli_usage_error("unknown cfg command '%s'", argv[1]);
}
