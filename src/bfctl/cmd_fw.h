/* cmd_fw.h - the pieces of `bfctl fw` shared by its files (cmd_fw*.c). */
#ifndef BF_CMD_FW_H
#define BF_CMD_FW_H

#include <stdbool.h>

#include "print.h"

struct bf_fw_dev;

/* --clear-semaphore, taken by every subcommand that opens a device: add
 * BF_FW_CLI_LONGOPTS to its options and pass what getopt returns through
 * bf_fw_cli_common. */
enum { BF_FW_OPT_CLEAR_SEM = 0x1800 };
#define BF_FW_CLI_LONGOPTS { "clear-semaphore", no_argument, NULL, BF_FW_OPT_CLEAR_SEM }, BF_CLI_LONGOPTS
void bf_fw_cli_common(int opt, const char *usage);

/* Open DEV; on failure report it and return the exit code (else 0). */
int bf_fw_cli_open(const char *dev, struct bf_fw_dev **d);
/* Ask question (y/N) on the terminal unless yes. 0 to go on, or an exit
 * code after reporting why not (no terminal: use -y; the user said no). */
int bf_fw_cli_confirm(const char *question, bool yes);
/* Report a library failure with the default exit code for err. */
int bf_fw_cli_fail(int err, const char *what, const char *dev);

/* One "LABEL:<padded to width>VALUE" line of flint's (text) and the JSON
 * key; _na: "N/A" in text for an empty value. */
void bf_fw_cli_field(enum bf_print_to to, const char *key, const char *label, int width, const char *val);
void bf_fw_cli_field_na(const char *key, const char *label, int width, const char *val);

/* The usage text of `bfctl fw`. */
const char *bf_fw_cli_usage(void);

/* The subcommands; argv[0] is the subcommand's name. */
int bf_cmd_fw_config(int argc, char **argv);
int bf_cmd_fw_burn(int argc, char **argv);
int bf_cmd_fw_reset(int argc, char **argv);
int bf_cmd_fw_image(int argc, char **argv);

#endif
