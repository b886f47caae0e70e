/* rfclient.c - a Redfish client over libcurl. */
#include "config.h"
#include "rfclient.h"
#include "dl_curl.h"
#include "error.h"
#include "log.h"
#include "redfish.h"
#include "secret.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RETRY_NS      2000000000ull   /* between attempts while the BMC is down */
#define REQ_TIMEOUT_S 60L             /* one request */

int bf_rfclient_parse_url(const char *url, struct bf_rfclient *c)
{
	const char *p = url, *at, *slash;
	bool tls = true;
	size_t n;

	memset(c, 0, sizeof(*c));
	c->down_wait_s = 600;
	if (!strncmp(p, "https://", 8))
		p += 8;
	else if (!strncmp(p, "http://", 7)) {
		p += 7;
		tls = false;
	} else if (strstr(p, "://"))
		return bf_error_ret(EINVAL, "--bmc takes https://USER@HOST[:PORT]: '%s' has another scheme", url);
	at = strchr(p, '@');
	slash = strchr(p, '/');
	if (slash && slash[1])
		return bf_error_ret(EINVAL, "--bmc takes https://USER@HOST[:PORT], without a path");
	if (at && (!slash || at < slash)) {
		n = (size_t)(at - p);
		if (memchr(p, ':', n))
			return bf_error_ret(EINVAL, "--bmc must not carry the password: give it in BFCTL_BMC_PASSWORD, "
					    "--password-file or at the prompt");
		if (n == 0 || n >= sizeof(c->user))
			return bf_error_ret(EINVAL, "--bmc: the user name is empty or too long");
		memcpy(c->user, p, n);
		p = at + 1;
	} else {
		snprintf(c->user, sizeof(c->user), "root");
	}
	n = slash ? (size_t)(slash - p) : strlen(p);
	if (n == 0 || n >= sizeof(c->host))
		return bf_error_ret(EINVAL, "--bmc: no host, or a host name too long");
	memcpy(c->host, p, n);
	c->host[n] = '\0';
	if (strspn(c->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_") != n)
		return bf_error_ret(EINVAL, "--bmc: '%s' is not a host name or address", c->host);
	snprintf(c->base, sizeof(c->base), "%s://%s", tls ? "https" : "http", c->host);
	if (!tls)
		bf_warn("the BMC at %s is reached over plain HTTP: the password crosses the network readable", c->host);
	return 0;
}

struct sink {
	struct bf_rfresp *r;
	bool too_big;
};

static size_t on_body(char *p, size_t sz, size_t nm, void *ctx)
{
	struct sink *s = ctx;
	size_t len = sz * nm;
	char *nb;

	if (s->r->len + len > BF_REDFISH_MAX_BODY) {
		s->too_big = true;
		return 0;
	}
	if (!(nb = realloc(s->r->body, s->r->len + len + 1)))
		return 0;
	s->r->body = nb;
	memcpy(nb + s->r->len, p, len);
	s->r->len += len;
	nb[s->r->len] = '\0';
	return len;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ctx)
{
	struct sink *s = ctx;
	size_t len = sz * nm, n;

	if (len > 9 && !strncasecmp(p, "Location:", 9)) {
		p += 9;
		len -= 9;
		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		n = len;
		while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
			n--;
		if (n < sizeof(s->r->location) && n) {
			memcpy(s->r->location, p, n);
			s->r->location[n] = '\0';
		}
		return sz * nm;
	}
	return len;
}

void bf_rfresp_free(struct bf_rfresp *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* The BMC is not there right now (rebooting): worth waiting for. A
 * connection it dropped (also a kept-alive one it closed as it went down)
 * is retried for a GET only: the other requests may have taken effect. */
static bool down(CURLcode rc, bool get)
{
	if (rc == CURLE_COULDNT_CONNECT)
		return true;
	return get && (rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
		       rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_PARTIAL_FILE);
}

static CURL *handle(struct bf_rfclient *c)
{
	CURL *h = c->curl;

	if (h) {
		dl_curl_easy_reset(h);
	} else if (!(h = c->curl = dl_curl_easy_init())) {
		return NULL;
	}
	dl_curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	dl_curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	dl_curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
	dl_curl_easy_setopt(h, CURLOPT_TIMEOUT, REQ_TIMEOUT_S);
	dl_curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	dl_curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
	dl_curl_easy_setopt(h, CURLOPT_PASSWORD, c->pass);
	if (c->cacert)
		dl_curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
	if (c->insecure) {
		dl_curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		dl_curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return h;
}

/* Why a request that did not complete ends (<0, a sentence), or 0 when it
 * is worth another try (the BMC is down, rebooting). */
static int failed(struct bf_rfclient *c, CURLcode rc, const struct sink *s, const char *method, const char *path,
		  const char *err, const struct bf_deadline *dl, uint64_t give_up, unsigned tries)
{
	const char *why = err[0] ? err : dl_curl_easy_strerror(rc);

	if (s->too_big)
		return bf_error_ret(EIO, "the BMC at %s answered %s %s with more than %u bytes", c->host, method,
				    path, BF_REDFISH_MAX_BODY);
	if (rc == CURLE_PEER_FAILED_VERIFICATION || (rc == CURLE_SSL_CONNECT_ERROR && strstr(err, "certificate")))
		return bf_error_ret(EACCES, "the BMC at %s has a certificate this host does not trust (%s)",
				    c->host, why);
	if (!down(rc, !strcmp(method, "GET")))
		return bf_error_ret(EIO, "%s %s on the BMC at %s failed: %s", method, path, c->host, why);
	if (bf_stop_requested())
		return bf_error_ret(EINTR, "stopped while waiting for the BMC at %s", c->host);
	if (dl && bf_deadline_left_ns(dl) < RETRY_NS)
		return bf_error_ret(ETIMEDOUT, "the BMC at %s did not answer before the deadline (%s)", c->host, why);
	if (bf_clock_ns() + RETRY_NS > give_up)
		return bf_error_ret(ECONNREFUSED, "the BMC at %s did not answer (%s)%s", c->host, why,
				    tries ? ", for as long as it was waited for" : "");
	return 0;
}

/* On any error r is left empty: a body read in part is freed here. */
int bf_rfclient_request(struct bf_rfclient *c, const char *method, const char *path, const char *json,
			struct bf_rfresp *r, const struct bf_deadline *dl)
{
	uint64_t give_up = bf_clock_ns() + (uint64_t)(c->down_wait_s * 1e9);
	char url[sizeof(c->base) + 512], err[CURL_ERROR_SIZE];
	unsigned tries = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	if (strlen(path) > 500 || path[0] != '/')
		return bf_error_ret(EINVAL, "BMC path '%.64s' is not usable", path);
	if ((ret = bf_dl_curl()) < 0)
		return ret;
	snprintf(url, sizeof(url), "%s%s", c->base, path);
	for (;;) {
		struct curl_slist *hdr = NULL;
		struct sink s = { .r = r };
		CURL *h = handle(c);
		CURLcode rc;

		bf_rfresp_free(r);
		if (!h) {
			ret = bf_error_ret(ENOMEM, "out of memory");
			break;
		}
		err[0] = '\0';
		hdr = dl_curl_slist_append(hdr, "Accept: application/json");
		if (json)
			hdr = dl_curl_slist_append(hdr, "Content-Type: application/json");
		dl_curl_easy_setopt(h, CURLOPT_URL, url);
		dl_curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (json)
			dl_curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
		dl_curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
		dl_curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		dl_curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
		dl_curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		dl_curl_easy_setopt(h, CURLOPT_HEADERDATA, &s);
		dl_curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
		rc = dl_curl_easy_perform(h);
		dl_curl_slist_free_all(hdr);
		if (rc == CURLE_OK) {
			dl_curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
			ret = r->body || (r->body = calloc(1, 1)) ? 0 : bf_error_ret(ENOMEM, "out of memory");
			break;
		}
		if ((ret = failed(c, rc, &s, method, path, err, dl, give_up, tries)) < 0)
			break;
		/* Bounded: by down_wait_s and the deadline. */
		tries++;
		bf_info("the BMC at %s does not answer (%s; rebooting?): attempt %u, again in 2 s", c->host,
			err[0] ? err : dl_curl_easy_strerror(rc), tries + 1);
		bf_clock_sleep_ns(RETRY_NS);
	}
	if (ret < 0)
		bf_rfresp_free(r);
	return ret;
}

void bf_rfclient_close(struct bf_rfclient *c)
{
	if (c->curl)
		dl_curl_easy_cleanup(c->curl);
	c->curl = NULL;
	bf_secret_wipe(c->pass, sizeof(c->pass));
}
