/* cmd_cfg.c - bfctl cfg: bf.cfg helpers (passwd). */
#include "config.h"
#include "cli.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PW_MAX 256

static const char cfg_usage[] =
	"Usage: bfctl cfg passwd [--stdin] [--md5] [--json]\n"
	"\n"
	"Commands:\n"
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

	while ((opt = getopt_long(argc, argv, BF_CLI_SHORTOPTS, longopts, NULL)) != -1) {
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
			return bf_cli_fail(BF_EXIT_USAGE, -errno, "use --stdin in scripts",
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
				return bf_cli_fail(BF_EXIT_INPUT, -EINVAL, "try again",
						   "the two passwords differ");
			}
		}
		close(tty);
		explicit_bzero(again, sizeof(again));
	}
	if (r == -ENAMETOOLONG)
		return bf_cli_fail(BF_EXIT_INPUT, r, NULL, "password longer than %d bytes", PW_MAX - 1);
	if (r < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot read the password");
	if (r == 0)
		return bf_cli_fail(BF_EXIT_INPUT, -EINVAL, NULL, "empty password");
	r = bf_passwd_hash(pw, alg, hash, sizeof(hash));
	explicit_bzero(pw, sizeof(pw));
	if (r < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot hash the password");
	if (bf_event_json()) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "hash", json_object_new_string(hash));
		json_object_object_add(o, "algorithm",
			json_object_new_string(alg == BF_PASSWD_MD5 ? "md5" : "sha512"));
		bf_event_emit("passwd", o);
	}
	bf_event_say("%s", hash);
	return bf_cli_ok();
}

int bf_cmd_cfg(int argc, char **argv)
{
	if (argc < 2)
		bf_cli_usage_exit(cfg_usage, true);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		bf_cli_usage_exit(cfg_usage, false);
	if (!strcmp(argv[1], "passwd")) {
		bf_cli_set_cmdname("bfctl cfg passwd");
		return cfg_passwd(argc - 1, argv + 1);
	}
	bf_cli_usage_error("unknown cfg command '%s'", argv[1]);
}
