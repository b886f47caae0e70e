/* imgserve.c - one image served over HTTP to a BMC, under a random path. */
#include "config.h"
#include "imgserve.h"
#include "dl_mhd.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 4

struct bf_imgserve {
	struct MHD_Daemon *d;
	int fd[MAX_FILES];
	uint64_t size[MAX_FILES], total;
	size_t n;
	char path[64];             /* "/TOKEN/image.bfb" */
	char uri[400];
	pthread_mutex_t mu;
	uint64_t sent;
	bool complete;
};

struct reader {
	struct bf_imgserve *s;
	uint64_t sent;
};

/* The bytes at pos of the concatenation. */
static ssize_t read_at(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct reader *rd = cls;
	struct bf_imgserve *s = rd->s;
	uint64_t off = pos;
	size_t i;
	ssize_t n;

	for (i = 0; i < s->n && off >= s->size[i]; i++)
		off -= s->size[i];
	if (i == s->n)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (max > s->size[i] - off)
		max = (size_t)(s->size[i] - off);
	n = pread(s->fd[i], buf, max, (off_t)off);
	if (n <= 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	rd->sent += (uint64_t)n;
	pthread_mutex_lock(&s->mu);
	if (rd->sent > s->sent)
		s->sent = rd->sent;
	pthread_mutex_unlock(&s->mu);
	return n;
}

static void reader_done(void *cls)
{
	free(cls);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *data, size_t *data_size, void **con_cls)
{
	struct bf_imgserve *s = cls;
	struct MHD_Response *r;
	struct reader *rd;
	enum MHD_Result ret;
	static const char nf[] = "not found\n";

	(void)version;
	(void)data;
	(void)data_size;
	if (!*con_cls) {     /* headers only so far */
		*con_cls = s;
		return MHD_YES;
	}
	if ((strcmp(method, "GET") && strcmp(method, "HEAD")) || strcmp(url, s->path)) {
		bf_info("image server: refused %.8s of a path that is not the image's", method);
		r = dl_MHD_create_response_from_buffer(sizeof(nf) - 1, (void *)nf, MHD_RESPMEM_PERSISTENT);
		ret = dl_MHD_queue_response(c, MHD_HTTP_NOT_FOUND, r);
		dl_MHD_destroy_response(r);
		return ret;
	}
	if (!(rd = calloc(1, sizeof(*rd))))
		return MHD_NO;
	rd->s = s;
	r = dl_MHD_create_response_from_callback(s->total, 256 * 1024, read_at, rd, reader_done);
	if (!r) {
		free(rd);
		return MHD_NO;
	}
	dl_MHD_add_response_header(r, "Content-Type", "application/octet-stream");
	ret = dl_MHD_queue_response(c, MHD_HTTP_OK, r);
	dl_MHD_destroy_response(r);
	return ret;
}

static void finished(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct bf_imgserve *s = cls;

	(void)c;
	(void)con_cls;
	pthread_mutex_lock(&s->mu);
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && s->sent >= s->total)
		s->complete = true;
	pthread_mutex_unlock(&s->mu);
}

static int split_listen(const char *spec, char *host, size_t cap, char *port, size_t pcap)
{
	const char *colon;
	size_t n;

	if (*spec == '[') {
		const char *end = strchr(spec, ']');

		if (!end)
			return -EINVAL;
		n = (size_t)(end - spec - 1);
		if (n == 0 || n >= cap)
			return -EINVAL;
		memcpy(host, spec + 1, n);
		host[n] = '\0';
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return -EINVAL;
	} else {
		colon = strchr(spec, ':');
		if (colon && strchr(colon + 1, ':'))
			return -EINVAL;   /* IPv6 needs brackets */
		n = colon ? (size_t)(colon - spec) : strlen(spec);
		if (n == 0 || n >= cap)
			return -EINVAL;
		memcpy(host, spec, n);
		host[n] = '\0';
	}
	snprintf(port, pcap, "%s", colon ? colon + 1 : "0");
	if (!*port || strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 || atol(port) > 65535)
		return -EINVAL;
	return 0;
}

int bf_imgserve_check(const char *listen)
{
	char host[256], port[8];

	if (split_listen(listen, host, sizeof(host), port, sizeof(port)) < 0)
		return bf_error_ret(EINVAL, "--serve takes ADDR[:PORT] (an address of this host the BMC reaches; [v6]:PORT), not '%s'", listen);
	if (!strcmp(host, "0.0.0.0") || !strcmp(host, "::"))
		return bf_error_ret(EINVAL, "--serve %s: give the address of this host the BMC reaches, not the wildcard (it goes into the image's URI)",
				    listen);
	return 0;
}

int bf_imgserve_start(const char *listen, const char *const *paths, size_t n, struct bf_imgserve **out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_NUMERICHOST }, *ai = NULL;
	struct bf_imgserve *s;
	unsigned char tok[16];
	char host[256], port[8];
	const union MHD_DaemonInfo *di;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
	size_t i;
	int r;

	*out = NULL;
	if (n == 0 || n > MAX_FILES)
		return bf_error_ret(EINVAL, "nothing to serve");
	if ((r = bf_imgserve_check(listen)) < 0 || (r = bf_dl_mhd()) < 0)
		return r;
	split_listen(listen, host, sizeof(host), port, sizeof(port));
	if ((r = getaddrinfo(host, port, &hints, &ai)) != 0)
		return bf_error_ret(EINVAL, "--serve %s: %s (give an IP address of this host)", listen, gai_strerror(r));
	if (!(s = calloc(1, sizeof(*s)))) {
		freeaddrinfo(ai);
		return -ENOMEM;
	}
	pthread_mutex_init(&s->mu, NULL);
	for (i = 0; i < MAX_FILES; i++)
		s->fd[i] = -1;
	for (i = 0; i < n; i++) {
		struct stat st;

		if ((s->fd[i] = open(paths[i], O_RDONLY | O_CLOEXEC)) < 0 || fstat(s->fd[i], &st) < 0 ||
		    !S_ISREG(st.st_mode)) {
			r = bf_error_ret(errno ? errno : EINVAL, "cannot serve %s: %s", paths[i],
					 errno ? strerror(errno) : "not a regular file");
			goto fail;
		}
		s->size[i] = (uint64_t)st.st_size;
		s->total += s->size[i];
	}
	s->n = n;
	if (getrandom(tok, sizeof(tok), 0) != (ssize_t)sizeof(tok)) {
		r = bf_error_ret(EIO, "no random bytes for the image's path");
		goto fail;
	}
	snprintf(s->path, sizeof(s->path), "/");
	for (i = 0; i < sizeof(tok); i++)
		snprintf(s->path + strlen(s->path), sizeof(s->path) - strlen(s->path), "%02x", tok[i]);
	snprintf(s->path + strlen(s->path), sizeof(s->path) - strlen(s->path), "/image.bfb");
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = dl_MHD_start_daemon(flags, 0, NULL, NULL, answer, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
				MHD_OPTION_NOTIFY_COMPLETED, finished, s, MHD_OPTION_CONNECTION_TIMEOUT, 300u,
				MHD_OPTION_END);
	if (!s->d) {
		r = bf_error_ret(EADDRNOTAVAIL, "cannot serve the image on %s: the address is not this host's or the port is taken",
				 listen);
		goto fail;
	}
	di = dl_MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(s->uri, sizeof(s->uri), "%s%s%s:%u%s", ai->ai_family == AF_INET6 ? "[" : "", host,
		 ai->ai_family == AF_INET6 ? "]" : "", di ? (unsigned)di->port : (unsigned)atoi(port), s->path);
	freeaddrinfo(ai);
	*out = s;
	return 0;
fail:
	freeaddrinfo(ai);
	bf_imgserve_stop(s);
	return r;
}

const char *bf_imgserve_uri(const struct bf_imgserve *s)
{
	return s->uri;
}

uint64_t bf_imgserve_size(const struct bf_imgserve *s)
{
	return s->total;
}

uint64_t bf_imgserve_sent(struct bf_imgserve *s, bool *complete)
{
	uint64_t v;

	pthread_mutex_lock(&s->mu);
	v = s->sent;
	if (complete)
		*complete = s->complete;
	pthread_mutex_unlock(&s->mu);
	return v;
}

void bf_imgserve_stop(struct bf_imgserve *s)
{
	size_t i;

	if (!s)
		return;
	if (s->d)
		dl_MHD_stop_daemon(s->d);
	for (i = 0; i < MAX_FILES; i++)
		if (s->fd[i] >= 0)
			close(s->fd[i]);
	free(s);
}
