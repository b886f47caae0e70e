/* test_fw_config.c - the parameter database (firmware/params.yaml) and the
 * NV configuration against the simulated NIC: values parsed and printed as
 * mlxconfig does them, names with did-you-mean, every parameter the issue
 * lists present and known to the simulated firmware (whose TLV layouts are
 * its own, so the two are compared), and the configuration sequences of
 * the field guide (virtio-net hotplug, static PF/VF, LAG, SFs, MSI-X)
 * applied and read back: next changes at once, current at the reset;
 * per-PF values kept apart for 03:00.0 and 03:00.1; ranges checked by bfctl
 * and by the firmware; reset to defaults. */
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
#include "fw/nvconf.h"
#include "fw/params.h"
#include "fw/reg.h"
#include "fw/reset.h"
#include "error.h"

static struct bf_fw_params db;

static int setup(void **state)
{
	(void)state;
	if (bf_fw_params_load(&db) < 0) {
		fprintf(stderr, "# %s\n", bf_error_get());
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	bf_fw_params_free(&db);
	return 0;
}

static const struct bf_fw_param *find(const char *name, unsigned *port)
{
	unsigned p;
	const struct bf_fw_param *x = bf_fw_params_find(&db, name, 2, port ? port : &p);

	if (!x)
		fprintf(stderr, "# %s: %s\n", name, bf_error_get());
	assert_non_null(x);
	return x;
}

static void test_required_params(void **state)
{
	static const char *const names[] = {
		"INTERNAL_CPU_MODEL", "INTERNAL_CPU_OFFLOAD_ENGINE", "SRIOV_EN", "NUM_OF_VFS", "NUM_OF_PF",
		"PCI_SWITCH_EMULATION_ENABLE", "PCI_SWITCH_EMULATION_NUM_PORT", "VIRTIO_NET_EMULATION_ENABLE",
		"VIRTIO_NET_EMULATION_NUM_VF", "VIRTIO_NET_EMULATION_NUM_PF", "VIRTIO_NET_EMULATION_NUM_MSIX",
		"LAG_RESOURCE_ALLOCATION", "PER_PF_NUM_SF", "PF_TOTAL_SF", "PF_SF_BAR_SIZE", "PF_BAR2_ENABLE",
		"HIDE_PORT2_PF", "NUM_VF_MSIX", "NUM_PF_MSIX_VALID", "PF_NUM_PF_MSIX", "PF_NUM_PF_MSIX_VALID",
		"UEFI_HII_EN", "UEFI_LOGS", "EXP_ROM_VIRTIO_NET_UEFI_x86_ENABLE", "EXP_ROM_UEFI_x86_ENABLE",
		"LINK_TYPE_P1", "LINK_TYPE_P2",
	};
	unsigned port;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		find(names[i], &port);
	/* Type dwords of the spec's table. */
	assert_int_equal(bf_fw_param_type(&db, find("SRIOV_EN", NULL), 0), 0x00000080);
	assert_int_equal(bf_fw_param_type(&db, find("INTERNAL_CPU_MODEL", NULL), 0), 0x0000000C);
	assert_int_equal(bf_fw_param_type(&db, find("PF_TOTAL_SF", NULL), 0), 0x03000080);
	assert_int_equal(bf_fw_param_type(&db, find("UEFI_HII_EN", NULL), 0), 0x03000196);
	assert_int_equal(bf_fw_param_type(&db, find("UEFI_LOGS", NULL), 0), 0x03000206);
	assert_int_equal(bf_fw_param_type(&db, find("EXP_ROM_UEFI_x86_ENABLE", NULL), 0), 0x07000080);
	assert_int_equal(bf_fw_param_type(&db, find("LAG_RESOURCE_ALLOCATION", NULL), 0), 0x00000088);
	assert_int_equal(bf_fw_param_type(&db, find("VIRTIO_NET_EMULATION_NUM_MSIX", NULL), 0), 0x00000090);
	assert_int_equal(bf_fw_param_type(&db, find("PCI_SWITCH_EMULATION_NUM_PORT", NULL), 0), 0x0000008D);
	find("LINK_TYPE_P2", &port);
	assert_int_equal(port, 2);
	assert_int_equal(bf_fw_param_type(&db, find("LINK_TYPE_P2", NULL), 2), 0x01020012);
}

static void test_names(void **state)
{
	unsigned port;

	(void)state;
	assert_non_null(bf_fw_params_find(&db, "sriov_en", 2, &port));
	assert_non_null(bf_fw_params_find(&db, "link_type_p1", 2, &port));
	assert_int_equal(port, 1);
	bf_error_clear();
	assert_null(bf_fw_params_find(&db, "SRIOV_ENABLE", 2, &port));
	assert_string_equal(bf_error_get(), "unknown parameter SRIOV_ENABLE (did you mean SRIOV_EN?)");
	assert_null(bf_fw_params_find(&db, "NUM_VFS", 2, &port));
	assert_string_equal(bf_error_get(), "unknown parameter NUM_VFS (did you mean NUM_OF_VFS?)");
	assert_null(bf_fw_params_find(&db, "LINK_TYPE", 2, &port));
	assert_non_null(strstr(bf_error_get(), "set per port: use LINK_TYPE_P1"));
	assert_null(bf_fw_params_find(&db, "LINK_TYPE_P3", 2, &port));
	assert_string_equal(bf_error_get(), "LINK_TYPE_P3: the device has 2 ports");
	assert_null(bf_fw_params_find(&db, "COMPLETELY_DIFFERENT_THING", 2, &port));
	assert_non_null(strstr(bf_error_get(), "see 'bfctl fw config DEV query'"));
}

static uint32_t val(const char *name, const char *text)
{
	uint32_t v = 0xdead;
	int r;

	bf_error_clear();
	r = bf_fw_param_parse_value(find(name, NULL), text, &v);
	if (r < 0)
		fprintf(stderr, "# %s=%s: %s\n", name, text, bf_error_get());
	assert_int_equal(r, 0);
	return v;
}

static void bad(const char *name, const char *text, const char *why)
{
	uint32_t v;

	bf_error_clear();
	assert_int_equal(bf_fw_param_parse_value(find(name, NULL), text, &v), -EINVAL);
	if (!strstr(bf_error_get(), why))
		fprintf(stderr, "# %s=%s: %s\n", name, text, bf_error_get());
	assert_non_null(strstr(bf_error_get(), why));
}

static void test_values(void **state)
{
	char b[64];

	(void)state;
	assert_int_equal(val("SRIOV_EN", "True"), 1);
	assert_int_equal(val("SRIOV_EN", "false"), 0);
	assert_int_equal(val("SRIOV_EN", "1"), 1);
	assert_int_equal(val("SRIOV_EN", "True(1)"), 1);
	assert_int_equal(val("INTERNAL_CPU_OFFLOAD_ENGINE", "DISABLED(1)"), 1);
	assert_int_equal(val("INTERNAL_CPU_OFFLOAD_ENGINE", "enabled"), 0);
	assert_int_equal(val("INTERNAL_CPU_MODEL", "EMBEDDED_CPU"), 1);
	assert_int_equal(val("INTERNAL_CPU_MODEL", "0"), 0);
	assert_int_equal(val("UEFI_LOGS", "DISABLED(0)"), 0);
	assert_int_equal(val("LAG_RESOURCE_ALLOCATION", "1"), 1);
	assert_int_equal(val("NUM_OF_VFS", "0x10"), 16);
	assert_int_equal(val("PF_TOTAL_SF", "512"), 512);
	bad("INTERNAL_CPU_OFFLOAD_ENGINE", "DISABLED(0)", "DISABLED is 1, not 0");
	bad("INTERNAL_CPU_MODEL", "3", "3 is not one of SEPARATED_HOST(0), EMBEDDED_CPU(1)");
	bad("SRIOV_EN", "maybe", "'maybe' is not a value of it (True or False (1 or 0))");
	bad("SRIOV_EN", "2", "out of range (0 to 1)");
	bad("NUM_OF_VFS", "70000", "out of range (0 to 65535)");
	bad("NUM_OF_VFS", "-1", "is not a number");
	bad("NUM_OF_VFS", "", "is not a number");
	bf_fw_param_format(find("SRIOV_EN", NULL), 1, b, sizeof(b));
	assert_string_equal(b, "True(1)");
	bf_fw_param_format(find("INTERNAL_CPU_MODEL", NULL), 1, b, sizeof(b));
	assert_string_equal(b, "EMBEDDED_CPU(1)");
	bf_fw_param_format(find("VIRTIO_NET_EMULATION_NUM_MSIX", NULL), 64, b, sizeof(b));
	assert_string_equal(b, "64");
}

static void test_parse_errors(void **state)
{
	static const struct { const char *yaml, *why; } cases[] = {
		{ "tlvs: [", "YAML error" },
		{ "tlvs: []\nparams: []\n", NULL },
		{ "params: []\n", "needs the lists" },
		{ "tlvs: [{name: t, class: 0, index: 1, size: 4}]\nparams: [{name: A, tlv: u, offset: \"0x0.0\", width: 1}]\n",
		  "unknown tlv 'u'" },
		{ "tlvs: [{name: t, class: 0, index: 1, size: 4}]\nparams: [{name: A, tlv: t, offset: \"0x4.0\", width: 1}]\n",
		  "bad offset/width" },
		{ "tlvs: [{name: t, class: 0, index: 1, size: 4}]\nparams: [{name: A, tlv: t, offset: \"0x0.30\", width: 4}]\n",
		  "bad offset/width" },
		{ "tlvs: [{name: t, class: 0, index: 1, size: 4}]\nparams: [{name: A, tlv: t, offset: \"0x0.0\", width: 1},"
		  " {name: a, tlv: t, offset: \"0x0.1\", width: 1}]\n", "listed twice" },
		{ "tlvs: [{name: t, class: 0, index: 1, size: 4}]\nparams: [{name: A, tlv: t, offset: \"0x0.0\", width: 2, type: enum}]\n",
		  "an enum needs values" },
		{ "tlvs: [{name: t, class: 0, index: 1, size: 6}]\nparams: []\n", "multiple of 4" },
	};
	struct bf_fw_params x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		bf_error_clear();
		r = bf_fw_params_parse(cases[i].yaml, strlen(cases[i].yaml), &x);
		if (!cases[i].why) {
			assert_int_equal(r, 0);
			bf_fw_params_free(&x);
			continue;
		}
		assert_true(r < 0);
		if (!bf_error_get() || !strstr(bf_error_get(), cases[i].why))
			fprintf(stderr, "# case %zu: %s\n", i, bf_error_get() ? bf_error_get() : "no sentence");
		assert_non_null(strstr(bf_error_get(), cases[i].why));
	}
}

/* The configuration of one function of the simulated NIC. */
struct cfgdev {
	struct bf_fw_dev *d;
	struct bf_fw_nvconf c;
};

static void cfg_open(struct fwt *t, unsigned fn, struct cfgdev *cd)
{
	struct bf_fw_pci_io io = fwt_io(t, fn);

	assert_int_equal(bf_fw_dev_open_io(&io, fn ? "0000:03:00.1" : "0000:03:00.0", &cd->d), 0);
	assert_int_equal(bf_fw_nvconf_open(&cd->c, cd->d, &db), 0);
	assert_true(cd->c.has_default && cd->c.has_current);
	assert_int_equal(cd->c.nports, 2);
}

static void cfg_close(struct cfgdev *cd)
{
	bf_fw_nvconf_close(&cd->c);
	bf_fw_dev_close(cd->d);
}

/* mlxconfig -y set NAME=VALUE ... */
static void apply(struct cfgdev *cd, const char *const *sets)
{
	struct bf_fw_nvitem it;
	size_t i;

	for (i = 0; sets[i]; i++) {
		char name[64];
		const char *eq = strchr(sets[i], '=');
		unsigned port;
		const struct bf_fw_param *p;
		uint32_t v;
		int r;

		snprintf(name, sizeof(name), "%.*s", (int)(eq - sets[i]), sets[i]);
		p = find(name, &port);
		assert_int_equal(bf_fw_param_parse_value(p, eq + 1, &v), 0);
		assert_int_equal(bf_fw_nvconf_get(&cd->c, p, port, &it), 0);
		bf_error_clear();
		r = bf_fw_nvconf_stage(&cd->c, &it, v);
		if (r < 0)
			fprintf(stderr, "# %s: %s\n", sets[i], bf_error_get());
		assert_int_equal(r, 0);
	}
	assert_int_equal(bf_fw_nvconf_commit(&cd->c), 0);
}

/* Reopen (the cache holds what was read) and check NAME=VALUE as the
 * next-boot and/or the current value. */
static void expect(struct fwt *t, unsigned fn, const char *const *sets, bool next, bool current)
{
	struct cfgdev cd;
	struct bf_fw_nvitem it;
	size_t i;

	cfg_open(t, fn, &cd);
	for (i = 0; sets[i]; i++) {
		char name[64];
		const char *eq = strchr(sets[i], '=');
		unsigned port;
		const struct bf_fw_param *p;
		uint32_t v;

		snprintf(name, sizeof(name), "%.*s", (int)(eq - sets[i]), sets[i]);
		p = find(name, &port);
		assert_int_equal(bf_fw_param_parse_value(p, eq + 1, &v), 0);
		assert_int_equal(bf_fw_nvconf_get(&cd.c, p, port, &it), 0);
		if ((next && it.next != v) || (current && it.cur != v))
			fprintf(stderr, "# fn %u %s: next %u current %u\n", fn, sets[i], it.next, it.cur);
		if (next)
			assert_int_equal(it.next, v);
		if (current)
			assert_int_equal(it.cur, v);
	}
	cfg_close(&cd);
}

static void reset_nic(struct fwt *t)
{
	struct bf_fw_reset_opts o = { .level = 3, .type = 2, .sync = BF_FW_SYNC_DRIVER, .timeout_s = 30 };
	struct bf_fw_dev *d;
	struct bf_fw_pci_io io = fwt_io(t, 0);
	bool waited;

	assert_int_equal(bf_fw_dev_open_io(&io, "0000:03:00.0", &d), 0);
	assert_int_equal(bf_fw_reset(d, &o, &waited), 0);
	assert_true(waited);
	bf_fw_dev_close(d);
}

/* One field-guide sequence: mlxconfig reset, the sets on 03:00.0 and
 * 03:00.1, read back as next (current unchanged), then current after the
 * reset. */
static void sequence(const char *const *pf0, const char *const *pf1, bool reset_first)
{
	struct fwt t;
	struct cfgdev cd;

	fwt_sim(&t, BF_CHIP_BF3, 0, false);
	cfg_open(&t, 0, &cd);
	if (reset_first)
		assert_int_equal(bf_fw_nvconf_reset_all(&cd.c), 0);
	apply(&cd, pf0);
	cfg_close(&cd);
	if (pf1) {
		cfg_open(&t, 1, &cd);
		apply(&cd, pf1);
		cfg_close(&cd);
	}
	expect(&t, 0, pf0, true, false);
	if (pf1)
		expect(&t, 1, pf1, true, false);
	/* Not in effect yet: current still at the defaults. */
	expect(&t, 0, (const char *const[]){ "PF_TOTAL_SF=0", "LAG_RESOURCE_ALLOCATION=0", NULL }, false, true);
	reset_nic(&t);
	expect(&t, 0, pf0, true, true);
	if (pf1)
		expect(&t, 1, pf1, true, true);
	fwt_close(&t);
}

static void test_virtio_hotplug(void **state)
{
	(void)state;
	sequence((const char *const[]){
			"INTERNAL_CPU_MODEL=1", "SRIOV_EN=0", "NUM_OF_VFS=0", "NUM_OF_PF=0",
			"PCI_SWITCH_EMULATION_ENABLE=1", "PCI_SWITCH_EMULATION_NUM_PORT=32",
			"VIRTIO_NET_EMULATION_ENABLE=1", "VIRTIO_NET_EMULATION_NUM_VF=0",
			"VIRTIO_NET_EMULATION_NUM_PF=0", "VIRTIO_NET_EMULATION_NUM_MSIX=64",
			"LAG_RESOURCE_ALLOCATION=1", "PER_PF_NUM_SF=1", "PF_TOTAL_SF=64", "PF_SF_BAR_SIZE=10", NULL },
		 (const char *const[]){ "PER_PF_NUM_SF=1", "PF_TOTAL_SF=2", "PF_SF_BAR_SIZE=10", NULL }, true);
}

static void test_virtio_static(void **state)
{
	(void)state;
	sequence((const char *const[]){
			"INTERNAL_CPU_MODEL=1", "SRIOV_EN=1", "PCI_SWITCH_EMULATION_ENABLE=0",
			"PCI_SWITCH_EMULATION_NUM_PORT=0", "VIRTIO_NET_EMULATION_ENABLE=1",
			"VIRTIO_NET_EMULATION_NUM_VF=126", "VIRTIO_NET_EMULATION_NUM_PF=4",
			"VIRTIO_NET_EMULATION_NUM_MSIX=32", "LAG_RESOURCE_ALLOCATION=1", "PER_PF_NUM_SF=1",
			"PF_TOTAL_SF=512", "PF_SF_BAR_SIZE=8", NULL },
		 (const char *const[]){ "PER_PF_NUM_SF=1", "PF_TOTAL_SF=2", "PF_SF_BAR_SIZE=8", NULL }, true);
}

static void test_lag(void **state)
{
	(void)state;
	sequence((const char *const[]){ "LAG_RESOURCE_ALLOCATION=1", "HIDE_PORT2_PF=True", "NUM_OF_PF=1", NULL },
		 NULL, false);
}

static void test_sfs(void **state)
{
	(void)state;
	/* DPU-internal SFs, then SFs for the host (external). */
	sequence((const char *const[]){ "PF_BAR2_ENABLE=0", "PER_PF_NUM_SF=1", "PF_TOTAL_SF=236", "PF_SF_BAR_SIZE=10", NULL },
		 NULL, false);
	sequence((const char *const[]){ "NUM_PF_MSIX_VALID=0", "PF_NUM_PF_MSIX_VALID=1", "PF_TOTAL_SF=32",
					"PF_NUM_PF_MSIX=128", "PF_BAR2_ENABLE=0", "PER_PF_NUM_SF=1", "PF_SF_BAR_SIZE=10", NULL },
		 NULL, false);
	sequence((const char *const[]){ "VIRTIO_NET_EMULATION_NUM_MSIX=32", "NUM_VF_MSIX=32", NULL }, NULL, false);
}

static void test_limits_and_reset(void **state)
{
	struct fwt t;
	struct cfgdev cd;
	struct bf_fw_nvitem it;
	unsigned port, st;
	int r;

	(void)state;
	fwt_sim(&t, BF_CHIP_BF3, 0, false);
	cfg_open(&t, 0, &cd);
	/* Every parameter of the file is known to the firmware, writable,
	 * with its capability present. */
	{
		size_t i;

		for (i = 0; i < db.n; i++) {
			assert_int_equal(bf_fw_nvconf_get(&cd.c, &db.p[i], bf_fw_param_per_port(&db, &db.p[i]) ? 1 : 0, &it), 0);
			if (!it.supported || it.ro)
				fprintf(stderr, "# %s: supported %d ro %d\n", it.name, it.supported, it.ro);
			assert_true(it.supported);
			assert_false(it.ro);
		}
	}
	/* bfctl's range check uses the device's capability. */
	assert_int_equal(bf_fw_nvconf_get(&cd.c, find("NUM_OF_VFS", &port), 0, &it), 0);
	assert_int_equal(it.max, 127);
	bf_error_clear();
	assert_int_equal(bf_fw_nvconf_stage(&cd.c, &it, 128), -EINVAL);
	assert_string_equal(bf_error_get(), "NUM_OF_VFS: 128 is out of range: 0000:03:00.0 allows 0 to 127");
	assert_int_equal(bf_fw_nvconf_get(&cd.c, find("PCI_SWITCH_EMULATION_NUM_PORT", &port), 0, &it), 0);
	assert_int_equal(it.max, 32);
	/* The firmware checks too (a tool that skips the check). */
	{
		struct bf_fw_mnvda m = { .length = 12, .over_en = 1, .writer_id = 9, .type = 0x80 };

		bf_fw_bits_set(m.data, 0x4, 0, 16, 200);
		r = bf_fw_reg_sized(&cd.d->icmd, &bf_fw_mnvda_layout, BF_FW_METHOD_SET, &m, 12 + 12, 12, &st);
		assert_int_equal(r, 0);
		assert_int_equal(st, 0x20);
	}
	/* Valid bits go with the values. */
	apply(&cd, (const char *const[]){ "SRIOV_EN=0", NULL });
	{
		struct bf_fw_mnvda m = { .length = 256, .type = 0x80 };

		assert_int_equal(bf_fw_reg_sized(&cd.d->icmd, &bf_fw_mnvda_layout, BF_FW_METHOD_GET, &m, 12,
						 bf_fw_mnvda_layout.size, NULL), 0);
		assert_int_equal(m.length, 12);
		assert_int_equal(bf_fw_bits_get(m.data, 0x0, 31, 1), 1);    /* sriov_valid */
		assert_int_equal(bf_fw_bits_get(m.data, 0x4, 31, 1), 0);    /* sriov_en */
		assert_int_equal(bf_fw_bits_get(m.data, 0x4, 0, 16), 16);   /* total_vfs kept */
	}
	cfg_close(&cd);
	/* Back to the defaults for the next boot; current stays until then. */
	cfg_open(&t, 0, &cd);
	assert_int_equal(bf_fw_nvconf_reset_all(&cd.c), 0);
	cfg_close(&cd);
	expect(&t, 0, (const char *const[]){ "SRIOV_EN=1", NULL }, true, true);
	fwt_close(&t);
}

static void test_unsupported(void **state)
{
	struct fwt t;
	struct cfgdev cd;
	struct bf_fw_nvitem it;
	unsigned port;

	(void)state;
	fwt_sim(&t, BF_CHIP_BF3, 0, false);
	bf_sim_nic_quirks(bf_sim_nic_get(t.s, 0))->hide_virtio_cap = true;
	cfg_open(&t, 0, &cd);
	assert_int_equal(bf_fw_nvconf_get(&cd.c, find("VIRTIO_NET_EMULATION_ENABLE", &port), 0, &it), 0);
	assert_false(it.supported);
	bf_error_clear();
	assert_int_equal(bf_fw_nvconf_stage(&cd.c, &it, 1), -ENOTSUP);
	assert_string_equal(bf_error_get(), "VIRTIO_NET_EMULATION_ENABLE is not supported by the firmware of 0000:03:00.0");
	cfg_close(&cd);
	fwt_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_params),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_virtio_hotplug),
		cmocka_unit_test(test_virtio_static),
		cmocka_unit_test(test_lag),
		cmocka_unit_test(test_sfs),
		cmocka_unit_test(test_limits_and_reset),
		cmocka_unit_test(test_unsupported),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
