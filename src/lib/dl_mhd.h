/* dl_mhd.h - libmicrohttpd, loaded on first use (see dl.h): call
 * bf_dl_mhd() first, then the dl_* pointers. */
#ifndef BF_DL_MHD_H
#define BF_DL_MHD_H

#include <microhttpd.h>

#include "dl.h"

#define BF_DL_MHD_SYMS(X) \
	X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_get_daemon_info) \
	X(MHD_create_response_from_buffer) X(MHD_create_response_from_callback) \
	X(MHD_add_response_header) X(MHD_queue_response) X(MHD_destroy_response)

BF_DL_MHD_SYMS(BF_DL_EXTERN)

/* 0, or -ELIBACC with the sentence set (dl.h). */
int bf_dl_mhd(void);

#endif
