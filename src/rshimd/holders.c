/* holders.c - who has a terminal open, read from /proc/PID/fd.
 *
 * inotify says that the console's slave was opened or closed, but not
 * reliably how often: the kernel merges identical events that follow each
 * other unread (two opens in a row arrive as one IN_OPEN; see inotify(7),
 * "successive output inotify events ... are coalesced"), so a count kept
 * from the events drifts: a reader can be taken for gone, and its output
 * kept from it. The events only say when to look; the count comes from
 * the descriptors themselves. */
#include "config.h"
#include "rshimd.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The descriptors of one process that name path: a count, or -errno when
 * its fd directory cannot be read (another user's process, without root). */
static int count_in(int proc, const char *pid, const char *path)
{
	char fddir[300], link[128];
	struct dirent *e;
	DIR *dir;
	int fd, n = 0;
	ssize_t len;

	snprintf(fddir, sizeof(fddir), "%s/fd", pid);
	if ((fd = openat(proc, fddir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOENT || errno == ESRCH ? 0 : -errno;   /* gone meanwhile */
	if (!(dir = fdopendir(fd))) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(dir)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		len = readlinkat(dirfd(dir), e->d_name, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		n += !strcmp(link, path);
	}
	closedir(dir);
	return n;
}

int bf_rshimd_tty_holders(const char *path)
{
	char self[16];
	struct dirent *e;
	DIR *proc;
	int n = 0, r, err = 0;

	if (!(proc = opendir("/proc")))
		return -errno;
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while ((e = readdir(proc)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]) || !strcmp(e->d_name, self))
			continue;
		if ((r = count_in(dirfd(proc), e->d_name, path)) < 0)
			err = r;
		else
			n += r;
	}
	closedir(proc);
	return err ? err : n;
}
