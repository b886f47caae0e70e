/* fetch.h - images by URL (bf_fetch_*): an http:// or https:// URL becomes
 * a verified file in a local cache, downloaded once.
 *
 * Cache: DIR/KEY/ per URL (KEY: a hash of the URL and its file name),
 * holding NAME (the complete file), NAME.part (a download in progress),
 * .meta (JSON: url, etag, last_modified, size, sha256) and .lock. NAME is
 * the URL's last path segment made safe, a leading dot turned into '_', so
 * it never names one of the entry's own files. A process
 * (or thread) holds the entry's lock for the whole download, so one
 * download serves every concurrent user of the URL; the others wait, then
 * find the file complete.
 *
 * An interrupted download resumes with an HTTP Range request, guarded by
 * If-Range with the ETag (or Last-Modified) seen first: a file changed on
 * the server starts over, an unchanged one continues where it stopped. A
 * complete file is revalidated with a conditional GET (304: used as is).
 * With an expected SHA-256 (given, or from the URL.sha256 sidecar when the
 * server has one) the file is checked before use; a mismatch deletes it.
 *
 * TLS peers are verified (the system store or cacert); insecure only when
 * asked. Proxies: libcurl's environment (http_proxy, https_proxy,
 * no_proxy). Only http and https, also across redirects; an https URL
 * only through https redirects (-EPERM, and its sidecar is not used).
 */
#ifndef BF_FETCH_H
#define BF_FETCH_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define BF_FETCH_CACHE_DEFAULT "/var/cache/bfctl"
#define BF_FETCH_URL_MAX 2048
#define BF_FETCH_RETRIES_DEFAULT 5

struct bf_fetch_opts {
	const char *cache_dir;   /* NULL: BF_FETCH_CACHE_DEFAULT */
	const char *cacert;      /* CA bundle (PEM) instead of the system store */
	bool insecure;           /* do not verify the TLS peer (warned) */
	const char *sha256;      /* expected digest, 64 hex digits; NULL: the sidecar, if any */
	int retries;             /* transient failures retried; < 0: the default */
	double backoff_s;        /* first retry delay, doubled each time (0: 1 s) */
	bool progress;           /* a "download" progress bar / JSON events */
};

struct bf_fetch_result {
	char path[PATH_MAX];     /* the complete, checked file */
	uint64_t size;
	uint64_t downloaded;     /* body bytes received by this call */
	bool cached;             /* served from the cache (revalidated or by digest) */
	bool resumed;            /* continued a partial download */
	unsigned retries;        /* transient failures ridden out */
	char sha256[65];         /* the file's digest (hex) */
	bool checked;            /* compared with an expected digest */
};

/* http:// or https:// (case-insensitive scheme). */
bool bf_fetch_is_url(const char *s);

/* "sha256:HEX" or "HEX" (64 hex digits) into 64 lower-case digits + NUL.
 * 0 or -EINVAL with a sentence. */
int bf_fetch_parse_digest(const char *s, char out[65]);

/* Make url a checked local file (see above). 0 with res filled, or:
 * -EBADMSG checksum mismatch (the file deleted), -ENOENT the server has no
 * such file (404/410), -EINVAL a malformed URL or digest, -EPROTO another
 * HTTP error, -ECONNREFUSED/-EHOSTUNREACH/-ETIMEDOUT/-EIO after the retries
 * (-ECONNREFUSED at once when a proxy refuses the tunnel with a 4xx),
 * -EINTR stopped (bf_stop_requested); one sentence naming the URL set. */
int bf_fetch(const char *url, const struct bf_fetch_opts *o, struct bf_fetch_result *res);

/* The exit code (error.h) for a bf_fetch failure: 3 for what the user
 * must fix in the input (bad URL, no such file, checksum), 130 stopped,
 * 1 otherwise (network, server, cache directory). */
int bf_fetch_exit_code(int err);

/* SHA-256 of a local file, hex. 0 or -errno with a sentence. */
int bf_fetch_file_sha256(const char *path, char out[65]);

#endif
