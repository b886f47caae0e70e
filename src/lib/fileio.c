/* fileio.c - small whole-file reads with a size bound. */
#include "config.h"
#include "fileio.h"
#include "error.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int bf_file_read_all(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *b;
	int fd;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bf_error_ret(errno, "cannot read %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bf_error_ret(EINVAL, "%s is not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return bf_error_ret(EFBIG, "%s is %lld bytes, above the %zu-byte limit",
				    path, (long long)st.st_size, max);
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;   /* the file shrank: keep what was read */
		got += (size_t)n;
	}
	close(fd);
	b[got] = '\0';
	*buf = b;
	*len = got;
	return 0;
}

int bf_file_create(const char *path, mode_t mode, bool replace)
{
	int fd;

	if (replace && unlink(path) < 0 && errno != ENOENT)
		return bf_error_ret(errno, "cannot replace %s: %s", path, strerror(errno));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return bf_error_ret(errno, "cannot create %s: %s", path,
				    errno == EEXIST ? "it exists (another process made it)" : strerror(errno));
	return fd;
}

int bf_file_check_input(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return bf_error_ret(errno, "cannot read %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return bf_error_ret(e, "cannot read %s: %s", path, strerror(e));
	}
	close(fd);
	if (S_ISDIR(st.st_mode))
		return bf_error_ret(EISDIR, "%s is a directory, not a file", path);
	if (!S_ISREG(st.st_mode))
		return bf_error_ret(EINVAL, "%s is not a regular file", path);
	return 0;
}

int bf_data_path(const char *rel, char *out, size_t cap)
{
	const char *dirs[3] = { getenv("BFCTL_DATADIR"), BF_DATADIR, BF_SRCDIR };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (!dirs[i] || !*dirs[i])
			continue;
		if ((size_t)snprintf(out, cap, "%s/%s", dirs[i], rel) >= cap)
			continue;
		if (access(out, R_OK) == 0)
			return 0;
	}
	return bf_error_ret(ENOENT, "%s is neither in %s nor in %s (set BFCTL_DATADIR)", rel, BF_DATADIR, BF_SRCDIR);
}

int bf_file_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

int bf_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return bf_error_ret(ENAMETOOLONG, "%s: path too long", path);
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return bf_error_ret(errno, "cannot make the directory %s: %s", buf, strerror(errno));
		buf[i] = i == n ? '\0' : '/';
	}
	return 0;
}
