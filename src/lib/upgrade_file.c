/* upgrade_file.c - the files of an upgrade: the flat repack of a bundle
 * and the per-device history in the state directory. */
#include "config.h"
#include "upgrade_dev.h"
#include "bfb_pack.h"
#include "error.h"
#include "fileio.h"
#include "statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HISTORY_MAX (4u << 20)

int bf_upgrade_flat(const char *bundle, const char *dir, char *out, size_t cap)
{
	/* Not in a flat bundle: the kernel, initramfs and boot arguments of
	 * the installer (the running OS reads the images itself). */
	static const uint8_t drop[] = { 57, 58, 59, 60, 62, 63 };
	struct bf_bfb_pack *p = malloc(sizeof(*p));
	size_t i;
	int r;

	if (!p)
		return -ENOMEM;
	if ((size_t)snprintf(out, cap, "%s/flat.bfb", dir) >= cap) {
		free(p);
		return bf_error_ret(ENAMETOOLONG, "%s: path too long", dir);
	}
	bf_bfb_pack_init(p);
	r = bf_bfb_pack_add_bfb(p, bundle);
	for (i = 0; r == 0 && i < sizeof(drop); i++)
		bf_bfb_pack_drop(p, drop[i]);
	if (r == 0)
		r = bf_bfb_pack_write(p, out, false, false, false);
	bf_bfb_pack_free(p);
	free(p);
	return r;
}

/* The device's directory in the state directory (the one provisioning
 * keeps its journal in), made 0700 when missing. */
int bf_upgrade_history_path(const char *dev, char *out, size_t cap)
{
	char dir[4096], why[512], *slash;
	struct stat st;
	int r;

	if ((r = bf_statedir_path(NULL, dev, dir, sizeof(dir))) < 0) {
		snprintf(why, sizeof(why), "%s", bf_error_str(r));
		return bf_error_ret(-r, "%s: %s", dev, why);
	}
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return bf_error_ret(errno, "cannot make the state directory %s: %s", dir, strerror(errno));
		*slash = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return bf_error_ret(errno, "cannot make %s: %s", dir, strerror(errno));
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return bf_error_ret(ENOTDIR, "%s is not a directory", dir);
	if ((size_t)snprintf(out, cap, "%s/upgrade.jsonl", dir) >= cap)
		return bf_error_ret(ENAMETOOLONG, "%s: path too long", dir);
	return 0;
}

int bf_upgrade_history_append(const char *dev, const char *line)
{
	char path[4200];
	int fd, r;

	if ((r = bf_upgrade_history_path(dev, path, sizeof(path))) < 0)
		return r;
	fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = bf_file_create(path, 0600, false);
	if (fd < 0)
		return fd == -1 ? bf_error_ret(errno, "cannot open %s: %s", path, strerror(errno)) : fd;
	r = bf_file_write_all(fd, line, strlen(line));
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r < 0 ? bf_error_ret(-r, "cannot append to %s: %s", path, strerror(-r)) : 0;
}

int bf_upgrade_history_read(const char *dev, char **buf, size_t *len)
{
	char path[4200];
	int r;

	*buf = NULL;
	*len = 0;
	if ((r = bf_upgrade_history_path(dev, path, sizeof(path))) < 0)
		return r;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	return bf_file_read_all(path, HISTORY_MAX, buf, len);
}
