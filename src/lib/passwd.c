/* passwd.c - crypt(3) hashes for bf.cfg passwords (libxcrypt). */
#include "config.h"
#include "passwd.h"
#include "error.h"

#include <crypt.h>
#include <errno.h>
#include <string.h>

int bf_passwd_hash(const char *pw, enum bf_passwd_alg alg, char *out, size_t outlen)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	const char *prefix = alg == BF_PASSWD_MD5 ? "$1$" : "$6$";
	const char *h;

	if (!crypt_gensalt_rn(prefix, 0, NULL, 0, setting, sizeof(setting)))
		return bf_error_ret(errno ? errno : EINVAL, "cannot make a %s salt: %s", prefix,
				    strerror(errno ? errno : EINVAL));
	memset(&cd, 0, sizeof(cd));
	h = crypt_r(pw, setting, &cd);
	if (!h || h[0] == '*')
		return bf_error_ret(EINVAL, "crypt failed for %s", prefix);
	if (strlen(h) + 1 > outlen)
		return -ENOSPC;
	strcpy(out, h);
	explicit_bzero(&cd, sizeof(cd));
	return 0;
}

static bool salt_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", s[i]))
			return false;
	return true;
}

bool bf_passwd_is_hash(const char *s, const char **why)
{
	const char *salt, *dig, *end;
	size_t want;

	if (!strncmp(s, "$1$", 3))
		want = 22;
	else if (!strncmp(s, "$5$", 3))
		want = 43;
	else if (!strncmp(s, "$6$", 3))
		want = 86;
	else if (!strncmp(s, "$y$", 3)) {
		/* yescrypt: $y$<params>$<salt>$<43-char digest> */
		dig = strrchr(s, '$');
		if (dig && strlen(dig + 1) == 43 && salt_chars(dig + 1, 43))
			return true;
		*why = "malformed yescrypt ($y$) hash";
		return false;
	} else {
		*why = "not a crypt hash (expected $1$, $5$, $6$ or $y$); a plaintext password would end up in a file";
		return false;
	}
	salt = s + 3;
	if (!strncmp(salt, "rounds=", 7)) {
		salt = strchr(salt, '$');
		if (!salt) {
			*why = "malformed rounds= field";
			return false;
		}
		salt++;
	}
	end = strchr(salt, '$');
	if (!end || end == salt || end - salt > 16 || !salt_chars(salt, (size_t)(end - salt))) {
		*why = "malformed salt (1 to 16 characters of [./0-9A-Za-z])";
		return false;
	}
	dig = end + 1;
	if (strlen(dig) != want || !salt_chars(dig, want)) {
		*why = "digest of the wrong length or with characters outside [./0-9A-Za-z]";
		return false;
	}
	return true;
}
