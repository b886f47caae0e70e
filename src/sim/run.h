/* run.h - `bfsim run` and `bfsim serve` (run.c). */
#ifndef BF_SIM_RUN_H
#define BF_SIM_RUN_H

int bf_sim_cmd_run(int argc, char **argv);
int bf_sim_cmd_serve(int argc, char **argv);

#endif
