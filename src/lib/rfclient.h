/* rfclient.h - a Redfish client for a BMC (bf_rfclient_*): libcurl, HTTP
 * Basic authentication, TLS verified unless told otherwise, bounded
 * answers, and a BMC that refuses connections (it reboots) waited for up
 * to a deadline, each retry logged with its reason. */
#ifndef BF_RFCLIENT_H
#define BF_RFCLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"

struct bf_rfclient {
	char base[300];          /* "https://HOST[:PORT]" */
	char host[260];          /* "HOST[:PORT]", for messages */
	char user[64];
	char pass[128];          /* never printed; wiped by bf_rfclient_close */
	const char *cacert;      /* PEM bundle instead of the system store */
	bool insecure;           /* no TLS verification (warned once) */
	double down_wait_s;      /* a BMC refusing connections is waited for this long */
	void *curl;
};

/* "https://USER@HOST[:PORT]" (http:// too, warned; no password in the
 * URL, no path). 0 or -EINVAL with a sentence. */
int bf_rfclient_parse_url(const char *url, struct bf_rfclient *c);

struct bf_rfresp {
	long status;             /* HTTP status */
	char *body;              /* NUL-terminated, malloc'd (free it), at most BF_REDFISH_MAX_BODY */
	size_t len;
	char location[256];      /* the Location header, if any */
};

/* METHOD path (from "/redfish/v1...") with an optional JSON body. The
 * HTTP status comes back whatever it is; a BMC that refuses connections or
 * drops them is waited for (connect failures for any method; dropped
 * answers only for GET) until down_wait_s or the deadline. 0, or -errno
 * with a sentence: -ECONNREFUSED (did not come back), -EACCES (TLS
 * verification), -ETIMEDOUT, -EINTR, -EIO; on an error r
 * holds nothing (a body read in part is freed). */
int bf_rfclient_request(struct bf_rfclient *c, const char *method, const char *path, const char *json,
			struct bf_rfresp *r, const struct bf_deadline *dl);
void bf_rfresp_free(struct bf_rfresp *r);
void bf_rfclient_close(struct bf_rfclient *c);

#endif
