/* simproto.h - the messages between a simulated device and its host
 * (bf_simproto_*): bfsim serves its devices on a unix stream socket, the
 * library's sim backend (rshim/sim.c) and the fw sim path (fw/dev.c) are
 * its clients. Shared by both ends; described in doc/sim-protocol.md.
 *
 * Every message is an 8-byte header - u32 length of what follows, u16
 * operation, u16 zero - then the operation's fixed fields, then (for the
 * operations that carry bytes) data up to the end. All integers are
 * little-endian. A reply has the operation's value | BF_SIMPROTO_REPLY and
 * starts with a u32 status: 0, or a positive errno followed by one
 * sentence (at most BF_SIMPROTO_MAX_TEXT bytes) instead of the fields.
 * One request, one reply, in order, on each connection.
 */
#ifndef BF_SIMPROTO_H
#define BF_SIMPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_SIMPROTO_VERSION   1
#define BF_SIMPROTO_HDR       8u
#define BF_SIMPROTO_MAX_DATA  (1u << 20)   /* bytes one message carries */
#define BF_SIMPROTO_MAX_TEXT  256u
#define BF_SIMPROTO_MAX_FIXED 32u
#define BF_SIMPROTO_MAX_MSG   (BF_SIMPROTO_HDR + 4 + BF_SIMPROTO_MAX_FIXED + BF_SIMPROTO_MAX_DATA)
#define BF_SIMPROTO_REPLY     0x8000u
#define BF_SIMPROTO_MAX_DEVICES 64u
/* The environment variable naming the socket (set by `bfsim run`). */
#define BF_SIMPROTO_ENV       "BFSIM_SOCKET"

enum bf_simproto_op {
	/* req: u32 version, u32 device, u32 role (BF_SIMPROTO_ROLE_*)
	 * rep: u32 version, u32 devices, u32 chip (enum bf_chip_ver),
	 *      u32 flags, u64 speed (device seconds per real second, x 1e6),
	 *      u64 device time (ns) */
	BF_SIMPROTO_HELLO = 1,
	/* req: u32 channel, u32 address; rep: u64 value */
	BF_SIMPROTO_REG_READ,
	/* req: u32 channel, u32 address, u64 value; rep: - */
	BF_SIMPROTO_REG_WRITE,
	/* req: data (boot stream); rep: u32 bytes accepted (0: FIFO full) */
	BF_SIMPROTO_BOOT_WRITE,
	/* req: u32 max bytes; rep: data (whole TM FIFO words, tile to host) */
	BF_SIMPROTO_FIFO_READ,
	/* req: data (whole words, host to tile); rep: u32 bytes accepted */
	BF_SIMPROTO_FIFO_WRITE,
	/* req: u32 offset, u32 length; rep: data (NIC config space) */
	BF_SIMPROTO_CFG_READ,
	/* req: u32 offset, data; rep: - */
	BF_SIMPROTO_CFG_WRITE,
	/* req: -; rep: u64 device time (ns) */
	BF_SIMPROTO_TIME,
	BF_SIMPROTO_OP_END
};

/* What a connection talks to (HELLO): the RShim of device N, or function
 * F of its NIC (BF_SIMPROTO_ROLE_NIC + F). */
enum { BF_SIMPROTO_ROLE_RSHIM = 0, BF_SIMPROTO_ROLE_NIC = 1 };
#define BF_SIMPROTO_NIC_FUNCS 2u

/* A parsed message. Fields in the order the operation lists them. */
struct bf_simproto_msg {
	uint16_t op;                 /* without BF_SIMPROTO_REPLY */
	bool reply;
	uint32_t status;             /* replies: 0 or a positive errno */
	uint64_t f[6];               /* fixed fields */
	const uint8_t *data;         /* data, or the error sentence (not terminated) */
	size_t len;
};

/* Parse one message at the start of buf. Returns its total size, 0 when
 * more bytes are needed (buf holds a partial message), or -EPROTO for a
 * message no peer may send (bad header, unknown operation, lengths out of
 * bounds, a request where a reply is expected or the reverse). The
 * message points into buf. */
long bf_simproto_parse(const uint8_t *buf, size_t len, bool reply, struct bf_simproto_msg *m);

/* Encode into out (cap >= BF_SIMPROTO_HDR + 4 + BF_SIMPROTO_MAX_FIXED +
 * len). Requests: the fixed fields f (count as the operation defines),
 * then data. Replies with status 0: f and data; with an errno: data is
 * the sentence (cut to BF_SIMPROTO_MAX_TEXT). Returns the size or
 * -EINVAL (unknown op, data too long or not allowed). */
long bf_simproto_put(uint8_t *out, size_t cap, uint16_t op, bool reply, uint32_t status,
		     const uint64_t *f, const void *data, size_t len);

/* Number of fixed fields of a request / reply. */
unsigned bf_simproto_nfields(uint16_t op, bool reply);

#endif
