/* fw_testdev.c - see fw_testdev.h. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fw_testdev.h"
#include "error.h"

static int io_read(void *ctx, uint32_t off, void *buf, size_t len)
{
	return bf_sim_nic_cfg_read(ctx, off, buf, len);
}

static int io_write(void *ctx, uint32_t off, const void *buf, size_t len)
{
	return bf_sim_nic_cfg_write(ctx, off, buf, len);
}

static void io_sleep(void *ctx, uint64_t ns)
{
	bf_sim_nic_sleep(ctx, ns);
}

static uint64_t io_now(void *ctx)
{
	return (uint64_t)(bf_sim_time(bf_sim_nic_sim(ctx)) * 1e9);
}

static struct bf_sim_config cfg_of(const struct fwt *t, enum bf_chip_ver chip, unsigned powercut)
{
	struct bf_sim_config cfg;

	bf_sim_config_defaults(&cfg);
	cfg.chip = bf_chip_get(chip);
	cfg.virtual_access_ns = 2000;    /* a config-space access: 2 us */
	cfg.fault_powercut = powercut;
	if (t->dir[0])
		snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", t->dir);
	return cfg;
}

void fwt_sim(struct fwt *t, enum bf_chip_ver chip, unsigned powercut, bool keep_state)
{
	struct bf_sim_config cfg;

	memset(t, 0, sizeof(*t));
	if (keep_state) {
		snprintf(t->dir, sizeof(t->dir), "/tmp/bfctl-fwtest.XXXXXX");
		assert_non_null(mkdtemp(t->dir));
	}
	cfg = cfg_of(t, chip, powercut);
	assert_int_equal(bf_sim_open(&cfg, &t->s), 0);
}

struct bf_fw_pci_io fwt_io(struct fwt *t, unsigned fn)
{
	struct bf_fw_pci_io io = { .read = io_read, .write = io_write, .sleep = io_sleep, .now = io_now };

	t->n = bf_sim_nic_get(t->s, fn);
	assert_non_null(t->n);
	io.ctx = t->n;
	return io;
}

void fwt_open(struct fwt *t, enum bf_chip_ver chip, unsigned fn)
{
	struct bf_fw_pci_io io;
	int r;

	fwt_sim(t, chip, 0, false);
	io = fwt_io(t, fn);
	bf_error_clear();
	r = bf_fw_dev_open_io(&io, bf_sim_nic_bdf(t->n), &t->d);
	if (r < 0)
		fprintf(stderr, "# open: %s\n", bf_error_get() ? bf_error_get() : "?");
	assert_int_equal(r, 0);
}

void fwt_close_dev(struct fwt *t)
{
	bf_fw_dev_close(t->d);
	t->d = NULL;
}

void fwt_restart(struct fwt *t, unsigned powercut)
{
	struct bf_sim_config cfg;
	enum bf_chip_ver chip = bf_sim_chip(t->s)->ver;

	fwt_close_dev(t);
	bf_sim_close(t->s);
	cfg = cfg_of(t, chip, powercut);
	assert_int_equal(bf_sim_open(&cfg, &t->s), 0);
	t->n = NULL;
}

void fwt_close(struct fwt *t)
{
	char cmd[128];

	fwt_close_dev(t);
	bf_sim_close(t->s);
	t->s = NULL;
	if (t->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "# cannot remove %s\n", t->dir);
	}
}
