/* test_dl.c - optional libraries loaded on first use (bf_dl_*): every
 * function bfctl lists resolves in the installed libraries, a call through
 * the table works, and a missing library or function gives -ELIBACC with a
 * sentence naming it, what it is for and the package to install. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dl.h"
#include "dl_archive.h"
#include "dl_crypto.h"
#include "dl_curl.h"
#include "dl_mhd.h"
#include "dl_ssh.h"
#include "error.h"

#define RESOLVED(f) assert_non_null(dl_##f);

static void test_all_resolve(void **state)
{
	assert_int_equal(bf_dl_curl(), 0);
	BF_DL_CURL_SYMS(RESOLVED)
	assert_int_equal(bf_dl_ssh(), 0);
	BF_DL_SSH_SYMS(RESOLVED)
	assert_int_equal(bf_dl_archive(), 0);
	BF_DL_ARCHIVE_SYMS(RESOLVED)
	assert_int_equal(bf_dl_mhd(), 0);
	BF_DL_MHD_SYMS(RESOLVED)
	assert_int_equal(bf_dl_crypto(), 0);
	BF_DL_CRYPTO_SYMS(RESOLVED)
	/* loaded once: the second call finds it done */
	assert_int_equal(bf_dl_crypto(), 0);
}

/* SHA-256("abc") from FIPS 180-2, appendix B.1, through the table. */
static void test_call(void **state)
{
	static const unsigned char want[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	unsigned char d[32];
	unsigned n = 0;

	assert_int_equal(bf_dl_crypto(), 0);
	assert_int_equal(dl_EVP_Digest("abc", 3, d, &n, dl_EVP_sha256(), NULL), 1);
	assert_int_equal(n, 32);
	assert_memory_equal(d, want, 32);
}

static void test_missing_library(void **state)
{
	static void *fn;
	static const struct bf_dl_sym syms[] = { { "anything", &fn } };
	static struct bf_dl_lib lib = BF_DL_LIB("libbfctl-absent.so.7", "to test the loader", "bfctl-absent", syms);
	const char *e;

	bf_error_clear();
	assert_int_equal(bf_dl_load(&lib), -ELIBACC);
	e = bf_error_get();
	assert_non_null(e);
	assert_non_null(strstr(e, "libbfctl-absent.so.7 is needed to test the loader but cannot be loaded"));
	assert_non_null(strstr(e, "install the Debian package bfctl-absent"));
	assert_null(fn);
	/* the same answer, and sentence, every time */
	bf_error_clear();
	assert_int_equal(bf_dl_load(&lib), -ELIBACC);
	assert_non_null(strstr(bf_error_or(""), "libbfctl-absent.so.7"));
}

static void test_missing_function(void **state)
{
	static void *ver, *none;
	static const struct bf_dl_sym syms[] = { { "zlibVersion", &ver }, { "bf_no_such_function", &none } };
	static struct bf_dl_lib lib = BF_DL_LIB("libz.so.1", "to test the loader", "zlib1g", syms);

	bf_error_clear();
	assert_int_equal(bf_dl_load(&lib), -ELIBACC);
	assert_non_null(strstr(bf_error_or(""), "libz.so.1, needed to test the loader, has no function "
					       "bf_no_such_function: install the Debian package zlib1g"));
	/* none half-filled */
	assert_null(ver);
	assert_null(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_resolve),
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_function),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
