/* serve.h - bfsim's devices on a unix socket (bf_sim_serve_*): the server
 * side of simproto.h. One socket for all devices; each connection says
 * which device and which part of it (RShim, NIC function) it talks to.
 */
#ifndef BF_SIM_SERVE_H
#define BF_SIM_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"

/* What one connection has said so far. */
struct bf_sim_session {
	int dev;                  /* -1 before HELLO */
	unsigned role;            /* BF_SIMPROTO_ROLE_* */
	/* The link is busy with the last boot write until then
	 * (CLOCK_MONOTONIC ns, 0: idle); see conn_main in serve.c. */
	uint64_t busy_until_ns;
	bool rshim_user;          /* counted in the device's rshim_host_users */
};

struct bf_sim_serve_opts {
	/* Non-NULL: the devices are served over these transports ("usb,pci")
	 * and the socket only says so (HELLO answers -ENODEV naming them). */
	const char *transport;
};

/* One request (a whole message at in) against devs[0..n-1]: the reply
 * into out (cap >= BF_SIMPROTO_MAX_MSG). Returns the reply's size, or
 * -EPROTO when the request is malformed (the connection is then closed).
 * Takes each device's lock around the calls into it. */
long bf_sim_serve_msg(struct bf_sim_host *devs, unsigned n, const struct bf_sim_serve_opts *o,
		      struct bf_sim_session *ss, const uint8_t *in, size_t inlen, uint8_t *out, size_t cap);

struct bf_sim_server;

/* Listen on path (a new socket, mode 0600, in a directory only the
 * caller may enter) and serve devs from threads. 0 or -errno with a
 * sentence. */
int bf_sim_serve_start(struct bf_sim_host *devs, unsigned n, const struct bf_sim_serve_opts *o,
		       const char *path, struct bf_sim_server **out);
/* Stop listening, end every connection, remove the socket. */
void bf_sim_serve_stop(struct bf_sim_server *s);

#endif
