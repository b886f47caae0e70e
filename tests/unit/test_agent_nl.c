/* test_agent_nl.c - bfagent's rtnetlink code on this host's real kernel,
 * in a user and network namespace of its own: link create (the path the
 * bond takes, here with kinds this kernel has: bridge, veth), master, MTU,
 * up/down, rename, delete, and the link dump; each change read back with
 * ip(8) as the independent tool. Skips when namespaces cannot be made
 * (outside CI only). */
#define _GNU_SOURCE
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "netlink.h"

static struct bf_agent_nl nl;
static struct bf_agent_obs obs;

/* `ip -d -o link show DEV` as one line ("" when it does not exist). */
static const char *ip_show(const char *dev)
{
	static char line[4096];
	char cmd[128];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip -d -o link show dev %s 2>/dev/null", dev);
	line[0] = 0;
	f = popen(cmd, "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		pclose(f);
	}
	return line;
}

static const struct bf_agent_link *dump_find(const char *name)
{
	assert_int_equal(bf_agent_nl_links(&nl, &obs), 0);
	return bf_agent_link_by_name(&obs, name);
}

static void t_create_set_rename_del(void **s)
{
	const struct bf_agent_link *br, *v;
	int br_ix, v_ix;

	(void)s;
	assert_int_equal(bf_agent_nl_link_create(&nl, "bfa-br", "bridge", -1, -1, -1), 0);
	assert_non_null(strstr(ip_show("bfa-br"), "bridge"));
	assert_int_equal(bf_agent_nl_link_create(&nl, "bfa-v0", "veth", -1, -1, -1), 0);
	assert_non_null(strstr(ip_show("bfa-v0"), "veth"));

	br = dump_find("bfa-br");
	assert_non_null(br);
	assert_string_equal(br->kind, "bridge");
	br_ix = br->ifindex;
	v = dump_find("bfa-v0");
	assert_non_null(v);
	v_ix = v->ifindex;
	assert_false(v->up);

	/* MTU and up */
	assert_int_equal(bf_agent_nl_link_set(&nl, v_ix, -1, 1400, 1, NULL), 0);
	assert_non_null(strstr(ip_show("bfa-v0"), "mtu 1400"));
	assert_non_null(strstr(ip_show("bfa-v0"), "UP"));
	v = dump_find("bfa-v0");
	assert_int_equal(v->mtu, 1400);
	assert_true(v->up);

	/* master, as a bond member is enslaved: down, master, up */
	assert_int_equal(bf_agent_nl_link_set(&nl, v_ix, -1, 0, 0, NULL), 0);
	assert_int_equal(bf_agent_nl_link_set(&nl, v_ix, br_ix, 0, -1, NULL), 0);
	assert_int_equal(bf_agent_nl_link_set(&nl, v_ix, -1, 0, 1, NULL), 0);
	assert_non_null(strstr(ip_show("bfa-v0"), "master bfa-br"));
	assert_int_equal(dump_find("bfa-v0")->master, br_ix);
	assert_int_equal(bf_agent_nl_link_set(&nl, v_ix, 0, 0, -1, NULL), 0);
	assert_null(strstr(ip_show("bfa-v0"), "master"));

	/* rename (down first, as the kernel wants) */
	assert_int_equal(bf_agent_nl_link_set(&nl, v_ix, -1, 0, 0, NULL), 0);
	assert_int_equal(bf_agent_nl_link_set(&nl, v_ix, -1, 0, -1, "bfa-renamed"), 0);
	assert_string_equal(ip_show("bfa-v0"), "");
	assert_non_null(strstr(ip_show("bfa-renamed"), "veth"));
	assert_int_equal(dump_find("bfa-renamed")->ifindex, v_ix);

	/* delete */
	assert_int_equal(bf_agent_nl_link_del(&nl, br_ix), 0);
	assert_string_equal(ip_show("bfa-br"), "");
	assert_null(dump_find("bfa-br"));
	assert_int_equal(bf_agent_nl_link_del(&nl, v_ix), 0);
	assert_string_equal(ip_show("bfa-renamed"), "");
}

static void t_errors(void **s)
{
	(void)s;
	/* An existing name: EEXIST with a sentence naming the link. */
	assert_int_equal(bf_agent_nl_link_create(&nl, "lo", "bridge", -1, -1, -1), -EEXIST);
	assert_non_null(strstr(bf_error_get(), "cannot create bridge link lo"));
	/* A missing link */
	assert_true(bf_agent_nl_link_set(&nl, 999999, -1, 1400, -1, NULL) < 0);
	assert_non_null(strstr(bf_error_get(), "cannot change link 999999"));
	/* A kind this kernel may lack (bonding here): a sentence, no crash. */
	if (bf_agent_nl_link_create(&nl, "bfa-bond", "bond", 4, 1, 100) < 0)
		assert_non_null(strstr(bf_error_get(), "cannot create bond link bfa-bond"));
	else
		assert_non_null(strstr(ip_show("bfa-bond"), "bond mode 802.3ad"));
}

static int setup(void **s)
{
	(void)s;
	return bf_agent_nl_open(&nl);
}

static int teardown(void **s)
{
	(void)s;
	bf_agent_nl_close(&nl);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_create_set_rename_del),
		cmocka_unit_test(t_errors),
	};
	const char *ci = getenv("CI");

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0 && unshare(CLONE_NEWNET) < 0) {
		if (ci && !strcmp(ci, "true")) {
			printf("not ok 1 - cannot make a network namespace: %s\n1..1\n", strerror(errno));
			return 1;
		}
		printf("1..0 # SKIP cannot make a network namespace: %s\n", strerror(errno));
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
