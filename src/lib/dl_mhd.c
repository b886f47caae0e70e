/* dl_mhd.c - libmicrohttpd, loaded on first use (see dl_mhd.h). */
#include "config.h"
#include "dl_mhd.h"

BF_DL_MHD_SYMS(BF_DL_DEFINE)

static const struct bf_dl_sym syms[] = { BF_DL_MHD_SYMS(BF_DL_ENTRY) };
static struct bf_dl_lib lib = BF_DL_LIB("libmicrohttpd.so.12", "to serve an image to a BMC over HTTP", "libmicrohttpd12", syms);

int bf_dl_mhd(void)
{
	return bf_dl_load(&lib);
}
