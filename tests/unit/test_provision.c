/* test_provision.c - the pure parts of bf_provision_*: step names, the
 * host key line from the RShim log, bfagent's verdict lines, and the bf.cfg made for the hand-off (read back
 * with the bf.cfg reader: its keys and hook functions). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bfcfg.h"
#include "error.h"
#include "fileio.h"
#include "profile.h"
#include "provision_int.h"

static void test_steps(void **state)
{
	(void)state;
	assert_string_equal(bf_provision_step_name(BF_PROV_FIRMWARE), "firmware");
	assert_string_equal(bf_provision_step_name(BF_PROV_HANDOFF), "handoff");
	assert_string_equal(bf_provision_step_name(BF_PROV_VERIFY), "verify");
	assert_int_equal(bf_provision_step_parse("agent"), BF_PROV_AGENT);
	assert_int_equal(bf_provision_step_parse("install"), BF_PROV_INSTALL);
	assert_int_equal(bf_provision_step_parse("Agent"), -1);
	assert_string_equal(bf_provision_status_name(BF_PROV_UNCHANGED), "unchanged");
}

static void test_fp_from_log(void **state)
{
	const char *good = "SHA256:PEVMXosH7pR5qf7s6ckYem8+ciy7L201+crGctW5liI";
	char fp[BF_PROV_FP_MAX], line[200];

	(void)state;
	snprintf(line, sizeof(line), "bfctl-hostkey %s", good);
	assert_true(bf_prov_fp_from_log(line, fp, sizeof(fp)));
	assert_string_equal(fp, good);
	snprintf(line, sizeof(line), "bfctl-hostkey %s trailing", good);
	assert_true(bf_prov_fp_from_log(line, fp, sizeof(fp)));
	/* one character short, one too many, not base64, another hash, no tag */
	assert_false(bf_prov_fp_from_log("bfctl-hostkey SHA256:PEVMXosH7pR5qf7s6ckYem8+ciy7L201+crGctW5li", fp, sizeof(fp)));
	assert_false(bf_prov_fp_from_log("bfctl-hostkey SHA256:PEVMXosH7pR5qf7s6ckYem8+ciy7L201+crGctW5liII", fp, sizeof(fp)));
	assert_false(bf_prov_fp_from_log("bfctl-hostkey SHA256:PEVMXosH7pR5qf7s6ckYem8+ciy7L201+crGctW5li%", fp, sizeof(fp)));
	assert_false(bf_prov_fp_from_log("bfctl-hostkey MD5:aa:bb", fp, sizeof(fp)));
	assert_false(bf_prov_fp_from_log(good, fp, sizeof(fp)));
	/* a buffer too small is never overrun */
	snprintf(line, sizeof(line), "bfctl-hostkey %s", good);
	assert_false(bf_prov_fp_from_log(line, fp, 20));
}

static void test_tally(void **state)
{
	struct bf_prov_tally t = { 0 };

	(void)state;
	assert_true(bf_prov_tally_line(&t, "{\"event\":\"object\",\"action\":\"drift\",\"kind\":\"bridge\"}"));
	assert_true(bf_prov_tally_line(&t, "{\"event\":\"object\",\"action\":\"in-sync\"}"));
	assert_true(bf_prov_tally_line(&t, "{\"event\":\"summary\",\"changes\":3,\"failed\":1}"));
	assert_false(bf_prov_tally_line(&t, "apply: nothing to change"));
	assert_false(bf_prov_tally_line(&t, "[1,2]"));
	/* wrong types are not counted */
	assert_true(bf_prov_tally_line(&t, "{\"event\":\"summary\",\"changes\":\"9\",\"failed\":[]}"));
	assert_int_equal(t.drift, 1);
	assert_int_equal(t.changes, 3);
	assert_int_equal(t.failed, 1);
	assert_true(t.summary);
}

static void test_bfcfg(void **state)
{
	struct bf_provision_opts o = { .device = "sim:0", .profile = "p.yaml" };
	struct bf_provision_result res;
	struct bf_profile prof;
	struct bf_profile_kv kv[2] = { { .key = "UPDATE_ATF_UEFI", .value = "no" },
				       { .key = "HOSTNAME_X", .value = "it's" } };
	struct bf_prov *p = calloc(1, sizeof(*p));
	struct bf_bfcfg *cfg = NULL;
	char dir[] = "/tmp/test_provision.XXXXXX", path[4200], *buf = NULL;
	struct stat st;
	size_t len;

	(void)state;
	assert_non_null(p);
	assert_non_null(mkdtemp(dir));
	memset(&prof, 0, sizeof(prof));
	memset(&res, 0, sizeof(res));
	prof.bfcfg = kv;
	prof.nbfcfg = 2;
	p->o = &o;
	p->res = &res;
	snprintf(p->state_dir, sizeof(p->state_dir), "%s", dir);
	snprintf(p->pub, sizeof(p->pub), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB bfctl@sim:0");
	snprintf(p->bfb_version, sizeof(p->bfb_version), "BSP 4.7.0 DOCA 2.7.0");
	assert_int_equal(bf_prov_bfcfg_write(p, &prof, path, sizeof(path)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(bf_file_read_all(path, 65536, &buf, &len), 0);
	assert_int_equal(bf_bfcfg_parse(buf, len, &cfg), 0);
	assert_string_equal(bf_bfcfg_get(cfg, "UPDATE_ATF_UEFI", ""), "no");
	assert_string_equal(bf_bfcfg_get(cfg, "HOSTNAME_X", ""), "it's");
	assert_string_equal(bf_bfcfg_get(cfg, "BFCTL_PUBKEY", ""), p->pub);
	assert_string_equal(bf_bfcfg_get(cfg, "BFCTL_BFB_VERSION", ""), "BSP 4.7.0 DOCA 2.7.0");
	assert_non_null(bf_bfcfg_func_find(cfg, "bfb_modify_os"));
	assert_non_null(bf_bfcfg_func_find(cfg, "bfb_post_install"));
	assert_non_null(strstr(buf, "bfrshlog \"INFO bfctl-hostkey "));
	assert_null(strstr(buf, "PRIVATE"));
	bf_bfcfg_free(cfg);
	free(buf);
	/* a key that is no shell name never reaches bf.cfg */
	kv[1].key = "A;rm";
	assert_int_equal(bf_prov_bfcfg_write(p, &prof, path, sizeof(path)), BF_EXIT_INPUT);
	unlink(path);
	rmdir(dir);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_fp_from_log),
		cmocka_unit_test(test_tally),
		cmocka_unit_test(test_bfcfg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
