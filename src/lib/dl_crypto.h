/* dl_crypto.h - OpenSSL's libcrypto (SHA-256), loaded on first use (see dl.h): call
 * bf_dl_crypto() first, then the dl_* pointers. */
#ifndef BF_DL_CRYPTO_H
#define BF_DL_CRYPTO_H

#include <openssl/evp.h>

#include "dl.h"

#define BF_DL_CRYPTO_SYMS(X) \
	X(EVP_Digest) X(EVP_DigestInit_ex) X(EVP_DigestUpdate) X(EVP_DigestFinal_ex) \
	X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) X(EVP_sha256)

BF_DL_CRYPTO_SYMS(BF_DL_EXTERN)

/* 0, or -ELIBACC with the sentence set (dl.h). */
int bf_dl_crypto(void);

#endif
