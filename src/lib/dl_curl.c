/* dl_curl.c - libcurl, loaded on first use (see dl_curl.h). */
#include "config.h"
#include "dl_curl.h"

BF_DL_CURL_SYMS(BF_DL_DEFINE)

static const struct bf_dl_sym syms[] = { BF_DL_CURL_SYMS(BF_DL_ENTRY) };
static struct bf_dl_lib lib = BF_DL_LIB("libcurl.so.4", "to download over HTTP(S) and to talk to a BMC (Redfish)", "libcurl4", syms);

int bf_dl_curl(void)
{
	return bf_dl_load(&lib);
}
