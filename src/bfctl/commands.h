/* commands.h - entry points of the bfctl subcommands (one file each). */
#ifndef BF_COMMANDS_H
#define BF_COMMANDS_H

int bf_cmd_bfb(int argc, char **argv);
int bf_cmd_cfg(int argc, char **argv);
int bf_cmd_fw(int argc, char **argv);
int bf_cmd_install(int argc, char **argv);
int bf_cmd_bmc(int argc, char **argv);
int bf_cmd_log(int argc, char **argv);
int bf_cmd_reset(int argc, char **argv);
int bf_cmd_reg(int argc, char **argv);
int bf_cmd_console(int argc, char **argv);
int bf_cmd_list(int argc, char **argv);
int bf_cmd_profile(int argc, char **argv);
int bf_cmd_provision(int argc, char **argv);
int bf_cmd_provision_inventory(int argc, char **argv);
int bf_cmd_agent(int argc, char **argv);
int bf_cmd_upgrade(int argc, char **argv);

#endif
