/* dl_archive.h - libarchive, loaded on first use (see dl.h): call
 * bf_dl_archive() first, then the dl_* pointers. */
#ifndef BF_DL_ARCHIVE_H
#define BF_DL_ARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "dl.h"

#define BF_DL_ARCHIVE_SYMS(X) \
	X(archive_write_new) X(archive_write_free) X(archive_write_set_format_cpio_newc) \
	X(archive_write_add_filter_gzip) X(archive_write_set_filter_option) \
	X(archive_write_open_filename) X(archive_write_header) X(archive_write_data) \
	X(archive_write_close) X(archive_error_string) X(archive_entry_new) \
	X(archive_entry_free) X(archive_entry_set_filetype) X(archive_entry_set_mtime) \
	X(archive_entry_set_pathname) X(archive_entry_set_perm) X(archive_entry_set_size)

BF_DL_ARCHIVE_SYMS(BF_DL_EXTERN)

/* 0, or -ELIBACC with the sentence set (dl.h). */
int bf_dl_archive(void);

#endif
