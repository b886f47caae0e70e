/* test_error.c - the recorded error sentence: set, wrapped in a new
 * sentence that quotes the old one, read back, cleared. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "error.h"

static void test_set_and_get(void **state)
{
	(void)state;
	bf_error_clear();
	assert_null(bf_error_get());
	assert_string_equal(bf_error_str(-ENOENT), strerror(ENOENT));
	assert_string_equal(bf_error_or("fallback"), "fallback");
	assert_int_equal(bf_error_ret(EIO, "sim:0: reading %s failed", "BOOT_FIFO"), -EIO);
	assert_string_equal(bf_error_get(), "sim:0: reading BOOT_FIFO failed");
	assert_string_equal(bf_error_str(-ENOENT), "sim:0: reading BOOT_FIFO failed");
	bf_error_clear();
	assert_null(bf_error_get());
}

/* The common way to add context: the new sentence quotes the recorded one. */
static void test_wrap_recorded(void **state)
{
	(void)state;
	bf_error_set("the inner cause");
	bf_error_ret(EINVAL, "rshim0: pushing the bundle: %s; %s", bf_error_get(), bf_error_or("x"));
	assert_string_equal(bf_error_get(), "rshim0: pushing the bundle: the inner cause; the inner cause");
	bf_error_set("%s (twice: %s)", bf_error_str(0), bf_error_get());
	assert_string_equal(bf_error_get(), "rshim0: pushing the bundle: the inner cause; the inner cause (twice: "
			    "rshim0: pushing the bundle: the inner cause; the inner cause)");
}

static void test_bounded(void **state)
{
	char big[2000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bf_error_set("%s", big);
	assert_true(strlen(bf_error_get()) < 512);
	bf_error_set("x: %s", bf_error_get());
	assert_memory_equal(bf_error_get(), "x: aaa", 6);
	assert_true(strlen(bf_error_get()) < 512);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_get),
		cmocka_unit_test(test_wrap_recorded),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
