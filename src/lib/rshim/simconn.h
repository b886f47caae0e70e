/* rshim/simconn.h - a connection to a device that bfsim serves on its unix
 * socket (bf_rshim_sim_*): the client side of simproto.h, used by the sim
 * backend (rshim/sim.c) and the fw sim path (fw/dev.c). The socket is the
 * one $BFSIM_SOCKET names (`bfsim run` sets it, `bfsim serve` prints it);
 * without it there is no simulated device.
 */
#ifndef BF_RSHIM_SIMCONN_H
#define BF_RSHIM_SIMCONN_H

#include <stddef.h>
#include <stdint.h>

#include "chip.h"
#include "simproto.h"

struct bf_rshim_simconn;

/* What the device says about itself (HELLO). */
struct bf_rshim_simprops {
	unsigned devices;            /* how many the server has */
	const struct bf_chip *chip;
	double speed;                /* device seconds per real second */
};

/* Connect to device idx in role (BF_SIMPROTO_ROLE_*). 0 or -errno with
 * a sentence (-ENODEV: no socket, no such device, or the device refuses
 * the role). */
int bf_rshim_sim_connect(unsigned idx, unsigned role, struct bf_rshim_simconn **out,
			 struct bf_rshim_simprops *props);
void bf_rshim_sim_disconnect(struct bf_rshim_simconn *c);

/* One request and its reply (thread-safe per connection): the reply's
 * fixed fields into f (may be NULL), its data into out (up to cap bytes;
 * *got the size). 0 or -errno (the device's errno with its sentence, or
 * -EPIPE/-EPROTO/-ETIMEDOUT for the connection). */
int bf_rshim_sim_call(struct bf_rshim_simconn *c, uint16_t op, const uint64_t *req, const void *data,
		      size_t len, uint64_t *f, void *out, size_t cap, size_t *got);

/* The parse of a reply as the client takes it (a HELLO's properties
 * checked): 0 or -EPROTO. For the fuzz target. */
int bf_rshim_sim_check_reply(const uint8_t *buf, size_t len, uint16_t op, struct bf_simproto_msg *m,
			     struct bf_rshim_simprops *props);

/* The socket path ($BFSIM_SOCKET), or NULL when none is named: the only
 * place the library looks at the simulator's environment. */
const char *bf_rshim_sim_socket(void);

/* "sim:N" / "sim" / "N" -> N. 0 or -EINVAL. */
int bf_rshim_sim_index(const char *arg, unsigned *idx);

#endif
