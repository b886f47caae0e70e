/* cli.h - shared plumbing of the command-line programs (bf_cli_*): options, usage errors, exit codes. */
#ifndef BF_CLI_H
#define BF_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

struct bf_cmd {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv);   /* argv[0] is the command name */
};

/* Options every command accepts; add BF_CLI_LONGOPTS to a getopt_long
 * table and call bf_cli_common() from its default: branch. */
enum { BF_OPT_JSON = 0x1000, BF_OPT_VERSION, BF_OPT_FIRST_CMD };
#define BF_CLI_LONGOPTS \
	{ "json", no_argument, NULL, BF_OPT_JSON }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }
#define BF_CLI_SHORTOPTS "vh"

/* getopt_long for commands: remembers argv and the tables so that
 * bf_cli_common can say what was wrong in the project's words (getopt's
 * own messages are off). */
int bf_cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* Handles -v, --json, -h (prints usage, exits 0) and unknown options or
 * missing values ("bfctl CMD: unknown option '--foo'; see 'bfctl CMD
 * --help'", exit BF_EXIT_USAGE, with a result event under --json).
 * Returns only for the options it accepted. */
void bf_cli_common(int opt, const char *usage);

/* Print usage to stdout and exit 0 / to stderr and exit BF_EXIT_USAGE. */
void bf_cli_usage_exit(const char *usage, bool error) __attribute__((noreturn));
/* "bfctl CMD: <msg>; see 'bfctl CMD --help'" to stderr (and a result
 * event under --json), then exit BF_EXIT_USAGE. */
void bf_cli_usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Report a failure: one sentence (what failed, the library's recorded
 * reason or else the errno's; with err 0 the head says it all: no reason
 * is added; then hint when given) on stderr, a "result" event
 * in JSON mode; returns code. */
int bf_cli_fail(int code, int err, const char *hint, const char *what, ...)
	__attribute__((format(printf, 4, 5)));
/* A local input file (bundle, bf.cfg, image, manifest) must be readable
 * before anything is done with it: 0, or "cannot read PATH: <reason>"
 * reported with BF_EXIT_INPUT (every command answers an unreadable input
 * the same way) and that code returned. */
int bf_cli_input(const char *path);

/* Report success ("result" event in JSON mode); returns 0. */
int bf_cli_ok(void);
/* Success with another status than "ok" (e.g. "skipped": nothing had to be
 * done) and a sentence, in the result event; returns 0. */
int bf_cli_ok_status(const char *status, const char *message);

/* Map a negative errno from the library to the default exit code. */
int bf_cli_exit_for(int err);

/* The full command line "bfctl bfb verify", for messages. */
const char *bf_cli_cmdname(void);
void bf_cli_set_cmdname(const char *name);

struct bf_rshim;
/* Open the device named by --rshim (or $BFCTL_RSHIM when name is NULL).
 * Returns 0, or reports the failure and returns the exit code. */
int bf_cli_open_rshim(const char *name, struct bf_rshim **r);

#endif
