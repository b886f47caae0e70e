/* regio.c - register access every caller goes through: backend errors and
 * the "bad value" sentinels of a resetting chip become -errno + a sentence. */
#include "config.h"
#include "rshim.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A backend may say why an access failed (a gateway that stayed busy):
 * its sentence, not only strerror, goes into ours. A sentence recorded
 * before the access is kept when the access succeeds. */
struct why {
	char prev[512], got[512];
	bool had;
};

static void why_begin(struct why *w)
{
	const char *e = bf_error_get();

	w->had = e != NULL;
	if (e)
		snprintf(w->prev, sizeof(w->prev), "%s", e);
	bf_error_clear();
}

static const char *why_end(struct why *w, int ret)
{
	const char *e = bf_error_get();

	if (ret >= 0) {
		if (w->had)
			bf_error_set("%s", w->prev);
		return NULL;
	}
	if (!e)
		return strerror(-ret);
	snprintf(w->got, sizeof(w->got), "%s", e);
	return w->got;
}

int bf_rshim_read(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	int ret = bf_rshim_read_data(r, chan, addr, val);

	if (ret < 0)
		return ret;
	if (bf_chip_is_bad_value(*val))
		return bf_error_ret(EIO, "%s: register read of channel %u offset 0x%x returned 0x%llx (device resetting or unreachable)",
				    r->name, chan, addr, (unsigned long long)*val);
	return 0;
}

int bf_rshim_write(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val)
{
	struct why w;
	const char *e;
	int ret;

	why_begin(&w);
	ret = r->ops->write_reg(r, chan, addr, val);
	e = why_end(&w, ret);
	if (ret < 0)
		return bf_error_ret(-ret, "%s: register write of channel %u offset 0x%x failed: %s",
				    r->name, chan, addr, e);
	return 0;
}

int bf_rshim_read_data(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	struct why w;
	const char *e;
	int ret;

	why_begin(&w);
	ret = r->ops->read_reg(r, chan, addr, val);
	e = why_end(&w, ret);
	if (ret < 0)
		return bf_error_ret(-ret, "%s: register read of channel %u offset 0x%x failed: %s",
				    r->name, chan, addr, e);
	return 0;
}
