/* test_passwd.c - bf.cfg password hashes: generation and recognition. */
#include "config.h"

#include <crypt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "passwd.h"

static void test_hash_sha512_verifies(void **state)
{
	char h[256];
	struct crypt_data cd;
	const char *why = NULL;

	(void)state;
	assert_int_equal(bf_passwd_hash("s3cret pass", BF_PASSWD_SHA512, h, sizeof(h)), 0);
	assert_memory_equal(h, "$6$", 3);
	assert_true(bf_passwd_is_hash(h, &why));
	memset(&cd, 0, sizeof(cd));
	assert_string_equal(crypt_r("s3cret pass", h, &cd), h);
	memset(&cd, 0, sizeof(cd));
	assert_string_not_equal(crypt_r("s3cret pasS", h, &cd), h);
}

static void test_hash_md5_matches_openssl_form(void **state)
{
	char h[256], h2[256];
	const char *why = NULL;

	(void)state;
	assert_int_equal(bf_passwd_hash("ubuntu", BF_PASSWD_MD5, h, sizeof(h)), 0);
	assert_memory_equal(h, "$1$", 3);
	assert_int_equal(strlen(h), 3 + 8 + 1 + 22);
	assert_true(bf_passwd_is_hash(h, &why));
	/* A fresh salt every time. */
	assert_int_equal(bf_passwd_hash("ubuntu", BF_PASSWD_MD5, h2, sizeof(h2)), 0);
	assert_string_not_equal(h, h2);
}

static void test_is_hash(void **state)
{
	const char *why = NULL;

	(void)state;
	/* openssl passwd -1 -salt 3B0RIrfX demo-only */
	assert_true(bf_passwd_is_hash("$1$3B0RIrfX$AbrUqhoCQuvfi4TdNyeCs1", &why));
	assert_false(bf_passwd_is_hash("ubuntu", &why));
	assert_non_null(strstr(why, "plaintext"));
	assert_false(bf_passwd_is_hash("$1$3B0RIrfX$AbrUqhoCQuvfi4TdNyeCs", &why));    /* short */
	assert_false(bf_passwd_is_hash("$1$3B0R!rfX$AbrUqhoCQuvfi4TdNyeCs1", &why));   /* bad salt */
	assert_false(bf_passwd_is_hash("$1$$AbrUqhoCQuvfi4TdNyeCs1", &why));            /* empty salt */
	assert_false(bf_passwd_is_hash("$6$rounds=5000", &why));
	assert_false(bf_passwd_is_hash("$2b$10$abcdefghijklmnopqrstuu", &why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_sha512_verifies),
		cmocka_unit_test(test_hash_md5_matches_openssl_form),
		cmocka_unit_test(test_is_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
