/* commands.h - entry points of the bfctl subcommands (one file each). */
#ifndef BF_COMMANDS_H
#define BF_COMMANDS_H

#include <stdbool.h>

int bf_cmd_bfb(int argc, char **argv);
int bf_cmd_cfg(int argc, char **argv);
int bf_cmd_fw(int argc, char **argv);
int bf_cmd_install(int argc, char **argv);
int bf_cmd_log(int argc, char **argv);
int bf_cmd_reset(int argc, char **argv);
int bf_cmd_reg(int argc, char **argv);
int bf_cmd_console(int argc, char **argv);
int bf_cmd_list(int argc, char **argv);
int bf_cmd_profile(int argc, char **argv);

struct bf_cfgdiag;
/* One bf.cfg diagnostic: a "cfg_diag" event, and in text mode (when text)
 * the line FILE:LINE:COL: SEVERITY: MESSAGE on stdout. */
void bf_cli_cfg_diag(const char *path, const struct bf_cfgdiag *d, bool text);

#endif
