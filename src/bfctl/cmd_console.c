/* cmd_console.c - bfctl console: the DPU's console (hvc0) over RShim. */
#include "config.h"
#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "error.h"
#include "fileio.h"
#include "log.h"
#include "event.h"
#include "rshim.h"
#include "tmconsole.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define POLL_MS 20
#define ESCAPE  0x1d   /* Ctrl-] */

static const char console_usage[] =
	"Usage: bfctl console --rshim DEV [--timeout S] [-v]\n"
	"\n"
	"Connect to the DPU's console (hvc0) over the RShim tmfifo. On a terminal\n"
	"the session is raw; Ctrl-] ends it. With stdin not a terminal (scripts),\n"
	"stdin is sent to the DPU and output is shown until S seconds pass with\n"
	"no output after stdin ends (default 2).\n"
	"\n"
	"Options:\n"
	"  -r, --rshim DEV   the device (default $BFCTL_RSHIM)\n"
	"  -t, --timeout S   idle seconds before ending a non-interactive session\n"
	"  -v, --verbose     more detail\n"
	"  -h, --help        this help\n";

static void to_stdout(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	bf_file_write_all(STDOUT_FILENO, buf, len);   /* a closed stdout is not the DPU's fault */
}

/* Send everything, waiting for FIFO room (bounded by the deadline). */
static int send_all(struct bf_tmconsole *c, const uint8_t *buf, size_t len, const struct bf_deadline *d)
{
	while (len) {
		ssize_t n = bf_tmconsole_write(c, buf, len);
		int r;

		if (n < 0)
			return (int)n;
		buf += n;
		len -= (size_t)n;
		if (n == 0) {
			if ((r = bf_tmconsole_poll(c)) < 0)
				return r;
			if (bf_deadline_passed(d))
				return bf_error_ret(ETIMEDOUT, "%s: the DPU does not read its console", c->r->name);
			bf_clock_sleep_ns(POLL_MS * 1000000ull);
		}
	}
	return 0;
}

int bf_cmd_console(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rshim", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		BF_CLI_LONGOPTS, { 0 } };
	const char *dev = NULL;
	double idle_s = 2.0;
	struct bf_tmconsole c;
	struct termios old, raw;
	struct bf_deadline idle;
	bool tty = isatty(STDIN_FILENO) == 1, eof = false, quit = false;
	struct bf_rshim *r;
	int opt, ret = 0;

	while ((opt = bf_cli_getopt(argc, argv, "r:t:" BF_CLI_SHORTOPTS, longopts)) != -1) {
		switch (opt) {
		case 'r': dev = optarg; break;
		case 't':
			if (bf_duration_parse(optarg, &idle_s) < 0)
				bf_cli_usage_error("--timeout: %s", bf_error_get());
			break;
		default: bf_cli_common(opt, console_usage);
		}
	}
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if ((ret = bf_cli_open_rshim(dev, &r)) != 0)
		return ret;
	bf_tmconsole_init(&c, r, to_stdout, NULL);
	if (tty) {
		tcgetattr(STDIN_FILENO, &old);
		raw = old;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		fprintf(stderr, "Connected to %s console. Ctrl-] to quit.\r\n", r->name);
	}
	bf_deadline_set(&idle, idle_s, "console output");
	while (!quit && !bf_stop_requested()) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		int n;

		if (!eof && poll(&pfd, 1, POLL_MS) > 0) {
			uint8_t buf[512];
			ssize_t got = read(STDIN_FILENO, buf, sizeof(buf));

			if (got <= 0) {
				eof = true;
				bf_deadline_set(&idle, idle_s, "console output");
			} else {
				struct bf_deadline d;
				uint8_t *esc = tty ? memchr(buf, ESCAPE, (size_t)got) : NULL;

				if (esc) {
					got = esc - buf;
					quit = true;
				}
				bf_deadline_set(&d, 10, "console input");
				if ((ret = send_all(&c, buf, (size_t)got, &d)) < 0)
					break;
			}
		} else if (eof) {
			bf_clock_sleep_ns(POLL_MS * 1000000ull);
		}
		n = bf_tmconsole_poll(&c);
		if (n < 0) {
			ret = n;
			break;
		}
		if (n > 0)
			bf_deadline_set(&idle, idle_s, "console output");
		else if (eof && !tty && bf_deadline_passed(&idle))
			break;
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fprintf(stderr, "\r\n");
	}
	if (ret < 0) {
		ret = bf_cli_fail(BF_EXIT_DEVICE, ret,
				  ret == -ENODEV ? "the device left (unplugged, or reset); 'bfctl list' shows where it is now" : NULL,
				  "console of %s", r->name);
		bf_rshim_close(r);
		return ret;
	}
	bf_info("%s: console: %llu bytes sent, %llu received", r->name,
		(unsigned long long)c.tx_bytes, (unsigned long long)c.rx_bytes);
	bf_rshim_close(r);
	return bf_cli_ok();
}
