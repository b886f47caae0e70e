/* passwd.h - crypt(3) hashes for bf.cfg passwords (bf_passwd_*). */
#ifndef BF_PASSWD_H
#define BF_PASSWD_H

#include <stdbool.h>
#include <stddef.h>

enum bf_passwd_alg {
	BF_PASSWD_SHA512,   /* "$6$": the default */
	BF_PASSWD_MD5,      /* "$1$": as `openssl passwd -1`, in the field guide */
};

/* Hash pw with a fresh random salt into out. 0 or -errno. */
int bf_passwd_hash(const char *pw, enum bf_passwd_alg alg, char *out, size_t outlen);

/* Is s a crypt hash the installer's user-data accepts ($1$ $5$ $6$ $y$
 * with a well-formed salt and digest)? On false, *why names the defect. */
bool bf_passwd_is_hash(const char *s, const char **why);

#endif
