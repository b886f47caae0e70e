/* netns.h - `bfsim run --net` (bf_sim_netns_*): the DPU's network
 * namespace with its end of tmfifo_net0, and COMMAND's own namespace. */
#ifndef BF_SIM_NETNS_H
#define BF_SIM_NETNS_H

#include <sys/types.h>

struct bf_sim_netns {
	pid_t holder;     /* keeps the DPU's namespace alive */
	int sock;         /* closing it ends the holder */
	int tapfd;        /* the DPU's TAP ($BFSIM_NET_FD) */
};

/* In bfsim, before the device opens and COMMAND starts. 0 or -errno. */
int bf_sim_netns_start(struct bf_sim_netns *n);
/* In COMMAND's child before exec: a network namespace of its own, lo up. */
int bf_sim_netns_enter(void);
void bf_sim_netns_stop(struct bf_sim_netns *n);

#endif
