/* dl_crypto.c - OpenSSL's libcrypto (SHA-256), loaded on first use (see dl_crypto.h). */
#include "config.h"
#include "dl_crypto.h"

BF_DL_CRYPTO_SYMS(BF_DL_DEFINE)

static const struct bf_dl_sym syms[] = { BF_DL_CRYPTO_SYMS(BF_DL_ENTRY) };
static struct bf_dl_lib lib = BF_DL_LIB("libcrypto.so.3", "for SHA-256 digests", "libssl3", syms);

int bf_dl_crypto(void)
{
	return bf_dl_load(&lib);
}
