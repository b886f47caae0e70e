/* osp.c - the ownership-transfer protocol (OSP) of one device, as a pure
 * state machine (spec rshim.md 6): no device access and no clock of its
 * own; the I/O thread (owner.c) feeds it the time and what SCRATCHPAD1
 * read, and carries out what it asks for.
 *
 * Requester (in drop mode, a force request pending): SP1 = OSP_REQ, then
 * every 100 ms read SP1 and, until it reads OSP_ACK, write OSP_REQ again,
 * ten writes at most. Owner (not in drop mode): read SP1 every 100 ms; on
 * OSP_REQ enter drop mode at once (its files stop reaching the device),
 * write OSP_ACK ten times 100 ms apart and wait one second more before
 * saying it passed the device on. */
#include "config.h"
#include "rshimd.h"
#include "chip.h"

#include <string.h>

#define STEP_NS     100000000ull    /* upstream's OSP interval and retry period */
#define ONLINE_NS   1000000000ull   /* owner: after the ACKs, before dropping */
#define TRIES       10

void bf_rshimd_osp_init(struct bf_rshimd_osp *o)
{
	memset(o, 0, sizeof(*o));
	o->state = BF_OSP_IDLE;
}

bool bf_rshimd_osp_due(const struct bf_rshimd_osp *o, uint64_t now_ns)
{
	return now_ns >= o->due_ns;
}

bool bf_rshimd_osp_busy(const struct bf_rshimd_osp *o)
{
	return o->state != BF_OSP_IDLE;
}

bool bf_rshimd_osp_wants_sp1(const struct bf_rshimd_osp *o, bool drop)
{
	return (o->state == BF_OSP_IDLE && !drop) || o->state == BF_OSP_REQUESTING;
}

static void say(struct bf_rshimd_osp_out *out, const char *line)
{
	if (out->nsay < sizeof(out->say) / sizeof(out->say[0]))
		out->say[out->nsay++] = line;
}

void bf_rshimd_osp_step(struct bf_rshimd_osp *o, uint64_t now_ns, bool drop, bool force,
			bool sp1_ok, uint64_t sp1, struct bf_rshimd_osp_out *out)
{
	memset(out, 0, sizeof(*out));
	o->due_ns = now_ns + STEP_NS;
	switch (o->state) {
	case BF_OSP_IDLE:
		if (drop) {
			if (!force)
				return;
			say(out, "executing Force command");
			out->act = BF_OSP_DO_FORCE_DONE | BF_OSP_DO_WRITE;
			out->sp1 = BF_SP1_OSP_REQ;
			o->state = BF_OSP_REQUESTING;
			o->tries = 1;
			return;
		}
		if (force) {
			say(out, "skipping Force command (already attached)");
			out->act |= BF_OSP_DO_FORCE_DONE;
		}
		if (sp1_ok && sp1 == BF_SP1_OSP_REQ) {
			say(out, "received ownership transfer request");
			say(out, "notifying the requester with ACK");
			/* Upstream drops at the end; from now on this side must
			 * not touch the device for its clients either. */
			out->act |= BF_OSP_DO_WRITE | BF_OSP_DO_DROP;
			out->sp1 = BF_SP1_OSP_ACK;
			o->state = BF_OSP_ACKING;
			o->tries = 1;
		}
		return;
	case BF_OSP_REQUESTING:
		if (!drop) {
			/* Left drop mode some other way (DROP_MODE 0): nothing to ask. */
			o->state = BF_OSP_IDLE;
			return;
		}
		if (sp1_ok && sp1 == BF_SP1_OSP_ACK) {
			say(out, "received ownership transfer ack");
			out->act = BF_OSP_DO_REGAIN;
			o->state = BF_OSP_IDLE;
			return;
		}
		if (o->tries < TRIES) {
			out->act = BF_OSP_DO_WRITE;
			out->sp1 = BF_SP1_OSP_REQ;
			o->tries++;
			return;
		}
		say(out, "failed to receive ownership transfer ack");
		o->state = BF_OSP_IDLE;
		return;
	case BF_OSP_ACKING:
		if (o->tries < TRIES) {
			out->act = BF_OSP_DO_WRITE;
			out->sp1 = BF_SP1_OSP_ACK;
			o->tries++;
			return;
		}
		/* The requester has its ACK; give it time to come online. */
		o->state = BF_OSP_HANDING_OVER;
		o->due_ns = now_ns + ONLINE_NS;
		return;
	case BF_OSP_HANDING_OVER:
		out->act = BF_OSP_DO_PASSED;
		o->state = BF_OSP_IDLE;
		return;
	}
}
