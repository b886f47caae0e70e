/* rshim/lock.c - one owner per device (bf_rshim_lock_*): an flock on
 * <rundir>/<key>.lock, held for as long as the device is open. The file
 * names the holder, so that the next opener can say who has it. */
#include "config.h"
#include "rshim.h"
#include "error.h"
#include "rshim/simconn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOLDER_MAX 200

const char *bf_rshim_rundir(void)
{
	const char *d = getenv("BFCTL_RUNDIR");

	return d && *d ? d : "/run/bfctl";
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ull;
	}
	return h;
}

int bf_rshim_lock_key(const char *name, char *key, size_t cap)
{
	const char *colon = strchr(name, ':');
	size_t i, n;

	if (!strcmp(name, "sim") || !strncmp(name, "sim:", 4)) {
		/* A simulated device is the simulator serving it (its socket);
		 * without one there is no device to share. */
		const char *st = bf_rshim_sim_socket();
		char real[4096];

		if (!st || !*st)
			return 0;
		if (!realpath(st, real))
			snprintf(real, sizeof(real), "%s", st);
		n = (size_t)snprintf(key, cap, "sim-%s-%016llx", colon ? colon + 1 : "0",
				     (unsigned long long)fnv1a(real));
	} else if (colon && colon[1]) {
		n = (size_t)snprintf(key, cap, "%.*s-%s", (int)(colon - name), name, colon + 1);
	} else {
		return 0;   /* a bare backend name: keyed by dev_name after the open */
	}
	if (n >= cap)
		return -ENAMETOOLONG;
	for (i = 0; key[i]; i++)
		if (!(key[i] >= 'a' && key[i] <= 'z') && !(key[i] >= 'A' && key[i] <= 'Z') &&
		    !(key[i] >= '0' && key[i] <= '9') && !strchr("._:-", key[i]))
			key[i] = '_';
	return 1;
}

static char holder_note[HOLDER_MAX];

void bf_rshim_lock_set_holder(const char *note)
{
	snprintf(holder_note, sizeof(holder_note), "%s", note ? note : "");
}

int bf_rshim_lock_write_note(int fd, const char *note)
{
	char buf[HOLDER_MAX + 40];
	int n = snprintf(buf, sizeof(buf), "%s (pid %ld)\n", note, (long)getpid());

	if (fd < 0)
		return -EBADF;
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}

/* Who holds it, from the file (bounded, control bytes replaced). */
static void read_holder(int fd, char *out, size_t cap)
{
	ssize_t n = pread(fd, out, cap - 1, 0);
	ssize_t i;

	if (n <= 0) {
		snprintf(out, cap, "another process");
		return;
	}
	out[n] = '\0';
	for (i = 0; i < n; i++)
		if (out[i] == '\n') {
			out[i] = '\0';
			break;
		} else if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f) {
			out[i] = '?';
		}
	if (!out[0])
		snprintf(out, cap, "another process");
}

int bf_rshim_lock_take(const char *name, const char *key, int *fdp)
{
	char path[4096], holder[HOLDER_MAX];
	const char *dir = bf_rshim_rundir();
	int fd, tries = 0;

	*fdp = -1;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return bf_error_ret(errno, "%s: cannot make the lock directory %s: %s (not root? set BFCTL_RUNDIR to a directory of yours)",
				    name, dir, strerror(errno));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.lock", dir, key) >= sizeof(path))
		return bf_error_ret(ENAMETOOLONG, "%s: lock file name too long", name);
again:
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return bf_error_ret(errno, "%s: cannot open the lock file %s: %s%s", name, path, strerror(errno),
				    errno == EACCES || errno == EPERM || errno == EROFS ?
				    " (not root? set BFCTL_RUNDIR to a directory of yours)" : "");
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		if (e == EWOULDBLOCK) {
			read_holder(fd, holder, sizeof(holder));
			close(fd);
			if (strstr(holder, "rshimd"))
				return bf_error_ret(EBUSY, "%s is held by %s: go through the daemon's files "
						    "(--rshim rshim<N>, see 'rshimd(8)') or stop it", name, holder);
			return bf_error_ret(EBUSY, "%s is held by %s: wait for it to finish or stop it",
					    name, holder);
		}
		close(fd);
		return bf_error_ret(e, "%s: cannot lock %s: %s", name, path, strerror(e));
	}
	{
		/* A holder that gave up removes the file (bf_rshim_lock_drop): the
		 * lock is only ours if the file we locked is still the one named. */
		struct stat a, b;

		if (fstat(fd, &a) == 0 && (lstat(path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev) &&
		    ++tries < 5) {
			close(fd);
			goto again;
		}
	}
	bf_rshim_lock_write_note(fd, holder_note[0] ? holder_note : program_invocation_short_name);
	*fdp = fd;
	return 0;
}

void bf_rshim_lock_drop(const char *key, int fd)
{
	char path[4096];

	if (fd < 0)
		return;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.lock", bf_rshim_rundir(), key) < sizeof(path))
		unlink(path);
	close(fd);
}
