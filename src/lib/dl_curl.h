/* dl_curl.h - libcurl, loaded on first use (see dl.h): call
 * bf_dl_curl() first, then the dl_* pointers. */
#ifndef BF_DL_CURL_H
#define BF_DL_CURL_H

#include <curl/curl.h>

#include "dl.h"

#define BF_DL_CURL_SYMS(X) \
	X(curl_global_init) X(curl_easy_init) X(curl_easy_cleanup) X(curl_easy_reset) \
	X(curl_easy_setopt) X(curl_easy_getinfo) X(curl_easy_perform) X(curl_easy_strerror) \
	X(curl_slist_append) X(curl_slist_free_all)

BF_DL_CURL_SYMS(BF_DL_EXTERN)

/* 0, or -ELIBACC with the sentence set (dl.h). */
int bf_dl_curl(void);

#endif
