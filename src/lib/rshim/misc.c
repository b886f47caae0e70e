/* rshim/misc.c - the misc file of an rshim device directory: one reader,
 * one writer and one parser for bfb-install and the library's daemon
 * backend. The text comes from a daemon (or whatever sits at that path):
 * the parser is bounded by the length it is given, never by a NUL. */
#include "config.h"
#include "rshim/misc.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int misc_path(const char *dir, char *path, size_t cap)
{
	int n = snprintf(path, cap, "%s/misc", dir);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int bf_rshim_misc_read(const char *dir, char *buf, size_t cap, size_t *len)
{
	char path[4200];
	size_t fill = 0;
	int fd, ret = 0;

	if (!cap)
		return -EINVAL;
	buf[0] = '\0';
	if ((ret = misc_path(dir, path, sizeof(path))) < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (fill + 1 < cap) {
		ssize_t n = read(fd, buf + fill, cap - 1 - fill);

		if (n < 0 && errno == EINTR && !bf_stop_requested())
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		fill += (size_t)n;
	}
	close(fd);
	buf[fill] = '\0';
	if (len)
		*len = fill;
	return ret;
}

int bf_rshim_misc_write(const char *dir, const char *line)
{
	char path[4200];
	size_t n = strlen(line);
	ssize_t w;
	int fd, ret;

	if ((ret = misc_path(dir, path, sizeof(path))) < 0)
		return ret;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* One write: the daemon takes a command per write. */
	do
		w = write(fd, line, n);
	while (w < 0 && errno == EINTR && !bf_stop_requested());
	ret = w < 0 ? -errno : (size_t)w != n ? -EIO : 0;
	close(fd);
	return ret;
}

int bf_rshim_misc_value(const char *text, size_t len, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key), i = 0;

	if (cap)
		out[0] = '\0';
	while (i < len) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t llen = nl ? (size_t)(nl - line) : len - i;

		if (llen > klen && !memcmp(line, key, klen) && (line[klen] == ' ' || line[klen] == '\t')) {
			size_t p = klen, n = 0;

			while (p < llen && (line[p] == ' ' || line[p] == '\t'))
				p++;
			while (p + n < llen && line[p + n] != ' ' && line[p + n] != '\t' && line[p + n] != '(' &&
			       line[p + n] != '\r' && line[p + n] != '\0')
				n++;
			if (cap) {
				if (n > cap - 1)
					n = cap - 1;
				memcpy(out, line + p, n);
				out[n] = '\0';
			}
			return 0;
		}
		i += llen + 1;
	}
	return -ENOENT;
}
