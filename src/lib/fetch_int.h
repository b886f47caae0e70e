/* fetch_int.h - inside the fetch module: one HTTP request (fetch_http.c)
 * for the cache logic (fetch.c). */
#ifndef BF_FETCH_INT_H
#define BF_FETCH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "dl_crypto.h"
#include "event.h"
#include "fetch.h"

#define BF_FETCH_ETAG_MAX 256
#define BF_FETCH_DATE_MAX 64
#define BF_FETCH_MEM_MAX 4096   /* a body kept in memory (the sidecar) */

struct bf_fetch_xfer {
	/* in */
	const char *url;
	const struct bf_fetch_opts *o;
	int fd;                      /* the body goes here; -1: into mem */
	uint64_t offset;             /* bytes already in fd: ask for the rest */
	const char *if_range;        /* validator guarding the Range request */
	const char *if_none_match;   /* conditional GET of a complete copy */
	const char *if_modified_since;
	EVP_MD_CTX *md;              /* digest of everything written to fd */
	void (*on_body)(struct bf_fetch_xfer *x);   /* first body byte of a 200/206 */
	void *ctx;
	/* out */
	long status;                 /* HTTP status of the final response */
	bool restarted;              /* a 200 to a Range request: fd truncated */
	uint64_t received;           /* body bytes this request */
	uint64_t total;              /* the whole file's size, 0: unknown */
	char etag[BF_FETCH_ETAG_MAX];
	char last_modified[BF_FETCH_DATE_MAX];
	char mem[BF_FETCH_MEM_MAX + 1];
	size_t mem_len;
	int werr;                    /* -errno from writing the body */
	char why[320];               /* the transport failure, in words */
	/* private */
	void *curl;
	bool started;
	long range_start;            /* from Content-Range, -1: none */
	uint64_t clen;               /* Content-Length, 0: none */
	struct bf_progress prog;
	bool prog_on;
};

/* Outcome of one request. */
enum bf_fetch_outcome {
	BF_FETCH_DONE,        /* a final HTTP response (see status) */
	BF_FETCH_TRANSIENT,   /* dropped, refused, timed out, 5xx, 408, 429: retry */
	BF_FETCH_FATAL,       /* TLS verification, bad URL, disk, stopped: no retry */
};

/* Perform one request; err gets the -errno for a non-DONE outcome (a
 * sentence naming the URL set). */
enum bf_fetch_outcome bf_fetch_http(struct bf_fetch_xfer *x, int *err);

/* One response header line as libcurl gives it (len bytes, CRLF and all,
 * not NUL-terminated): the status line resets what an earlier response
 * (a redirect) set; ETag, Last-Modified, Content-Length and Content-Range
 * are taken into x (printable ASCII only, bounded), the rest ignored. */
void bf_fetch_parse_header(struct bf_fetch_xfer *x, const char *buf, size_t len);
/* The digest a URL.sha256 sidecar holds (its first word, as sha256sum
 * writes it): 0 with out set, or -EBADMSG. text is NUL-terminated. */
int bf_fetch_sidecar_digest(const char *text, char out[65]);

/* libcurl's global state, once per process (thread-safe). 0 or -EIO. */
int bf_fetch_global_init(void);

#endif
