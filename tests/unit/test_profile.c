/* test_profile.c - the DPU profile validator: one test per diagnostic
 * class (with file:line:column), did-you-mean, includes and overrides,
 * cycles and depth, and the shipped profiles checking clean. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgkeys.h"
#include "fileio.h"
#include "fw/params.h"
#include "profile.h"

static struct bf_fw_params db;
static struct bf_cfgkeys keys;

/* In-memory files for include: tests. */
static const char *const *mem_files;

static int mem_loader(void *ctx, const char *path, char **buf, size_t *len, char **canon)
{
	size_t i;

	(void)ctx;
	for (i = 0; mem_files && mem_files[i]; i += 2)
		if (!strcmp(mem_files[i], path)) {
			*buf = strdup(mem_files[i + 1]);
			*canon = strdup(path);
			*len = strlen(*buf);
			return 0;
		}
	return -ENOENT;
}

static struct bf_profile prof;
static struct bf_profile_result res;

static void check(const char *text)
{
	struct bf_profile_ctx ctx = { &db, &keys, mem_loader, NULL };

	bf_profile_free(&prof);
	bf_profile_result_free(&res);
	assert_int_equal(bf_profile_parse(&ctx, "t.yaml", text, strlen(text), &prof, &res), 0);
}

/* The diagnostic of class cls at line:col whose message contains needle. */
static void expect(enum bf_profile_class cls, unsigned line, unsigned col, const char *needle)
{
	size_t i;

	for (i = 0; i < res.n; i++)
		if (res.d[i].cls == cls && res.d[i].pos.line == line && res.d[i].pos.col == col &&
		    strstr(res.d[i].msg, needle))
			return;
	for (i = 0; i < res.n; i++)
		print_message("  got %s:%u:%u [%s] %s\n", res.d[i].pos.file, res.d[i].pos.line, res.d[i].pos.col,
			      bf_profile_class_name(res.d[i].cls), res.d[i].msg);
	fail_msg("no %s diagnostic at %u:%u containing '%s'", bf_profile_class_name(cls), line, col, needle);
}

static void t_syntax(void **s)
{
	(void)s;
	check("dpu:\n  eswitch: [switchdev\n");
	assert_int_equal(res.errors, 1);
	assert_int_equal(res.d[0].cls, BF_PDIAG_SYNTAX);
	assert_int_equal(res.d[0].pos.line, 3);
	check("- a\n- b\n");
	expect(BF_PDIAG_SYNTAX, 1, 1, "a YAML mapping");
	check("dpu:\n  ovs: [1]\n");
	expect(BF_PDIAG_SYNTAX, 2, 8, "dpu.ovs must be a mapping");
}

static void t_unknown_key(void **s)
{
	(void)s;
	check("dpu:\n  eswich: switchdev\n");
	expect(BF_PDIAG_UNKNOWN_KEY, 2, 3, "did you mean 'eswitch'");
	check("firmware:\n  PF_TOTAL_FS: 4\n");
	expect(BF_PDIAG_UNKNOWN_KEY, 2, 16, "did you mean PF_TOTAL_SF");
	check("bfcfg:\n  UPDATE_DPU_0S: 'yes'\n");
	expect(BF_PDIAG_UNKNOWN_KEY, 2, 18, "UPDATE_DPU_OS");
	check("dpu:\n  ovs:\n    bridges:\n      - name: br0\n        prots: []\n");
	expect(BF_PDIAG_UNKNOWN_KEY, 5, 9, "did you mean 'ports'");
}

static void t_type(void **s)
{
	(void)s;
	check("dpu:\n  eswitch: switchdv\n");
	expect(BF_PDIAG_TYPE, 2, 12, "did you mean 'switchdev'");
	check("dpu:\n  eswitch: switchdev\n  pfs: [{devlink: pci/0000:03:00.0}]\n"
	      "  sfs:\n    - {pf: 0, sfnum: x1}\n");
	expect(BF_PDIAG_TYPE, 5, 22, "takes a number");
	check("dpu:\n  eswitch: switchdev\n  pfs: [{devlink: pci/0000:03:00.0}]\n"
	      "  sfs:\n    - {pf: 0, sfnum: 1, mac: 03:00:00:00:00:01}\n");
	expect(BF_PDIAG_TYPE, 5, 30, "multicast");
	check("firmware:\n  SRIOV_EN: maybe\n");
	expect(BF_PDIAG_TYPE, 2, 13, "SRIOV_EN");
	check("bfcfg:\n  UPDATE_DPU_OS: Yes\n");
	expect(BF_PDIAG_TYPE, 2, 18, "yes or no");
	check("dpu:\n  pfs:\n    - devlink: 0000:03:00.0\n");
	expect(BF_PDIAG_TYPE, 3, 7, "BUS/DEVICE");
	check("dpu:\n  eswitch: switchdev\n  ovs:\n    bridges:\n      - {name: br0, ports: [{rep: vf0}]}\n");
	expect(BF_PDIAG_TYPE, 5, 35, "phys_port_name");
}

static void t_range(void **s)
{
	(void)s;
	check("dpu:\n  lag: {members: [p0, p1], miimon: 100000}\n");
	expect(BF_PDIAG_RANGE, 2, 36, "out of range");
	check("dpu:\n  eswitch: switchdev\n  pfs: [{devlink: a/b}]\n  lag: {members: [p0]}\n");
	expect(BF_PDIAG_RANGE, 4, 18, "exactly the two uplinks");
	check("dpu:\n  virtio_net:\n    - {type: hotplug, pf: 0, mac: 02:00:00:00:00:01, mtu: 1500, queues: 4,"
	      " queue_size: 1000}\n");
	expect(BF_PDIAG_RANGE, 3, 88, "power of two");
}

static void t_missing(void **s)
{
	(void)s;
	check("dpu:\n  virtio_net:\n    - {type: hotplug, pf: 0, mtu: 1500, queues: 4, queue_size: 256}\n");
	expect(BF_PDIAG_MISSING, 3, 7, "dpu.virtio_net[0].mac is required");
	check("dpu:\n  ovs:\n    bridges:\n      - ports: [a]\n");
	expect(BF_PDIAG_MISSING, 4, 9, "name is required");
	check("dpu:\n  eswitch: switchdev\n  sfs: [{pf: 0, sfnum: 1}]\n");
	expect(BF_PDIAG_MISSING, 2, 3, "needs dpu.pfs");
}

static void t_duplicate(void **s)
{
	(void)s;
	check("dpu:\n  ovs:\n    bridges:\n      - {name: br0, ports: [a]}\n      - {name: br1, ports: [b, a]}\n");
	expect(BF_PDIAG_DUPLICATE, 5, 32, "port a is already in bridge br0 (line 4)");
	check("dpu:\n  ovs:\n    bridges:\n      - {name: br0}\n      - {name: br0}\n");
	expect(BF_PDIAG_DUPLICATE, 5, 9, "bridge br0 is defined twice");
	check("firmware:\n  PF_TOTAL_SF: 4\n  pf_total_sf: 8\n");
	expect(BF_PDIAG_DUPLICATE, 3, 16, "set twice");
	check("dpu:\n  eswitch: legacy\n  eswitch: switchdev\n");
	expect(BF_PDIAG_DUPLICATE, 3, 3, "appears twice in one mapping (also at line 2)");
}

static void t_cross_layer(void **s)
{
	(void)s;
	check("dpu:\n  virtio_net:\n    - {type: hotplug, pf: 0, mac: 02:00:00:00:00:01, mtu: 1500, queues: 4,"
	      " queue_size: 256}\n");
	expect(BF_PDIAG_CROSS_LAYER, 3, 7, "VIRTIO_NET_EMULATION_ENABLE");
	expect(BF_PDIAG_CROSS_LAYER, 3, 7, "PCI_SWITCH_EMULATION_ENABLE");
	expect(BF_PDIAG_CROSS_LAYER, 3, 7, "PF_TOTAL_SF >= 1");
	check("firmware: {PF_TOTAL_SF: 2}\ndpu:\n  eswitch: switchdev\n  pfs: [{devlink: pci/0000:03:00.0}]\n"
	      "  sfs:\n    - {pf: 0, sfnum: 1}\n    - {pf: 0, sfnum: 2}\n    - {pf: 0, sfnum: 3}\n");
	expect(BF_PDIAG_CROSS_LAYER, 6, 7, "PF_TOTAL_SF >= 3, it is 2");
	check("dpu:\n  eswitch: switchdev\n  pfs: [{devlink: a/b}]\n  lag: {members: [p0, p1]}\n");
	expect(BF_PDIAG_CROSS_LAYER, 4, 8, "LAG_RESOURCE_ALLOCATION");
	check("firmware: {LAG_RESOURCE_ALLOCATION: 0}\ndpu:\n  eswitch: switchdev\n  pfs: [{devlink: a/b}]\n"
	      "  lag: {members: [p0, p1], hash: layer2}\n");
	expect(BF_PDIAG_CROSS_LAYER, 5, 8, "LAG_RESOURCE_ALLOCATION: 1");
	check("firmware: {SRIOV_EN: False}\ndpu:\n  pfs: [{devlink: a/b, vfs: 4}]\n");
	expect(BF_PDIAG_CROSS_LAYER, 3, 9, "SRIOV_EN");
}

static void t_conflict(void **s)
{
	(void)s;
	check("firmware: {LAG_RESOURCE_ALLOCATION: 1}\ndpu:\n  eswitch: switchdev\n  pfs: [{devlink: a/b}]\n"
	      "  lag: {members: [p0, p1]}\n  ovs:\n    bridges:\n      - {name: br0, ports: [{rep: p0}]}\n");
	expect(BF_PDIAG_CONFLICT, 8, 29, "put bond0 in the bridge");
	check("dpu:\n  eswitch: legacy\n  ovs:\n    bridges:\n      - {name: br0, ports: [{rep: pf0vf0}]}\n");
	expect(BF_PDIAG_CONFLICT, 5, 29, "switchdev");
}

static void t_include(void **s)
{
	static const char *const files[] = {
		"dir/../base.yaml", "firmware: {PF_TOTAL_SF: 8}\ndpu:\n  eswitch: switchdev\n  ovs:\n"
			     "    other_config: {hw-offload: 'true', max-idle: '10000'}\n",
		"dir/site.yaml", "include: ../base.yaml\ndpu:\n  ovs:\n    other_config: {max-idle: ~}\n",
		"loop1.yaml", "include: loop2.yaml\n",
		"loop2.yaml", "include: loop1.yaml\n",
		"bad.yaml", "dpu: {eswich: legacy}\n",
		NULL,
	};

	(void)s;
	mem_files = files;
	check("include: dir/site.yaml\nfirmware: {PF_TOTAL_SF: 16}\n");
	if (res.errors)
		expect(BF_PDIAG_SYNTAX, 0, 0, "-");
	assert_int_equal(res.errors, 0);
	assert_string_equal(bf_profile_firmware(&prof, "PF_TOTAL_SF"), "16");   /* override */
	assert_string_equal(prof.eswitch, "switchdev");                          /* inherited */
	assert_int_equal(prof.nother, 1);                                        /* ~ deleted max-idle */
	assert_string_equal(prof.ovs_other_config[0].key, "hw-offload");
	check("include: loop1.yaml\n");
	expect(BF_PDIAG_INCLUDE, 1, 10, "include cycle");
	check("include: nothere.yaml\n");
	expect(BF_PDIAG_INCLUDE, 1, 10, "cannot read nothere.yaml");
	check("include: bad.yaml\n");
	assert_int_equal(res.errors, 1);
	assert_string_equal(res.d[0].pos.file, "bad.yaml");   /* the position is in the included file */
	assert_int_equal(res.d[0].pos.line, 1);
	assert_int_equal(res.d[0].pos.col, 7);
	mem_files = NULL;
}

static void t_include_depth(void **s)
{
	static const char *const files[] = {
		"d1", "include: d2\n", "d2", "include: d3\n", "d3", "include: d4\n", "d4", "include: d5\n",
		"d5", "include: d6\n", "d6", "include: d7\n", "d7", "include: d8\n", "d8", "include: d9\n",
		"d9", "dpu: {}\n", NULL,
	};

	(void)s;
	mem_files = files;
	check("include: d1\n");
	expect(BF_PDIAG_INCLUDE, 1, 10, "deeper than 8");
	mem_files = NULL;
}

static void t_shipped(void **s)
{
	static const char *const names[] = { "ovs-switchdev", "lag", "sf-apps", "virtio-net-hotplug" };
	struct bf_profile_ctx ctx = { &db, &keys, NULL, NULL };
	char rel[128], path[4096];
	size_t i;

	(void)s;
	for (i = 0; i < 4; i++) {
		snprintf(rel, sizeof(rel), "profiles/%s.yaml", names[i]);
		assert_int_equal(bf_data_path(rel, path, sizeof(path)), 0);
		bf_profile_free(&prof);
		bf_profile_result_free(&res);
		assert_int_equal(bf_profile_load_file(&ctx, path, &prof, &res), 0);
		if (res.n)
			print_message("%s: %s\n", names[i], res.d[0].msg);
		assert_int_equal(res.n, 0);
		assert_string_equal(prof.name, names[i]);
	}
	assert_int_equal(prof.nvirtio, 2);
	assert_int_equal(prof.nbridges, 2);
}

static int setup(void **s)
{
	(void)s;
	return bf_fw_params_load(&db) || bf_cfgkeys_load(&keys);
}

static int teardown(void **s)
{
	(void)s;
	bf_profile_free(&prof);
	bf_profile_result_free(&res);
	bf_fw_params_free(&db);
	bf_cfgkeys_free(&keys);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_syntax), cmocka_unit_test(t_unknown_key), cmocka_unit_test(t_type),
		cmocka_unit_test(t_range), cmocka_unit_test(t_missing), cmocka_unit_test(t_duplicate),
		cmocka_unit_test(t_cross_layer), cmocka_unit_test(t_conflict), cmocka_unit_test(t_include),
		cmocka_unit_test(t_include_depth), cmocka_unit_test(t_shipped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
