/* dl_archive.c - libarchive, loaded on first use (see dl_archive.h). */
#include "config.h"
#include "dl_archive.h"

BF_DL_ARCHIVE_SYMS(BF_DL_DEFINE)

static const struct bf_dl_sym syms[] = { BF_DL_ARCHIVE_SYMS(BF_DL_ENTRY) };
static struct bf_dl_lib lib = BF_DL_LIB("libarchive.so.13", "to write cpio archives into a BFB", "libarchive13", syms);

int bf_dl_archive(void)
{
	return bf_dl_load(&lib);
}
