/* fetch_http.c - one HTTP(S) request with libcurl for the fetch module:
 * headers read for the validators and the range, the body written to a
 * file (or kept in memory, bounded), progress, the outcome classified. */
#include "config.h"
#include "fetch_int.h"
#include "clock.h"
#include "dl_curl.h"
#include "error.h"
#include "fileio.h"
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_S 30L
#define LOW_SPEED_TIME_S  60L     /* less than a byte a second this long: dropped */
#define MAX_REDIRS        5L

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_init_ret;

static void curl_init(void)
{
	curl_init_ret = dl_curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

int bf_fetch_global_init(void)
{
	int r;

	if ((r = bf_dl_curl()) < 0 || (r = bf_dl_crypto()) < 0)
		return r;
	pthread_once(&curl_once, curl_init);
	if (curl_init_ret < 0)
		return bf_error_ret(EIO, "cannot initialise libcurl");
	return 0;
}

/* Copy a header value: printable ASCII only, bounded; "" when it is not. */
static void header_value(char *dst, size_t cap, const char *v, size_t n)
{
	size_t i;

	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	dst[0] = '\0';
	if (n >= cap)
		return;
	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static bool header_is(const char *line, size_t n, const char *name, const char **val, size_t *vlen)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(line, name, k) || line[k] != ':')
		return false;
	*val = line + k + 1;
	*vlen = n - k - 1;
	return true;
}

void bf_fetch_parse_header(struct bf_fetch_xfer *x, const char *buf, size_t n)
{
	const char *v;
	size_t vl;
	char tmp[128];

	if (n >= 5 && !strncmp(buf, "HTTP/", 5)) {   /* a new response (redirects) */
		x->etag[0] = x->last_modified[0] = '\0';
		x->range_start = -1;
		x->clen = 0;
		x->total = 0;
	} else if (header_is(buf, n, "etag", &v, &vl)) {
		header_value(x->etag, sizeof(x->etag), v, vl);
	} else if (header_is(buf, n, "last-modified", &v, &vl)) {
		header_value(x->last_modified, sizeof(x->last_modified), v, vl);
	} else if (header_is(buf, n, "content-length", &v, &vl)) {
		header_value(tmp, sizeof(tmp), v, vl);
		x->clen = strtoull(tmp, NULL, 10);
	} else if (header_is(buf, n, "content-range", &v, &vl)) {
		unsigned long long a, b, t;

		header_value(tmp, sizeof(tmp), v, vl);
		if (sscanf(tmp, "bytes %llu-%llu/%llu", &a, &b, &t) == 3 && a <= b && b < t && a <= LONG_MAX) {
			x->range_start = (long)a;
			x->total = t;
		}
	}
}

static size_t on_header(char *buf, size_t size, size_t nmemb, void *ud)
{
	size_t n = size * nmemb;

	bf_fetch_parse_header(ud, buf, n);
	return n;
}

/* The first body byte of a response: decide where it goes. false: abort. */
static bool body_start(struct bf_fetch_xfer *x, CURL *c)
{
	dl_curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->status);
	x->started = true;
	if (x->status != 200 && x->status != 206)
		return true;   /* an error page: discarded */
	if (x->status == 206 && (x->range_start < 0 || (uint64_t)x->range_start != x->offset)) {
		snprintf(x->why, sizeof(x->why), "the server answered the range request from byte %ld, not %llu",
			 x->range_start, (unsigned long long)x->offset);
		return false;
	}
	if (x->status == 200) {
		if (x->offset && x->fd >= 0) {   /* the whole file again: start over */
			if (ftruncate(x->fd, 0) < 0 || lseek(x->fd, 0, SEEK_SET) < 0) {
				x->werr = -errno;
				return false;
			}
			if (x->md)
				dl_EVP_DigestInit_ex(x->md, dl_EVP_sha256(), NULL);
			x->restarted = true;
		}
		x->offset = 0;
		x->total = x->clen;
	}
	if (x->on_body)
		x->on_body(x);
	if (x->o->progress && x->fd >= 0) {
		bf_progress_begin_at(&x->prog, "download", x->total, x->offset);
		x->prog_on = true;
	}
	return true;
}

static size_t on_body(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct bf_fetch_xfer *x = ud;
	size_t n = size * nmemb;
	int ret;

	if (!x->started && !body_start(x, x->curl))
		return 0;
	if (x->status != 200 && x->status != 206)
		return n;
	if (x->fd < 0) {
		if (x->mem_len + n > BF_FETCH_MEM_MAX) {
			snprintf(x->why, sizeof(x->why), "more than %d bytes", BF_FETCH_MEM_MAX);
			return 0;
		}
		memcpy(x->mem + x->mem_len, buf, n);
		x->mem_len += n;
		x->mem[x->mem_len] = '\0';
	} else {
		if ((ret = bf_file_write_all(x->fd, buf, n)) < 0) {
			x->werr = ret;
			return 0;
		}
		if (x->md)
			dl_EVP_DigestUpdate(x->md, buf, n);
	}
	x->received += n;
	if (x->prog_on)
		bf_progress_update(&x->prog, x->offset + x->received);
	return n;
}

static int on_xfer(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)ud; (void)dt; (void)dn; (void)ut; (void)un;
	return bf_stop_requested() ? 1 : 0;
}

static bool is_https(const char *url)
{
	return !strncasecmp(url, "https://", 8);
}

static void set_request(CURL *c, struct bf_fetch_xfer *x, struct curl_slist **hdrs, char *range)
{
	char h[BF_FETCH_ETAG_MAX + 32];

	dl_curl_easy_setopt(c, CURLOPT_URL, x->url);
	dl_curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* An https URL stays https: a redirect to plain http would let anyone
	 * on that leg swap the file and the .sha256 beside it. */
	dl_curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, is_https(x->url) ? "https" : "http,https");
	dl_curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	dl_curl_easy_setopt(c, CURLOPT_MAXREDIRS, MAX_REDIRS);
	dl_curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	dl_curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	dl_curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	dl_curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME_S);
	dl_curl_easy_setopt(c, CURLOPT_USERAGENT, "bfctl/" PACKAGE_VERSION);
	dl_curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	dl_curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	dl_curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	dl_curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	dl_curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	dl_curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xfer);
	dl_curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	dl_curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->why);
	/* Bytes as they are: a compressed transfer would defeat ranges. */
	dl_curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, NULL);
	if (x->o->cacert)
		dl_curl_easy_setopt(c, CURLOPT_CAINFO, x->o->cacert);
	if (x->o->insecure) {
		dl_curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		dl_curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (x->offset) {
		snprintf(range, 32, "%llu-", (unsigned long long)x->offset);
		dl_curl_easy_setopt(c, CURLOPT_RANGE, range);
		if (x->if_range) {
			snprintf(h, sizeof(h), "If-Range: %s", x->if_range);
			*hdrs = dl_curl_slist_append(*hdrs, h);
		}
	}
	if (x->if_none_match) {
		snprintf(h, sizeof(h), "If-None-Match: %s", x->if_none_match);
		*hdrs = dl_curl_slist_append(*hdrs, h);
	}
	if (x->if_modified_since) {
		snprintf(h, sizeof(h), "If-Modified-Since: %s", x->if_modified_since);
		*hdrs = dl_curl_slist_append(*hdrs, h);
	}
	if (*hdrs)
		dl_curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hdrs);
}

static bool transient_code(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static int errno_for(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT: return ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT: return ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: return EHOSTUNREACH;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL: return EINVAL;
	case CURLE_ABORTED_BY_CALLBACK: return EINTR;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM: return EPERM;
	default: return EIO;
	}
}

/* A transfer that failed: a proxy that refused the tunnel (CONNECT
 * answered 4xx, tunnel) is not asked again, other network errors are. */
static enum bf_fetch_outcome failed(struct bf_fetch_xfer *x, CURLcode cc, long tunnel, int *err)
{
	const char *why = x->why[0] ? x->why : dl_curl_easy_strerror(cc);

	if (tunnel >= 400 && tunnel <= 499 && tunnel != 408 && tunnel != 429) {
		*err = bf_error_ret(ECONNREFUSED, "%s: the proxy refused the tunnel (HTTP %ld%s); check https_proxy "
				    "and no_proxy", x->url, tunnel, tunnel == 407 ? ", it wants credentials" : "");
		return BF_FETCH_FATAL;
	}
	*err = bf_error_ret(errno_for(cc), "%s: %s", x->url, why);
	return transient_code(cc) ? BF_FETCH_TRANSIENT : BF_FETCH_FATAL;
}

enum bf_fetch_outcome bf_fetch_http(struct bf_fetch_xfer *x, int *err)
{
	struct curl_slist *hdrs = NULL;
	bool downgraded = false;
	char range[32];
	long tunnel = 0;
	CURLcode cc;
	CURL *c;

	x->status = 0;
	x->received = 0;
	x->restarted = false;
	x->started = false;
	x->range_start = -1;
	x->mem_len = 0;
	x->werr = 0;
	x->why[0] = '\0';
	x->prog_on = false;
	if ((*err = bf_fetch_global_init()) < 0)
		return BF_FETCH_FATAL;
	if (!(c = dl_curl_easy_init())) {
		*err = bf_error_ret(ENOMEM, "%s: cannot start a transfer", x->url);
		return BF_FETCH_FATAL;
	}
	x->curl = c;
	set_request(c, x, &hdrs, range);
	cc = dl_curl_easy_perform(c);
	dl_curl_easy_getinfo(c, CURLINFO_HTTP_CONNECTCODE, &tunnel);
	if (cc == CURLE_UNSUPPORTED_PROTOCOL && is_https(x->url)) {
		char *eff = NULL;

		dl_curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
		downgraded = eff && !is_https(eff);
	}
	if (!x->started)
		dl_curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->prog_on) {
		if (cc == CURLE_OK)
			bf_progress_end(&x->prog);
		else
			bf_event_progress_clear();
	}
	dl_curl_slist_free_all(hdrs);
	dl_curl_easy_cleanup(c);
	if (x->werr) {
		*err = bf_error_ret(-x->werr, "%s: cannot write the download to the cache: %s", x->url,
				    strerror(-x->werr));
		return BF_FETCH_FATAL;
	}
	if (downgraded) {
		*err = bf_error_ret(EPERM, "%s: the server redirected it to a URL that is not https; refused", x->url);
		return BF_FETCH_FATAL;
	}
	if (cc != CURLE_OK)
		return failed(x, cc, tunnel, err);
	if (x->status == 408 || x->status == 429 || (x->status >= 500 && x->status <= 599)) {
		snprintf(x->why, sizeof(x->why), "HTTP %ld", x->status);
		*err = bf_error_ret(EIO, "%s: the server answered HTTP %ld", x->url, x->status);
		return BF_FETCH_TRANSIENT;
	}
	*err = 0;
	return BF_FETCH_DONE;
}
