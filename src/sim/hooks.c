/* hooks.c - bf.cfg hook functions run as the BFB installer runs them
 * (doc/bfcfg.md: "Running <name> from bf.cfg", then the function, with
 * bash, the target OS mounted at /mnt): bash sources the bf.cfg the host
 * pushed and calls the function, in a private mount namespace whose /mnt
 * is the simulated DPU's root file system (STATE/rootfs) and whose /tmp
 * is the installer's, kept for one install (STATE/installer-tmp). `bfrshlog`
 * (a small script first on PATH) appends its line to a file that bfsim
 * turns into RShim log messages right after the hook, with the level
 * word handled as the kernel's rsh_log attribute does. Hooks need root
 * (a mount namespace); without it they are announced and not run. */
#include "config.h"
#include "sim_int.h"
#include "fileio.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOOK_TIMEOUT_S 120
#define RSHLOG_MAX     (64 * 1024)   /* bfrshlog text kept from one hook */

static const char bfrshlog_script[] =
	"#!/bin/bash\n"
	"# bfsim: the DPU's bfrshlog; the line reaches the simulated RShim log.\n"
	"printf '%s\\n' \"$*\" >> \"$BFSIM_RSHLOG_FILE\"\n";

int bf_sim_rootfs_path(const struct bf_sim *s, const char *rel, char *out, size_t cap)
{
	int n;

	if (!s->cfg.state_dir[0])
		return -ENOENT;
	n = snprintf(out, cap, "%s/rootfs%s%s", s->cfg.state_dir, rel && *rel ? "/" : "", rel ? rel : "");
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static int write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = bf_file_create(path, mode, true), r;

	if (fd < 0)
		return fd;
	r = bf_file_write_all(fd, buf, len);
	close(fd);
	return r;
}

/* A bfrshlog line into the log ring: an optional level word first. */
static void rshlog_line(struct bf_sim *s, char *line)
{
	static const char *const lv[] = { "INFO", "WARN", "ERR", "ASSERT" };
	unsigned level = BF_RLOG_INFO, i;
	size_t n;

	for (i = 0; i < 4; i++) {
		n = strlen(lv[i]);
		if (!strncmp(line, lv[i], n) && strlen(line) > n + 1 && line[n] == ' ') {
			level = i;
			line += n;
			break;
		}
	}
	while (*line == ' ')
		line++;
	if (*line)
		bf_sim_log(s, BF_RLOG_MISC, level, line);
}

static void rshlog_collect(struct bf_sim *s, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[BF_RLOG_TEXT_MAX + 2];
	size_t total = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && total < RSHLOG_MAX) {
		total += strlen(line);
		line[strcspn(line, "\n")] = '\0';
		rshlog_line(s, line);
	}
	fclose(f);
	unlink(path);
}

#define HOOK_RUN "/run/bfsim-hook"   /* bin dir, seen under /tmp's bind */

static void child(const char *root, const char *tmp, const char *bin, const char *name, const char *logf)
{
	char path[PATH_MAX + 64];
	const char *old = getenv("PATH");
	int fd, lfd;

	/* Opened before /tmp is replaced: the state may live under /tmp. */
	lfd = open(logf, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(root, "/mnt", NULL, MS_BIND, NULL) < 0 || bf_mkdir_p(HOOK_RUN, 0700) < 0 ||
	    mount(bin, HOOK_RUN, NULL, MS_BIND, NULL) < 0 || mount(tmp, "/tmp", NULL, MS_BIND, NULL) < 0)
		_exit(125);
	snprintf(path, sizeof(path), "%s:%s", HOOK_RUN, old ? old : "/usr/sbin:/usr/bin:/sbin:/bin");
	setenv("PATH", path, 1);
	setenv("BFSIM_RSHLOG_FILE", HOOK_RUN "/rshlog", 1);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	if (lfd >= 0) {
		dup2(lfd, 1);
		dup2(lfd, 2);
	}
	if (chdir("/") < 0)
		_exit(125);
	execlp("bash", "bash", "-c", "set -e; . \"$1\"; set +e; \"$2\"", "bfsim-hook", HOOK_RUN "/bf.cfg", name,
	       (char *)NULL);
	_exit(127);
}

static int wait_bounded(pid_t pid)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int st, i;

	for (i = 0; i < HOOK_TIMEOUT_S * 50; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		if (r < 0 && errno == ECHILD)
			return 0;   /* reaped by bfsim run (COMMAND's subreaper): status unknown */
		if (r < 0 && errno != EINTR)
			return -errno;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return -ETIMEDOUT;
}

void bf_sim_hook_run(struct bf_sim *s, const char *name)
{
	char root[PATH_MAX], tmp[PATH_MAX + 16], bin[PATH_MAX + 16], cfg[PATH_MAX + 32], rlog[PATH_MAX + 32], logf[PATH_MAX + 16], sh[PATH_MAX + 32];
	pid_t pid;
	int rc;

	if (!s->bfcfg_len || bf_sim_rootfs_path(s, NULL, root, sizeof(root)) < 0)
		return;
	snprintf(bin, sizeof(bin), "%s/hookbin", s->cfg.state_dir);
	snprintf(tmp, sizeof(tmp), "%s/installer-tmp", s->cfg.state_dir);
	snprintf(cfg, sizeof(cfg), "%s/hookbin/bf.cfg", s->cfg.state_dir);
	snprintf(rlog, sizeof(rlog), "%s/hookbin/rshlog", s->cfg.state_dir);
	snprintf(logf, sizeof(logf), "%s/hooks.log", s->cfg.state_dir);
	snprintf(sh, sizeof(sh), "%s/bfrshlog", bin);
	if (bf_mkdir_p(root, 0755) < 0 || bf_mkdir_p(bin, 0700) < 0 || bf_mkdir_p(tmp, 0700) < 0 ||
	    write_file(cfg, s->bfcfg, s->bfcfg_len, 0600) < 0 ||
	    write_file(sh, bfrshlog_script, sizeof(bfrshlog_script) - 1, 0700) < 0) {
		bf_warn("bfsim: cannot prepare the hook %s in %s", name, s->cfg.state_dir);
		return;
	}
	unlink(rlog);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0)
		child(root, tmp, bin, name, logf);
	rc = wait_bounded(pid);
	rshlog_collect(s, rlog);
	unlink(cfg);
	if (rc == 125)
		bf_warn("bfsim: hook %s not run: a private mount namespace needs root", name);
	else if (rc != 0)
		bf_info("bfsim: hook %s ended with status %d (see %s)", name, rc, logf);
}
