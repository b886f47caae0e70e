/* pidfile.c - rshimd's --pid-file: refused when another rshimd runs with
 * it, replaced when it is left over from one that died, written (whole,
 * by rename) once the devices are up, and removed however the daemon
 * ends: a stop signal, an error after start-up, exit(), or a crash
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT remove it, then the signal
 * takes its course). Only SIGKILL leaves it; the next start replaces it. */
#include "config.h"
#include "rshimd.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char pid_path[PATH_MAX];   /* ours once written; "" otherwise */
static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static struct sigaction crash_old[sizeof(crash_sigs) / sizeof(crash_sigs[0])];

/* The pid in path: > 0, 0 (no such file), -1 (unreadable or not a pid). */
static long read_pid(const char *path)
{
	char buf[32], *end;
	ssize_t n;
	long pid;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	return pid > 0 && (*end == '\n' || *end == '\0') ? pid : -1;
}

/* Is pid a running rshimd? */
static bool is_rshimd(long pid)
{
	char path[64], comm[32] = "";
	ssize_t n;
	int fd;

	if (kill((pid_t)pid, 0) < 0 && errno != EPERM)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;   /* alive, and no way to tell: assume it is */
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	comm[n > 0 ? n : 0] = '\0';
	return !strcmp(comm, "rshimd\n");
}

int bf_rshimd_pidfile_check(const char *path)
{
	long pid = read_pid(path);

	if (pid == 0)
		return 0;
	if (pid > 0 && pid != (long)getpid() && is_rshimd(pid))
		return bf_error_ret(EEXIST, "rshimd (pid %ld) is running with the pid file %s: stop it first, "
				    "or give this one another --pid-file", pid, path);
	bf_warn("%s is left from an rshimd that ended without removing it (%s): replaced", path,
		pid > 0 ? "its pid is not running" : "no pid in it");
	if (unlink(path) < 0 && errno != ENOENT)
		return bf_error_ret(errno, "cannot remove the stale pid file %s: %s", path, strerror(errno));
	return 0;
}

static void on_crash(int sig)
{
	size_t i;

	if (pid_path[0])
		unlink(pid_path);
	/* Then as before: the previous handler (a sanitizer's) or the
	 * default action, once this one returns (the signal is blocked
	 * meanwhile). */
	for (i = 0; i < sizeof(crash_sigs) / sizeof(crash_sigs[0]); i++)
		if (crash_sigs[i] == sig)
			sigaction(sig, &crash_old[i], NULL);
	raise(sig);
}

static void remove_at_exit(void)
{
	bf_rshimd_pidfile_remove();
}

int bf_rshimd_pidfile_write(const char *path)
{
	char tmp[PATH_MAX + 16], line[32];
	struct sigaction sa;
	size_t i;
	int fd, n;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid()) >= sizeof(tmp) ||
	    strlen(path) >= sizeof(pid_path))
		return bf_error_ret(ENAMETOOLONG, "--pid-file %s: path too long", path);
	unlink(tmp);   /* ours: our pid in the name */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return bf_error_ret(errno, "cannot write the pid file %s: %s", path, strerror(errno));
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (write(fd, line, (size_t)n) != n || close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return bf_error_ret(e, "cannot write the pid file %s: %s", path, strerror(e));
	}
	snprintf(pid_path, sizeof(pid_path), "%s", path);
	atexit(remove_at_exit);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(crash_sigs) / sizeof(crash_sigs[0]); i++)
		sigaction(crash_sigs[i], &sa, &crash_old[i]);
	return 0;
}

void bf_rshimd_pidfile_remove(void)
{
	/* Only while it is still ours (a later rshimd may have replaced a
	 * file it took for stale). */
	if (pid_path[0] && read_pid(pid_path) == (long)getpid() && unlink(pid_path) < 0)
		bf_debug("cannot remove %s: %s", pid_path, strerror(errno));
	pid_path[0] = '\0';
}
