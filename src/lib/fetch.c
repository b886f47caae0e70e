/* fetch.c - images by URL into a local cache (bf_fetch_*): the cache
 * entry, its lock and metadata, resume and revalidation, retries, and the
 * digest check. The requests themselves: fetch_http.c. */
#include "config.h"
#include "fetch_int.h"
#include "clock.h"
#include "error.h"
#include "fileio.h"
#include "log.h"
#include "print.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_MAX_LEN 100
#define META_MAX 65536
#define LOCK_POLL_NS 100000000ull
#define BACKOFF_MAX_S 30.0
/* The entry's own files begin with a dot; a downloaded file's name never
 * does (url_name), so the two can never be the same directory entry. */
#define META ".meta"
#define META_NEW ".meta.new"
#define LOCK ".lock"

bool bf_fetch_is_url(const char *s)
{
	return s && (!strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8));
}

int bf_fetch_parse_digest(const char *s, char out[65])
{
	size_t i;

	if (!strncasecmp(s, "sha256:", 7))
		s += 7;
	for (i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)s[i]))
			break;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	if (i != 64 || s[64])
		return bf_error_ret(EINVAL, "a SHA-256 is 64 hex digits (optionally after 'sha256:')");
	out[64] = '\0';
	return 0;
}

static void hex(const unsigned char *d, unsigned n, char *out)
{
	unsigned i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void md_hex(EVP_MD_CTX *md, char out[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	dl_EVP_DigestFinal_ex(md, d, &n);
	hex(d, n < 32 ? n : 32, out);
}

/* Feed the first len bytes of fd to md (len = -1: all of it). */
static int md_fd(EVP_MD_CTX *md, int fd, uint64_t len)
{
	const size_t cap = 1 << 20;
	unsigned char *buf = malloc(cap);
	uint64_t done = 0;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	while (done < len) {
		size_t want = len - done < cap ? (size_t)(len - done) : cap;
		ssize_t n = pread(fd, buf, want, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		dl_EVP_DigestUpdate(md, buf, (size_t)n);
		done += (uint64_t)n;
	}
	free(buf);
	return ret;
}

int bf_fetch_file_sha256(const char *path, char out[65])
{
	EVP_MD_CTX *md;
	int fd, ret;

	if ((ret = bf_dl_crypto()) < 0)
		return ret;
	if (!(md = dl_EVP_MD_CTX_new()))
		return bf_error_ret(ENOMEM, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = bf_error_ret(errno, "cannot read %s: %s", path, strerror(errno));
	} else {
		dl_EVP_DigestInit_ex(md, dl_EVP_sha256(), NULL);
		ret = md_fd(md, fd, UINT64_MAX);
		if (ret < 0)
			bf_error_ret(-ret, "cannot read %s: %s", path, strerror(-ret));
		else
			md_hex(md, out);
		close(fd);
	}
	dl_EVP_MD_CTX_free(md);
	return ret;
}

/* The file name a URL ends in, made safe for a directory entry: never
 * empty and never beginning with a dot (the entry's own files do). */
static void url_name(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "://") + 3, *end = p + strcspn(p, "?#"), *slash = NULL, *s;
	size_t n = 0;

	for (s = p; s < end; s++)
		if (*s == '/')
			slash = s;
	for (s = slash ? slash + 1 : end; s < end && n + 1 < cap && n < NAME_MAX_LEN; s++)
		out[n++] = isalnum((unsigned char)*s) || strchr("._-+", *s) ? *s : '_';
	out[n] = '\0';
	if (!n || !strcmp(out, ".") || !strcmp(out, ".."))
		snprintf(out, cap, "download");
	else if (out[0] == '.')
		out[0] = '_';
}

static int check_url(const char *url)
{
	size_t i, n = strlen(url);

	if (!bf_fetch_is_url(url))
		return bf_error_ret(EINVAL, "%s: only http:// and https:// URLs are fetched", url);
	if (n > BF_FETCH_URL_MAX)
		return bf_error_ret(EINVAL, "a URL longer than %d bytes is refused", BF_FETCH_URL_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
			return bf_error_ret(EINVAL, "%.200s: a URL holds no spaces or control characters", url);
	return 0;
}

/* mkdir, then open it as a directory that is not a symlink. */
static int open_dir(const char *path, mode_t mode)
{
	int fd;

	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return bf_error_ret(errno, "cannot create the cache directory %s: %s", path, strerror(errno));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return bf_error_ret(errno, "cannot open the cache directory %s: %s", path, strerror(errno));
	return fd;
}

/* A new file in dfd: never through a symlink, never an existing one. */
static int create_at(int dfd, const char *name, const char *shown)
{
	int fd;

	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return bf_error_ret(errno, "cannot replace %s: %s", shown, strerror(errno));
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return bf_error_ret(errno, "cannot create %s: %s", shown, strerror(errno));
	return fd;
}

struct entry {
	const char *url;
	const struct bf_fetch_opts *o;
	char dir[PATH_MAX];        /* the entry's directory */
	char name[NAME_MAX_LEN + 1];
	char part[NAME_MAX_LEN + 8];
	int dfd, lockfd;
	/* meta */
	char etag[BF_FETCH_ETAG_MAX];
	char last_modified[BF_FETCH_DATE_MAX];
	char sha256[65];
	uint64_t size;
	bool complete;
};

static void meta_load(struct entry *e)
{
	struct json_object *j, *v;
	char *buf = NULL;
	size_t len;
	int fd = openat(e->dfd, META, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	buf = malloc(META_MAX + 1);
	n = buf ? read(fd, buf, META_MAX) : -1;
	close(fd);
	if (n <= 0) {
		free(buf);
		return;
	}
	len = (size_t)n;
	buf[len] = '\0';
	j = json_tokener_parse(buf);
	free(buf);
	if (!j)
		return;
	/* Another URL hashed to this entry (never, in practice): not ours. */
	if (json_object_object_get_ex(j, "url", &v) && !strcmp(json_object_get_string(v), e->url)) {
		if (json_object_object_get_ex(j, "etag", &v))
			snprintf(e->etag, sizeof(e->etag), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(j, "last_modified", &v))
			snprintf(e->last_modified, sizeof(e->last_modified), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(j, "sha256", &v))
			snprintf(e->sha256, sizeof(e->sha256), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(j, "size", &v))
			e->size = (uint64_t)json_object_get_int64(v);
		if (json_object_object_get_ex(j, "complete", &v))
			e->complete = json_object_get_boolean(v);
	}
	json_object_put(j);
}

static int meta_save(struct entry *e)
{
	struct json_object *j = json_object_new_object();
	const char *s;
	char shown[PATH_MAX + 16];
	int fd, ret;

	json_object_object_add(j, "url", json_object_new_string(e->url));
	json_object_object_add(j, "etag", json_object_new_string(e->etag));
	json_object_object_add(j, "last_modified", json_object_new_string(e->last_modified));
	json_object_object_add(j, "size", json_object_new_int64((int64_t)e->size));
	json_object_object_add(j, "sha256", json_object_new_string(e->sha256));
	json_object_object_add(j, "complete", json_object_new_boolean(e->complete));
	s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	snprintf(shown, sizeof(shown), "%s/" META_NEW, e->dir);
	fd = create_at(e->dfd, META_NEW, shown);
	if (fd < 0) {
		json_object_put(j);
		return fd;
	}
	ret = bf_file_write_all(fd, s, strlen(s));
	json_object_put(j);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && renameat(e->dfd, META_NEW, e->dfd, META) < 0)
		ret = -errno;
	if (ret < 0)
		return bf_error_ret(-ret, "cannot write %s/" META ": %s", e->dir, strerror(-ret));
	return 0;
}

static void event(const struct entry *e, const char *action, uint64_t offset)
{
	bf_print_begin("download");
	bf_print_string(BF_PRINT_JSON, "url", NULL, e->url);
	bf_print_string(BF_PRINT_JSON, "action", NULL, action);
	bf_print_uint(BF_PRINT_JSON, "offset", NULL, offset);
	bf_print_end();
}

/* The entry's lock, waited for (another process or thread downloads). */
static int entry_lock(struct entry *e)
{
	bool said = false;

	e->lockfd = openat(e->dfd, LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (e->lockfd < 0)
		return bf_error_ret(errno, "cannot open the lock of %s: %s", e->dir, strerror(errno));
	while (flock(e->lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return bf_error_ret(errno, "cannot lock %s: %s", e->dir, strerror(errno));
		if (!said) {
			bf_info("%s: another download of this URL is under way; waiting for it", e->url);
			event(e, "wait", 0);
			said = true;
		}
		if (bf_stop_requested())
			return bf_error_ret(EINTR, "%s: stopped while waiting for another download", e->url);
		bf_clock_sleep_ns(LOCK_POLL_NS);
	}
	return 0;
}

static int entry_open(struct entry *e)
{
	const char *cache = e->o->cache_dir ? e->o->cache_dir : BF_FETCH_CACHE_DEFAULT;
	unsigned char d[32];
	char key[17];
	int cfd;

	dl_EVP_Digest(e->url, strlen(e->url), d, NULL, dl_EVP_sha256(), NULL);
	hex(d, 8, key);
	url_name(e->url, e->name, sizeof(e->name));
	snprintf(e->part, sizeof(e->part), "%s.part", e->name);
	if ((cfd = open_dir(cache, 0755)) < 0)
		return cfd;
	close(cfd);
	if ((size_t)snprintf(e->dir, sizeof(e->dir), "%s/%s", cache, key) >= sizeof(e->dir))
		return bf_error_ret(ENAMETOOLONG, "the cache directory name is too long");
	if ((e->dfd = open_dir(e->dir, 0700)) < 0)
		return e->dfd;
	return entry_lock(e);
}

int bf_fetch_sidecar_digest(const char *text, char out[65])
{
	char tok[80];

	if (sscanf(text, "%79s", tok) != 1 || bf_fetch_parse_digest(tok, out) < 0)
		return -EBADMSG;
	return 0;
}

/* The sidecar URL.sha256, when the server has one: 1 with the digest, 0
 * none, <0 an error (a sidecar that holds no digest, or -ECONNREFUSED: a
 * proxy that refused the tunnel, which is not asked again for the file). */
static int sidecar(struct entry *e, char out[65])
{
	struct bf_fetch_xfer x = { .o = e->o, .fd = -1 };
	char url[BF_FETCH_URL_MAX + 8];
	enum bf_fetch_outcome got;
	int err;

	snprintf(url, sizeof(url), "%s.sha256", e->url);
	x.url = url;
	if ((got = bf_fetch_http(&x, &err)) != BF_FETCH_DONE || x.status != 200) {
		if (got == BF_FETCH_FATAL && err == -ECONNREFUSED)
			return err;   /* the proxy refused the tunnel: the file would fare no better */
		if (err == -EPERM)   /* TLS or an https URL sent to http: not trusted */
			bf_warn("%s: its .sha256 is not used: %s", e->url, bf_error_get());
		bf_error_clear();
		return 0;
	}
	if (bf_fetch_sidecar_digest(x.mem, out) < 0)
		return bf_error_ret(EBADMSG, "%s holds no SHA-256 (64 hex digits first)", url);
	bf_info("%s: SHA-256 from %s", e->url, url);
	return 1;
}

static void backoff(const struct entry *e, unsigned attempt, double *delay, const char *why)
{
	bf_warn("%s: %s; retry %u of %d in %.0f s", e->url, why, attempt,
		e->o->retries < 0 ? BF_FETCH_RETRIES_DEFAULT : e->o->retries, *delay);
	bf_print_begin("retry");
	bf_print_string(BF_PRINT_JSON, "step", NULL, "download");
	bf_print_string(BF_PRINT_JSON, "url", NULL, e->url);
	bf_print_uint(BF_PRINT_JSON, "attempt", NULL, attempt);
	bf_print_double(BF_PRINT_JSON, "delay_s", NULL, *delay);
	bf_print_string(BF_PRINT_JSON, "reason", NULL, why);
	bf_print_end();
	for (double t = 0; t < *delay && !bf_stop_requested(); t += 0.1)
		bf_clock_sleep_ns(100000000ull);
	*delay = *delay * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : *delay * 2;
}

/* Saved as soon as a body starts: a crash then resumes against the same
 * validators. */
static void on_first_body(struct bf_fetch_xfer *x)
{
	struct entry *e = x->ctx;

	snprintf(e->etag, sizeof(e->etag), "%s", x->etag);
	snprintf(e->last_modified, sizeof(e->last_modified), "%s", x->last_modified);
	e->size = x->total;
	e->sha256[0] = '\0';
	e->complete = false;
	if (meta_save(e) < 0) {
		bf_warn("%s", bf_error_get());
		bf_error_clear();
	}
}

/* The .part left by an earlier run, continued when a validator guards the
 * range; else a new one. The fd, x->offset and x->md set. */
static int part_open(struct entry *e, struct bf_fetch_xfer *x, bool conditional)
{
	char shown[PATH_MAX + NAME_MAX_LEN + 8];
	struct stat st;
	int fd = openat(e->dfd, e->part, O_RDWR | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 && !conditional && (e->etag[0] || e->last_modified[0]) && fstat(fd, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_size > 0 && md_fd(x->md, fd, (uint64_t)st.st_size) == 0 &&
	    lseek(fd, 0, SEEK_END) == st.st_size) {
		x->offset = (uint64_t)st.st_size;
		return fd;
	}
	if (fd >= 0)
		close(fd);
	dl_EVP_DigestInit_ex(x->md, dl_EVP_sha256(), NULL);
	x->offset = 0;
	snprintf(shown, sizeof(shown), "%s/%s", e->dir, e->part);
	return create_at(e->dfd, e->part, shown);
}

/* Ready for the next attempt: continue from what arrived, or from zero
 * when nothing guards a range. */
static int part_rewind(struct entry *e, struct bf_fetch_xfer *x)
{
	struct stat st;

	if (fstat(x->fd, &st) < 0)
		return -errno;
	if (!e->etag[0] && !e->last_modified[0]) {
		if (st.st_size)
			bf_info("%s: the server gives no ETag or Last-Modified: starting over", e->url);
		if (ftruncate(x->fd, 0) < 0 || lseek(x->fd, 0, SEEK_SET) < 0)
			return -errno;
		dl_EVP_DigestInit_ex(x->md, dl_EVP_sha256(), NULL);
		x->offset = 0;
	} else {
		x->offset = (uint64_t)st.st_size;
	}
	return 0;
}

static int http_error(const struct entry *e, long status)
{
	if (status == 404 || status == 410)
		return bf_error_ret(ENOENT, "%s: the server has no such file (HTTP %ld); check the URL",
				    e->url, status);
	return bf_error_ret(EPROTO, "%s: the server answered HTTP %ld", e->url, status);
}

/* Requests until the file is in e->part (0), the cached copy is current
 * (1, conditional: 304), or a failure (<0). Transient failures are
 * retried with backoff, each resuming where the last stopped. */
static int transfer(struct entry *e, struct bf_fetch_result *res, bool conditional)
{
	struct bf_fetch_xfer x = { .url = e->url, .o = e->o, .on_body = on_first_body, .ctx = e };
	int retries = e->o->retries < 0 ? BF_FETCH_RETRIES_DEFAULT : e->o->retries;
	double delay = e->o->backoff_s > 0 ? e->o->backoff_s : 1.0;
	enum bf_fetch_outcome out;
	unsigned attempt = 0;
	int ret = 0;

	if (!(x.md = dl_EVP_MD_CTX_new()))
		return bf_error_ret(ENOMEM, "out of memory");
	dl_EVP_DigestInit_ex(x.md, dl_EVP_sha256(), NULL);
	if ((x.fd = part_open(e, &x, conditional)) < 0) {
		dl_EVP_MD_CTX_free(x.md);
		return x.fd;
	}
	for (;;) {
		x.if_range = x.offset ? (e->etag[0] ? e->etag : e->last_modified) : NULL;
		x.if_none_match = conditional && e->etag[0] ? e->etag : NULL;
		x.if_modified_since = conditional && !e->etag[0] && e->last_modified[0] ? e->last_modified : NULL;
		event(e, x.offset ? "resume" : conditional ? "revalidate" : "start", x.offset);
		if (x.offset)
			bf_info("%s: resuming at byte %llu", e->url, (unsigned long long)x.offset);
		out = bf_fetch_http(&x, &ret);
		res->downloaded += x.received;
		if (x.restarted) {
			bf_warn("%s: the file changed on the server since the first part was fetched: downloading it again",
				e->url);
			event(e, "restart", 0);
		}
		if (x.status == 206)
			res->resumed = true;
		if (x.started)
			conditional = false;   /* a new body is on its way: continue that */
		if (out == BF_FETCH_DONE || out == BF_FETCH_FATAL || (int)attempt >= retries)
			break;
		attempt++;
		res->retries++;
		if ((ret = part_rewind(e, &x)) < 0) {
			ret = bf_error_ret(-ret, "%s: %s", e->dir, strerror(-ret));
			break;
		}
		{
			char why[400];

			snprintf(why, sizeof(why), "%s (%llu bytes so far)", x.why[0] ? x.why : "interrupted",
				 (unsigned long long)x.offset);
			backoff(e, attempt, &delay, why);
		}
		if (bf_stop_requested()) {
			ret = bf_error_ret(EINTR, "%s: download stopped", e->url);
			break;
		}
		bf_error_clear();
	}
	if (ret == 0 && out == BF_FETCH_DONE) {
		if (x.status == 304) {
			ret = 1;
			unlinkat(e->dfd, e->part, 0);
		} else if (x.status != 200 && x.status != 206) {
			ret = http_error(e, x.status);
		} else if (x.total && x.offset + x.received != x.total) {
			ret = bf_error_ret(EIO, "%s: %llu bytes of %llu arrived", e->url,
					   (unsigned long long)(x.offset + x.received), (unsigned long long)x.total);
		} else if (fsync(x.fd) < 0) {
			ret = bf_error_ret(errno, "%s: %s", e->dir, strerror(errno));
		} else {
			md_hex(x.md, e->sha256);
			e->size = x.offset + x.received;
		}
	} else if (ret == 0) {
		ret = bf_error_ret(EIO, "%s: download failed", e->url);
	}
	{
		struct stat st;

		/* Nothing arrived (404, refused): no part to resume. */
		if (ret < 0 && fstat(x.fd, &st) == 0 && st.st_size == 0)
			unlinkat(e->dfd, e->part, 0);
	}
	close(x.fd);
	dl_EVP_MD_CTX_free(x.md);
	return ret;
}

/* The complete file, checked against want (when given), in place. */
static int finish(struct entry *e, const char *want, bool from_sidecar, struct bf_fetch_result *res)
{
	if (want[0] && strcmp(want, e->sha256)) {
		unlinkat(e->dfd, e->part, 0);
		unlinkat(e->dfd, META, 0);
		event(e, "checksum-mismatch", 0);
		return bf_error_ret(EBADMSG, "%s: SHA-256 %s, expected %s (%s); the download was deleted",
				    e->url, e->sha256, want, from_sidecar ? "from the .sha256 file beside it" : "as given");
	}
	if (renameat(e->dfd, e->part, e->dfd, e->name) < 0)
		return bf_error_ret(errno, "cannot move the download into %s: %s", e->dir, strerror(errno));
	e->complete = true;
	return meta_save(e);
}

/* The cached copy: its digest against want; 1 it matches, 0 it does not
 * (removed), <0 an error. */
static int cached_matches(struct entry *e, const char *want)
{
	char path[PATH_MAX + NAME_MAX_LEN + 2], got[65];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", e->dir, e->name);
	if ((ret = bf_fetch_file_sha256(path, got)) < 0)
		return ret;
	if (!strcmp(got, want)) {
		snprintf(e->sha256, sizeof(e->sha256), "%s", got);
		return 1;
	}
	bf_warn("%s: the cached copy has SHA-256 %s, not %s: downloading it again", e->url, got, want);
	unlinkat(e->dfd, e->name, 0);
	e->complete = false;
	return 0;
}

static bool have_complete(struct entry *e)
{
	struct stat st;

	return e->complete && fstatat(e->dfd, e->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode) && (uint64_t)st.st_size == e->size;
}

/* The server cannot be asked (the error is set): the complete cached copy
 * is used, with a warning. */
static int use_cached(struct bf_fetch_result *res)
{
	bf_warn("cannot revalidate the cached copy (%s): using it", bf_error_get());
	bf_error_clear();
	res->cached = true;
	return 0;
}

static int fetch_locked(struct entry *e, struct bf_fetch_result *res)
{
	char want[65] = "";
	bool sidecar_digest = false;
	int ret;

	if (e->o->sha256 && (ret = bf_fetch_parse_digest(e->o->sha256, want)) < 0)
		return ret;
	if (!want[0]) {
		if ((ret = sidecar(e, want)) == -ECONNREFUSED && have_complete(e))
			return use_cached(res);
		if (ret < 0)
			return ret;
		sidecar_digest = ret == 1;
	}
	res->checked = want[0] != '\0';
	if (have_complete(e) && want[0]) {
		if ((ret = cached_matches(e, want)) != 0) {
			res->cached = ret == 1;
			return ret < 0 ? ret : 0;
		}
	}
	if (have_complete(e)) {
		ret = transfer(e, res, true);
		if (ret < 0 && ret != -ENOENT && ret != -EPROTO && ret != -EINTR && ret != -EINVAL &&
		    ret != -EBADMSG)
			return use_cached(res);
		if (ret == 1) {
			res->cached = true;
			return 0;
		}
	} else {
		ret = transfer(e, res, false);
	}
	if (ret < 0)
		return ret;
	return finish(e, want, sidecar_digest, res);
}

int bf_fetch(const char *url, const struct bf_fetch_opts *o, struct bf_fetch_result *res)
{
	struct entry e = { .url = url, .o = o, .dfd = -1, .lockfd = -1 };
	int ret;

	memset(res, 0, sizeof(*res));
	if ((ret = check_url(url)) < 0 || (ret = bf_fetch_global_init()) < 0)
		return ret;
	if ((ret = entry_open(&e)) == 0) {
		meta_load(&e);
		ret = fetch_locked(&e, res);
	}
	if (ret == 0 && (size_t)snprintf(res->path, sizeof(res->path), "%s/%s", e.dir, e.name) >= sizeof(res->path))
		ret = bf_error_ret(ENAMETOOLONG, "the cache directory name is too long");
	if (ret == 0) {
		snprintf(res->sha256, sizeof(res->sha256), "%s", e.sha256);
		res->size = e.size;
		bf_print_begin("download");
		bf_print_string(BF_PRINT_JSON, "url", NULL, url);
		bf_print_string(BF_PRINT_JSON, "action", NULL, res->cached ? "cached" : "done");
		bf_print_string(BF_PRINT_JSON, "path", NULL, res->path);
		bf_print_uint(BF_PRINT_JSON, "size", NULL, res->size);
		bf_print_uint(BF_PRINT_JSON, "downloaded", NULL, res->downloaded);
		bf_print_string(BF_PRINT_JSON, "sha256", NULL, res->sha256);
		bf_print_bool(BF_PRINT_JSON, "checked", NULL, res->checked);
		bf_print_bool(BF_PRINT_JSON, "resumed", NULL, res->resumed);
		bf_print_end();
	}
	if (e.lockfd >= 0)
		close(e.lockfd);
	if (e.dfd >= 0)
		close(e.dfd);
	return ret;
}

int bf_fetch_exit_code(int err)
{
	switch (-err) {
	case 0: return BF_EXIT_OK;
	case EBADMSG:
	case ENOENT:
	case EINVAL:
		return BF_EXIT_INPUT;
	case EINTR:
		return BF_EXIT_INTERRUPTED;
	default:
		return BF_EXIT_FAILURE;
	}
}
