/* test_statedir.c - a device's state directory (bf_statedir_*): the names
 * of known device forms, that every name decodes back to its device (so
 * two devices never share a directory), and that a name too long for a
 * directory is refused with a sentence instead of being cut short. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "error.h"
#include "statedir.h"

/* The inverse of the documented encoding, written from its description. */
static int decode(const char *name, char *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	for (; *name; name++) {
		if (n + 1 >= cap)
			return -1;
		if (*name == '_') {
			out[n++] = ':';
		} else if (*name == '%') {
			if (sscanf(name + 1, "%2X", &v) != 1 || !name[1] || !name[2])
				return -1;
			out[n++] = (char)v;
			name += 2;
		} else {
			out[n++] = *name;
		}
	}
	out[n] = '\0';
	return 0;
}

static void expect(const char *dev, const char *path)
{
	char d[PATH_MAX];

	assert_int_equal(bf_statedir_path(NULL, dev, d, sizeof(d)), 0);
	assert_string_equal(d, path);
}

static void test_known(void **state)
{
	char d[PATH_MAX];

	(void)state;
	setenv("BFCTL_STATE_DIR", "/x", 1);
	expect("sim:0", "/x/sim_0");
	expect("rshim0", "/x/rshim0");
	expect("usb:1-4", "/x/usb_1-4");
	expect("usb-1-4", "/x/usb-1-4");
	expect("usb_1-4", "/x/usb%5F1-4");
	expect("usb/1-4", "/x/usb%2F1-4");
	expect("/dev/rshim0", "/x/%2Fdev%2Frshim0");
	expect("..", "/x/%2E.");
	expect(".", "/x/%2E");
	expect("a%5F", "/x/a%255F");
	expect("pcie:0000:03:00.2", "/x/pcie_0000_03_00.2");
	expect("d\xc3\xa9v\n", "/x/d%C3%A9v%0A");
	assert_int_equal(bf_statedir_path("/root", "sim:0", d, sizeof(d)), 0);
	assert_string_equal(d, "/root/sim_0");
	unsetenv("BFCTL_STATE_DIR");
	expect("sim:0", "/var/lib/bfctl/sim_0");
	setenv("BFCTL_STATE_DIR", "", 1);
	expect("sim:0", "/var/lib/bfctl/sim_0");
	unsetenv("BFCTL_STATE_DIR");
}

/* Every name of one and two bytes, and a few longer ones, decodes back:
 * the encoding is one to one. */
static void test_reversible(void **state)
{
	char dev[4], name[BF_STATEDIR_NAME_MAX + 1], back[16];
	unsigned a, b;

	(void)state;
	for (a = 1; a < 256; a++)
		for (b = 0; b < 256; b++) {
			dev[0] = (char)a;
			dev[1] = (char)b;
			dev[2] = '\0';
			assert_int_equal(bf_statedir_name(dev, name, sizeof(name)), 0);
			assert_null(strchr(name, '/'));
			assert_true(strcmp(name, ".") && strcmp(name, ".."));
			assert_int_equal(decode(name, back, sizeof(back)), 0);
			assert_string_equal(back, dev);
		}
}

static void test_distinct(void **state)
{
	static const char *const devs[] = { "usb:1-4", "usb-1-4", "usb_1-4", "usb/1-4", "usb%3A1-4", "usb%2F1-4",
					    "usb.1-4", "usb 1-4" };
	char names[8][BF_STATEDIR_NAME_MAX + 1];
	size_t i, j;

	(void)state;
	for (i = 0; i < 8; i++) {
		assert_int_equal(bf_statedir_name(devs[i], names[i], sizeof(names[i])), 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(names[i], names[j]);
	}
}

static void test_too_long(void **state)
{
	char dev[400], d[PATH_MAX], small[8];

	(void)state;
	memset(dev, 'a', 255);
	dev[255] = '\0';
	assert_int_equal(bf_statedir_path("/x", dev, d, sizeof(d)), 0);
	assert_int_equal(strlen(d), 3 + 255);
	dev[255] = 'b';
	dev[256] = '\0';
	bf_error_clear();
	assert_int_equal(bf_statedir_path("/x", dev, d, sizeof(d)), -ENAMETOOLONG);
	assert_non_null(strstr(bf_error_get(), "too long for a state directory (256 bytes once encoded, at most 255)"));
	/* 85 '/' encode to 255 bytes, 86 to 258 */
	memset(dev, '/', 86);
	dev[86] = '\0';
	assert_int_equal(bf_statedir_name(dev, d, sizeof(d)), -ENAMETOOLONG);
	dev[85] = '\0';
	assert_int_equal(bf_statedir_name(dev, d, sizeof(d)), 0);
	assert_int_equal(strlen(d), 255);
	assert_int_equal(bf_statedir_path("/x", "pcie:0000:03:00.2", small, sizeof(small)), -ENAMETOOLONG);
	assert_non_null(strstr(bf_error_get(), "too long"));
	assert_int_equal(bf_statedir_name("", d, sizeof(d)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_reversible),
		cmocka_unit_test(test_distinct),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
