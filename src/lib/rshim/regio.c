/* regio.c - register access every caller goes through: backend errors and
 * the "bad value" sentinels of a resetting chip become -errno + a sentence. */
#include "config.h"
#include "rshim.h"
#include "error.h"

#include <errno.h>
#include <string.h>

int bf_rshim_read(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	int ret = r->ops->read_reg(r, chan, addr, val);

	if (ret < 0)
		return bf_error_ret(-ret, "%s: register read of channel %u offset 0x%x failed: %s",
				    r->name, chan, addr, strerror(-ret));
	if (bf_chip_is_bad_value(*val))
		return bf_error_ret(EIO, "%s: register read of channel %u offset 0x%x returned 0x%llx (device resetting or unreachable)",
				    r->name, chan, addr, (unsigned long long)*val);
	return 0;
}

int bf_rshim_write(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val)
{
	int ret = r->ops->write_reg(r, chan, addr, val);

	if (ret < 0)
		return bf_error_ret(-ret, "%s: register write of channel %u offset 0x%x failed: %s",
				    r->name, chan, addr, strerror(-ret));
	return 0;
}

int bf_rshim_read_data(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	int ret = r->ops->read_reg(r, chan, addr, val);

	if (ret < 0)
		return bf_error_ret(-ret, "%s: register read of channel %u offset 0x%x failed: %s",
				    r->name, chan, addr, strerror(-ret));
	return 0;
}
