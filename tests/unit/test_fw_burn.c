/* test_fw_burn.c - burning through the component update against the
 * simulated NIC (virtual clock): the whole flow and what the device ends
 * up with (pending, then running after a reset; persisted across
 * processes); a power cut in each phase (lock, data, verify, activate)
 * leaves the old firmware running and the next burn succeeds; an image for
 * another PSID or chip is refused before anything is sent, and the
 * firmware refuses it too when the PSID check is overridden; a second
 * update before the reset is refused; Ctrl-C (a stop request) cancels; an
 * update left locked by a dead tool is taken over; the accesses and time a
 * burn costs, and the semaphores free after it. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fw_testdev.h"
#include "fw/burn.h"
#include "fw/query.h"
#include "fw/reg.h"
#include "fw/reset.h"
#include "error.h"

#define OLD "32.40.1000"

static uint8_t *make_image(const char *ver, const char *psid, uint16_t hw, uint32_t size, size_t *len)
{
	struct bf_fw_image_hdr h = { .hw_dev_id = hw, .date_bcd = 0x20240428, .payload_len = size };
	uint8_t *img;

	assert_int_equal(bf_fw_version_parse(ver, &h.version), 0);
	snprintf(h.psid, sizeof(h.psid), "%s", psid);
	snprintf(h.product, sizeof(h.product), "%s", ver);
	assert_int_equal(bf_fw_image_make(&h, &img, len), 0);
	return img;
}

static void open_dev(struct fwt *t)
{
	struct bf_fw_pci_io io = fwt_io(t, 0);
	int r;

	bf_error_clear();
	r = bf_fw_dev_open_io(&io, "0000:03:00.0", &t->d);
	if (r < 0)
		fprintf(stderr, "# open: %s\n", bf_error_get());
	assert_int_equal(r, 0);
}

static void versions(struct fwt *t, const char *running, const char *pending)
{
	struct bf_fw_query q;

	assert_int_equal(bf_fw_query(t->d, &q), 0);
	assert_string_equal(q.fw_running, running);
	assert_int_equal(q.pending, pending != NULL);
	if (pending)
		assert_string_equal(q.fw_version, pending);
}

static int burn(struct fwt *t, const uint8_t *img, size_t len, bool allow, struct bf_fw_burn_result *res)
{
	struct bf_fw_burn_opts o = { .allow_psid_change = allow };
	int r;

	bf_error_clear();
	r = bf_fw_burn(t->d, img, len, &o, res);
	if (r < 0)
		fprintf(stderr, "# burn: %s\n", bf_error_get() ? bf_error_get() : "?");
	return r;
}

static void reset(struct fwt *t)
{
	struct bf_fw_reset_opts o = { .level = 3, .type = 2, .sync = BF_FW_SYNC_DRIVER, .timeout_s = 30 };
	bool waited;

	bf_error_clear();
	assert_int_equal(bf_fw_reset(t->d, &o, &waited), 0);
	assert_true(waited);
}

static void test_burn_reset_persist(void **state)
{
	struct bf_fw_burn_result res;
	struct bf_sim_nic_stats st;
	struct bf_sim_nic_fw fw;
	struct fwt t;
	size_t len, len2;
	uint8_t *img = make_image("32.41.1000", "MT_0000000884", 0x21c, 100000, &len);
	uint8_t *img2 = make_image("32.42.1010", "MT_0000000884", 0x21c, 4096, &len2);

	(void)state;
	fwt_sim(&t, BF_CHIP_BF3, 0, true);
	open_dev(&t);
	versions(&t, OLD, NULL);
	assert_int_equal(burn(&t, img, len, false, &res), 0);
	assert_true(res.activated);
	assert_int_equal(res.phase, BF_FW_BURN_DONE);
	assert_int_equal(res.chunk, 128);
	bf_sim_nic_stats(t.n, &st);
	assert_int_equal(st.mcda_writes, (len + 127) / 128);
	assert_int_equal(st.sem_violations, 0);
	assert_int_equal(st.icmd_sem_violations, 0);
	versions(&t, OLD, "32.41.1000");
	bf_sim_nic_fw_info(t.s, &fw);
	assert_string_equal(fw.pending, "32.41.1000");
	assert_int_equal(fw.fsm_state, BF_FW_FSM_IDLE);
	/* The component reports the pending image. */
	assert_int_equal(bf_fw_dev_components(t.d), 0);
	assert_int_equal(t.d->comps[t.d->boot_index].update_state, BF_FW_CUS_ACTIVE_PENDING_RESET);
	/* No second update before the reset. */
	assert_int_equal(burn(&t, img2, len2, false, &res), -EPROTO);
	assert_non_null(strstr(bf_error_get(), "BLOCKED_PENDING_RESET"));
	bf_sim_nic_fw_info(t.s, &fw);
	assert_int_equal(fw.fsm_state, BF_FW_FSM_IDLE);
	/* A new process sees the same (nv.json), then the reset runs it. */
	fwt_restart(&t, 0);
	open_dev(&t);
	versions(&t, OLD, "32.41.1000");
	reset(&t);
	versions(&t, "32.41.1000", NULL);
	fwt_restart(&t, 0);
	open_dev(&t);
	versions(&t, "32.41.1000", NULL);
	assert_int_equal(burn(&t, img2, len2, false, &res), 0);
	versions(&t, "32.41.1000", "32.42.1010");
	fwt_close(&t);
	free(img);
	free(img2);
}

static void powercut(unsigned phase, const char *where)
{
	struct bf_fw_burn_result res;
	struct bf_sim_nic_fw fw;
	struct fwt t;
	size_t len;
	uint8_t *img = make_image("32.41.1000", "MT_0000000884", 0x21c, 20000, &len);
	int r;

	fwt_sim(&t, BF_CHIP_BF3, phase, false);
	open_dev(&t);
	bf_error_clear();
	r = bf_fw_burn(t.d, img, len, &(struct bf_fw_burn_opts){ 0 }, &res);
	assert_int_equal(r, -ENODEV);
	assert_non_null(strstr(bf_error_get(), "stopped responding during"));
	assert_non_null(strstr(bf_error_get(), where));
	assert_false(res.activated);
	bf_sim_nic_fw_info(t.s, &fw);
	assert_int_equal(fw.powercuts, 1);
	assert_true(fw.off);
	/* Power comes back: the old image runs, nothing is pending, the
	 * update is gone; the next burn succeeds. */
	bf_sim_advance(t.s, 3.0);
	fwt_close_dev(&t);
	open_dev(&t);
	versions(&t, OLD, NULL);
	bf_sim_nic_fw_info(t.s, &fw);
	assert_false(fw.off);
	assert_int_equal(fw.fsm_state, BF_FW_FSM_IDLE);
	assert_int_equal(burn(&t, img, len, false, &res), 0);
	versions(&t, OLD, "32.41.1000");
	reset(&t);
	versions(&t, "32.41.1000", NULL);
	fwt_close(&t);
	free(img);
}

static void test_powercut_lock(void **state) { (void)state; powercut(BF_SIM_POWERCUT_LOCK, "lock"); }
static void test_powercut_mcda(void **state) { (void)state; powercut(BF_SIM_POWERCUT_MCDA, "data"); }
static void test_powercut_verify(void **state) { (void)state; powercut(BF_SIM_POWERCUT_VERIFY, "verify"); }
static void test_powercut_activate(void **state) { (void)state; powercut(BF_SIM_POWERCUT_ACTIVATE, "activate"); }

static void test_wrong_psid_and_chip(void **state)
{
	struct bf_fw_burn_result res;
	struct bf_sim_nic_stats st0, st;
	struct bf_sim_nic_fw fw;
	struct fwt t;
	size_t len, len2, len3;
	uint8_t *other = make_image("32.41.1000", "MT_0000000999", 0x21c, 5000, &len);
	uint8_t *bf2 = make_image("24.41.1000", "MT_0000000884", 0x214, 5000, &len2);
	uint8_t *good = make_image("32.41.1000", "MT_0000000884", 0x21c, 5000, &len3);

	(void)state;
	fwt_sim(&t, BF_CHIP_BF3, 0, false);
	open_dev(&t);
	bf_sim_nic_stats(t.n, &st0);
	assert_int_equal(burn(&t, other, len, false, &res), -EINVAL);
	assert_non_null(strstr(bf_error_get(), "the image is for PSID MT_0000000999, 0000:03:00.0 is MT_0000000884"));
	assert_int_equal(burn(&t, bf2, len2, false, &res), -EINVAL);
	assert_non_null(strstr(bf_error_get(), "the image is for a BlueField-2"));
	/* Nothing reached the update state machine. */
	bf_sim_nic_stats(t.n, &st);
	assert_int_equal(st.mcda_writes, 0);
	/* Overridden, the firmware checks the PSID itself and refuses at
	 * VERIFY_COMPONENT; the update is cancelled and released. */
	assert_int_equal(burn(&t, other, len, true, &res), -EPROTO);
	assert_non_null(strstr(bf_error_get(), "REJECTED_NOT_APPLICABLE"));
	assert_true(res.cancelled);
	bf_sim_nic_fw_info(t.s, &fw);
	assert_int_equal(fw.fsm_state, BF_FW_FSM_IDLE);
	versions(&t, OLD, NULL);
	assert_int_equal(burn(&t, good, len3, false, &res), 0);
	/* A damaged image never gets to the device. */
	good[BF_FW_IMAGE_HDR_SIZE + 10] ^= 0x40;
	assert_int_equal(burn(&t, good, len3, false, &res), -EBADMSG);
	fwt_close(&t);
	free(other);
	free(bf2);
	free(good);
}

struct stopper {
	unsigned calls, after;
};

static bool stop_after(void *ctx)
{
	struct stopper *s = ctx;

	return ++s->calls > s->after;
}

static void test_cancel(void **state)
{
	struct bf_fw_burn_result res;
	struct bf_sim_nic_fw fw;
	struct stopper sp = { .after = 40 };
	struct bf_fw_burn_opts o = { .cancel = stop_after, .ctx = &sp };
	struct fwt t;
	size_t len;
	uint8_t *img = make_image("32.41.1000", "MT_0000000884", 0x21c, 50000, &len);

	(void)state;
	fwt_sim(&t, BF_CHIP_BF3, 0, false);
	open_dev(&t);
	bf_error_clear();
	assert_int_equal(bf_fw_burn(t.d, img, len, &o, &res), -EINTR);
	assert_non_null(strstr(bf_error_get(), "interrupted during the data transfer"));
	assert_true(res.cancelled);
	assert_false(res.activated);
	bf_sim_nic_fw_info(t.s, &fw);
	assert_int_equal(fw.fsm_state, BF_FW_FSM_IDLE);
	versions(&t, OLD, NULL);
	assert_int_equal(burn(&t, img, len, false, &res), 0);
	versions(&t, OLD, "32.41.1000");
	fwt_close(&t);
	free(img);
}

/* A tool died holding the update handle (the FSM locked, owner ICMD):
 * the next burn takes it over. */
static void test_stale_lock(void **state)
{
	struct bf_fw_burn_result res;
	struct bf_fw_mcc m = { .instruction = BF_FW_MCC_LOCK_UPDATE_HANDLE, .update_handle = 0x777 };
	struct bf_sim_nic_fw fw;
	struct fwt t;
	size_t len;
	uint8_t *img = make_image("32.41.1000", "MT_0000000884", 0x21c, 3000, &len);

	(void)state;
	fwt_sim(&t, BF_CHIP_BF3, 0, false);
	open_dev(&t);
	assert_int_equal(bf_fw_reg(&t.d->icmd, &bf_fw_mcc_layout, BF_FW_METHOD_SET, &m, NULL), 0);
	assert_int_equal(m.control_state, BF_FW_FSM_LOCKED);
	bf_sim_nic_fw_info(t.s, &fw);
	assert_int_equal(fw.fsm_state, BF_FW_FSM_LOCKED);
	assert_int_equal(burn(&t, img, len, false, &res), 0);
	versions(&t, OLD, "32.41.1000");
	fwt_close(&t);
	free(img);
}

static void test_chunk(void **state)
{
	(void)state;
	assert_int_equal(bf_fw_burn_chunk(0x340), 128);   /* min(832 - 20 - 16, 128) */
	assert_int_equal(bf_fw_burn_chunk(64), 28);
	assert_int_equal(bf_fw_burn_chunk(98), 60);
	assert_int_equal(bf_fw_burn_chunk(36), 0);
}

/* What a burn costs on the virtual clock (2 us a config access), and what
 * it leaves: the budget of config accesses per KiB (the payload alone
 * needs 768: 3 per dword through the gateway), about one busy-bit read per
 * command, and every semaphore free at the end. */
static void test_budget(void **state)
{
	struct bf_fw_burn_result res;
	struct fwt t;
	size_t len;
	uint8_t *img = make_image("32.41.1000", "MT_0000000884", 0x21c, 256 * 1024, &len);
	uint64_t polls0;
	uint32_t v;
	double t0, secs, kib = (double)len / 1024.0;

	(void)state;
	fwt_sim(&t, BF_CHIP_BF3, 0, false);
	open_dev(&t);
	polls0 = t.d->icmd.polls;
	t0 = bf_sim_time(t.s);
	assert_int_equal(burn(&t, img, len, false, &res), 0);
	secs = bf_sim_time(t.s) - t0;
	fprintf(stderr, "# %.0f accesses/KiB, %.2f polls/command, %.3f s\n", (double)res.accesses / kib,
		(double)(t.d->icmd.polls - polls0) / (double)res.commands, secs);
	assert_true((double)res.accesses / kib < 1150);
	assert_true((double)(t.d->icmd.polls - polls0) / (double)res.commands < 1.6);
	/* 2048 chunks of 128 bytes at 2 us an access: within 0.9 s of device
	 * time (taking the semaphores for every access, 1.06 s). */
	assert_true(secs < 0.9);
	assert_int_equal(bf_sim_nic_cfg_read(t.n, t.d->pci->vsec + BF_FW_VSEC_SEMAPHORE, &v, 4), 0);
	assert_int_equal(v, 0);
	assert_int_equal(bf_fw_pci_read4(t.d->pci, BF_FW_AS_SEMAPHORE, BF_FW_SEM_ICMD, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(bf_fw_pci_read4(t.d->pci, BF_FW_AS_SEMAPHORE, BF_FW_SEM_FLASH, &v), 0);
	assert_int_equal(v, 0);
	fwt_close(&t);
	free(img);
}

static void test_bf2(void **state)
{
	struct bf_fw_burn_result res;
	struct fwt t;
	size_t len;
	uint8_t *img = make_image("24.41.1000", "MT_0000000540", 0x214, 7777, &len);

	(void)state;
	fwt_sim(&t, BF_CHIP_BF2, 0, false);
	open_dev(&t);
	versions(&t, "24.40.1000", NULL);
	assert_int_equal(burn(&t, img, len, false, &res), 0);
	reset(&t);
	versions(&t, "24.41.1000", NULL);
	fwt_close(&t);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burn_reset_persist),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_powercut_lock),
		cmocka_unit_test(test_powercut_mcda),
		cmocka_unit_test(test_powercut_verify),
		cmocka_unit_test(test_powercut_activate),
		cmocka_unit_test(test_wrong_psid_and_chip),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_stale_lock),
		cmocka_unit_test(test_chunk),
		cmocka_unit_test(test_bf2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
