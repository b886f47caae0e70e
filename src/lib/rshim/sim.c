/* rshim/sim.c - the in-process backend: a bfsim device in this process
 * ("sim:N"), configured from the environment that `bfsim run` exports. */
#include "config.h"
#include "rshim.h"
#include "error.h"
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sim_read_reg(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	return bf_sim_read_reg(r->priv, chan, addr, val);
}

static int sim_write_reg(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val)
{
	return bf_sim_write_reg(r->priv, chan, addr, val);
}

static ssize_t sim_boot_write(struct bf_rshim *r, const void *buf, size_t len)
{
	return bf_sim_boot_write(r->priv, buf, len);
}

static void sim_close(struct bf_rshim *r)
{
	bf_sim_close(r->priv);
	free(r);
}

static const struct bf_rshim_ops sim_ops = {
	.read_reg = sim_read_reg,
	.write_reg = sim_write_reg,
	.boot_write = sim_boot_write,
	.close = sim_close,
};

int bf_rshim_sim_open(const char *arg, struct bf_rshim **out)
{
	struct bf_sim_config cfg;
	struct bf_rshim *r;
	struct bf_sim *s;
	char *end;
	long idx = 0;
	int ret;

	if (arg && *arg) {
		errno = 0;
		idx = strtol(arg, &end, 10);
		if (errno || *end || idx < 0)
			return bf_error_ret(EINVAL, "bad simulated device name 'sim:%s' (use sim:0)", arg);
	}
	/* One simulated device per process environment (bfsim run). */
	if (idx != 0)
		return bf_error_ret(ENODEV, "no simulated device sim:%ld (bfsim provides sim:0)", idx);
	if (getenv("BFSIM_TRANSPORT"))
		return bf_error_ret(ENODEV, "the simulated device is served over %s here (bfsim run --transport): "
				    "use that backend, not sim:0", getenv("BFSIM_TRANSPORT"));
	bf_sim_config_defaults(&cfg);
	ret = bf_sim_config_from_env(&cfg);
	if (ret < 0)
		return ret;
	ret = bf_sim_open(&cfg, &s);
	if (ret < 0)
		return bf_error_get() ? ret :
			bf_error_ret(-ret, "cannot start the simulated device: %s", strerror(-ret));
	r = calloc(1, sizeof(*r));
	if (!r) {
		bf_sim_close(s);
		return -ENOMEM;
	}
	r->ops = &sim_ops;
	r->chip = bf_sim_chip(s);
	r->priv = s;
	r->reset_delay_ms = 0;
	r->speed = cfg.speed;
	r->reprobe = false;
	snprintf(r->dev_name, sizeof(r->dev_name), "sim-%ld", idx);
	*out = r;
	return 0;
}
