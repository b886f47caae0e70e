/* test_fw_path.c - bfctl's register path (config space -> VSEC gateway ->
 * ICMD -> ACCESS_REGISTER) against the simulated NIC in-process: the
 * device identified on BF2 and BF3, the protocol kept (semaphores held
 * around every transfer and command), and every malformed answer turned
 * into a clear error without hanging: a gateway flag that never completes,
 * a semaphore nobody releases, syndromes, a busy bit stuck, bad ICMD and
 * register status, a garbage reply, no VSEC, a capability loop, a mailbox
 * too small, firmware not ready. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fw_testdev.h"
#include "fw/reg.h"
#include "error.h"

static void assert_error(int r, int want, const char *text)
{
	const char *e = bf_error_get();

	if (r != want || !e || !strstr(e, text))
		fprintf(stderr, "# got %d (%s), wanted %d with '%s'\n", r, e ? e : "no sentence", want, text);
	assert_int_equal(r, want);
	assert_non_null(e);
	assert_non_null(strstr(e, text));
}

static void check_identity(enum bf_chip_ver chip, uint16_t devid, uint16_t hw, const char *psid,
			   uint32_t version)
{
	struct fwt t;
	struct bf_fw_mgir m;
	struct bf_sim_nic_stats st;
	struct bf_fw_mcqi_version v;

	fwt_open(&t, chip, 0);
	assert_int_equal(t.d->pci->vsec, 0xc0);
	assert_int_equal(t.d->pci->device, devid);
	assert_int_equal(t.d->hw_id, hw);
	assert_non_null(t.d->type);
	assert_true(t.d->type->bluefield);
	assert_false(t.d->pci->pxir);
	assert_true(t.d->mcc);
	assert_int_equal(t.d->icmd.max_cmd_size, 0x340);
	/* The component list is walked, not assumed: BOOT_IMG is index 1. */
	assert_int_equal(t.d->ncomps, 4);
	assert_int_equal(t.d->boot_index, 1);
	assert_int_equal(bf_fw_dev_mgir(t.d, &m), 0);
	assert_int_equal(m.device_id, devid);
	assert_int_equal(m.hw_dev_id, hw);
	assert_memory_equal(m.psid, psid, strlen(psid));
	assert_int_equal(m.extended_major << 24 | m.extended_minor << 16 | m.extended_sub_minor, version);
	assert_int_equal(bf_fw_dev_version(t.d, false, &v), 0);
	assert_int_equal(v.version, version);
	assert_int_equal(bf_fw_dev_version(t.d, true, &v), 1);   /* nothing pending */
	/* Every gateway transfer and ICMD command under its semaphore; the
	 * access count is what the device saw. */
	bf_sim_nic_stats(t.n, &st);
	assert_int_equal(st.sem_violations, 0);
	assert_int_equal(st.icmd_sem_violations, 0);
	assert_true(st.icmd_cmds > 5);
	assert_int_equal(st.cfg_reads + st.cfg_writes, t.d->pci->accesses);
	fwt_close(&t);
}

static void test_identity_bf3(void **state)
{
	(void)state;
	check_identity(BF_CHIP_BF3, 0xa2dc, 0x21c, "MT_0000000884", 32u << 24 | 40u << 16 | 1000);
}

static void test_identity_bf2(void **state)
{
	(void)state;
	check_identity(BF_CHIP_BF2, 0xa2d6, 0x214, "MT_0000000540", 24u << 24 | 40u << 16 | 1000);
}

static void test_second_function(void **state)
{
	struct fwt t;
	uint32_t v;

	(void)state;
	fwt_sim(&t, BF_CHIP_BF3, 0, false);
	{
		struct bf_fw_pci_io io = fwt_io(&t, 1);

		assert_int_equal(bf_fw_dev_open_io(&io, "0000:03:00.1", &t.d), 0);
	}
	assert_int_equal(bf_fw_pci_read4(t.d->pci, BF_FW_AS_CR, 0xf0014, &v), 0);
	assert_int_equal(v & 0xffff, 0x21c);
	fwt_close(&t);
}

static void test_gateway_errors(void **state)
{
	struct fwt t;
	uint32_t v;
	int r;

	(void)state;
	fwt_open(&t, BF_CHIP_BF3, 0);
	bf_error_clear();
	r = bf_fw_pci_read4(t.d->pci, BF_FW_AS_CR, 0x2000000, &v);
	assert_error(r, -EFAULT, "out of range of the CR_SPACE space");
	r = bf_fw_pci_read4(t.d->pci, BF_FW_AS_CR, 0x40000000, &v);
	assert_error(r, -EINVAL, "30-bit");
	r = bf_fw_pci_read4(t.d->pci, BF_FW_AS_EXPROM, 0, &v);
	assert_error(r, -ENOTSUP, "does not support the EXPANSION_ROM address space");

	bf_sim_nic_quirks(t.n)->syndrome = 5;
	r = bf_fw_pci_read4(t.d->pci, BF_FW_AS_CR, 0xf0014, &v);
	assert_error(r, -EIO, "syndrome 5");
	bf_sim_nic_quirks(t.n)->syndrome = 0;

	bf_sim_nic_quirks(t.n)->gw_stuck = true;
	r = bf_fw_pci_read4(t.d->pci, BF_FW_AS_CR, 0xf0014, &v);
	assert_error(r, -ETIMEDOUT, "did not complete a read");
	r = bf_fw_pci_write4(t.d->pci, BF_FW_AS_SEMAPHORE, 0x10, 1);
	assert_error(r, -ETIMEDOUT, "did not complete a write");
	bf_sim_nic_quirks(t.n)->gw_stuck = false;

	bf_sim_nic_quirks(t.n)->sem_stuck = true;
	r = bf_fw_pci_read4(t.d->pci, BF_FW_AS_CR, 0xf0014, &v);
	assert_error(r, -EBUSY, "VSEC semaphore");
	bf_sim_nic_quirks(t.n)->sem_stuck = false;

	/* And the device still works afterwards. */
	assert_int_equal(bf_fw_pci_read4(t.d->pci, BF_FW_AS_CR, 0xf0014, &v), 0);
	fwt_close(&t);
}

static void test_icmd_errors(void **state)
{
	struct fwt t;
	struct bf_fw_mgir m;
	int r;

	(void)state;
	fwt_open(&t, BF_CHIP_BF3, 0);
	t.d->icmd.timeout_ns = 2000000000ull;

	bf_sim_nic_quirks(t.n)->icmd_stuck = true;
	bf_error_clear();
	r = bf_fw_dev_mgir(t.d, &m);
	assert_error(r, -ETIMEDOUT, "busy bit stayed set");
	/* The next command finds the interface still busy: refused, not sent. */
	r = bf_fw_dev_mgir(t.d, &m);
	assert_error(r, -EBUSY, "was busy before the command was started");
	bf_sim_nic_quirks(t.n)->icmd_stuck = false;

	bf_sim_nic_quirks(t.n)->icmd_status = 3;
	r = bf_fw_dev_mgir(t.d, &m);
	assert_error(r, -EIO, "status 3 (operational error), syndrome 0xc0de03");
	bf_sim_nic_quirks(t.n)->icmd_status = 0;

	bf_sim_nic_quirks(t.n)->reg_status = 0x7;
	bf_sim_nic_quirks(t.n)->reg_status_id = 0x9020;
	r = bf_fw_dev_mgir(t.d, &m);
	assert_error(r, -EREMOTEIO, "MGIR read on 0000:03:00.0: bad parameter (register status 0x7)");
	bf_sim_nic_quirks(t.n)->reg_status = 0;

	bf_sim_nic_quirks(t.n)->reply_garbage = true;
	r = bf_fw_dev_mgir(t.d, &m);
	assert_error(r, -EPROTO, "malformed reply");
	bf_sim_nic_quirks(t.n)->reply_garbage = false;

	bf_sim_nic_quirks(t.n)->icmd_not_ready = true;
	r = bf_fw_dev_mgir(t.d, &m);
	assert_error(r, -EBUSY, "not ready");
	bf_sim_nic_quirks(t.n)->icmd_not_ready = false;

	/* The ICMD semaphore was released on every path. */
	assert_int_equal(bf_fw_dev_mgir(t.d, &m), 0);
	fwt_close(&t);
}

static void test_open_errors(void **state)
{
	struct fwt t;
	struct bf_fw_pci_io io;
	int r;

	(void)state;
	fwt_sim(&t, BF_CHIP_BF3, 0, false);
	io = fwt_io(&t, 0);
	bf_sim_nic_quirks(t.n)->no_vsec = true;
	bf_sim_nic_quirks_apply(t.n);
	bf_error_clear();
	r = bf_fw_dev_open_io(&io, "0000:03:00.0", &t.d);
	assert_error(r, -ENOTSUP, "no vendor-specific capability");
	/* A capability list that loops ends too. */
	bf_sim_nic_quirks(t.n)->cap_loop = true;
	bf_sim_nic_quirks_apply(t.n);
	r = bf_fw_dev_open_io(&io, "0000:03:00.0", &t.d);
	assert_error(r, -ENOTSUP, "no vendor-specific capability");
	bf_sim_nic_quirks(t.n)->no_vsec = bf_sim_nic_quirks(t.n)->cap_loop = false;
	bf_sim_nic_quirks_apply(t.n);
	/* A mailbox too small for the registers. */
	bf_sim_nic_quirks(t.n)->mailbox_size = 64;
	r = bf_fw_dev_open_io(&io, "0000:03:00.0", &t.d);
	assert_error(r, -E2BIG, "does not fit the 64-byte ICMD mailbox");
	fwt_close(&t);
}

static void test_resolve(void **state)
{
	char bdf[32];

	(void)state;
	assert_int_equal(bf_fw_dev_resolve("0000:03:00.0", bdf, sizeof(bdf)), 0);
	assert_string_equal(bdf, "0000:03:00.0");
	assert_int_equal(bf_fw_dev_resolve("03:00.1", bdf, sizeof(bdf)), 0);
	assert_string_equal(bdf, "0000:03:00.1");
	assert_int_equal(bf_fw_dev_resolve("/sys/bus/pci/devices/0000:af:00.2/config", bdf, sizeof(bdf)), 0);
	assert_string_equal(bdf, "0000:af:00.2");
	assert_int_equal(bf_fw_dev_resolve("sim:0.1", bdf, sizeof(bdf)), 0);
	assert_string_equal(bdf, "sim:0.1");
	bf_error_clear();
	assert_error(bf_fw_dev_resolve("eth0", bdf, sizeof(bdf)), -EINVAL, "names no device");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_bf3),
		cmocka_unit_test(test_identity_bf2),
		cmocka_unit_test(test_second_function),
		cmocka_unit_test(test_gateway_errors),
		cmocka_unit_test(test_icmd_errors),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
