/* commands.h - entry points of the bfctl subcommands (one file each). */
#ifndef BF_COMMANDS_H
#define BF_COMMANDS_H

int bf_cmd_bfb(int argc, char **argv);
int bf_cmd_cfg(int argc, char **argv);

#endif
