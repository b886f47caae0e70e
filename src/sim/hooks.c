/* hooks.c - bf.cfg hook functions run as the BFB installer runs them
 * (doc/bfcfg.md: "Running <name> from bf.cfg", then the function, with
 * bash, the target OS mounted at /mnt): bash sources the bf.cfg the host
 * pushed and calls the function, in a private mount namespace whose /mnt
 * is the simulated DPU's root file system (STATE/rootfs) and whose /tmp
 * is the installer's, kept for one install (STATE/installer-tmp). The
 * bf.cfg comes from whoever pushed the stream, so it runs sandboxed (see
 * child() below), never with the host's view of files, processes or
 * network. `bfrshlog`
 * (a small script first on PATH) appends its line to a file that bfsim
 * turns into RShim log messages right after the hook, with the level
 * word handled as the kernel's rsh_log attribute does. Hooks need root
 * (namespaces); without it they are announced and not run. */
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
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

#define HOOK_RUN "/run/bfsim-hook"   /* bin dir: bfrshlog, the bf.cfg */

/* The hook's view of the machine. What a DPU installer has (programs,
 * /etc) is read-only; the host's data (/home, /root, /var, /srv, /work,
 * its SSH host keys and shadow file) is not there at all. Writable: /mnt
 * (the simulated DPU's root file system), /tmp (the installer's) and
 * HOOK_RUN. */
static int ro_bind(const char *src, const char *dst)
{
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };

	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	return mount_setattr(AT_FDCWD, dst, AT_RECURSIVE, &ma, sizeof(ma)) < 0 ? -errno : 0;
}

static int rw_bind(const char *src, const char *dst)
{
	if (mkdir(dst, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV, NULL) < 0)
		return -errno;
	return 0;
}

/* A top-level program directory: a symlink as on the host (merged /usr),
 * or a read-only bind. Absent on the host: absent here. */
static int top_dir(const char *name)
{
	char host[64], link[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(host, sizeof(host), "/%s", name);
	if (lstat(host, &st) < 0)
		return 0;
	if (S_ISLNK(st.st_mode)) {
		n = readlink(host, link, sizeof(link) - 1);
		if (n < 0)
			return -errno;
		link[n] = '\0';
		return symlink(link, name) < 0 ? -errno : 0;
	}
	if (!S_ISDIR(st.st_mode) || mkdir(name, 0755) < 0)
		return -EINVAL;
	return ro_bind(host, name);
}

/* /dev with the harmless character devices only: no disks, no memory. */
static int min_dev(void)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom" };
	char host[32], here[32];
	size_t i;
	int fd;

	if (mkdir("dev", 0755) < 0 || mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") < 0)
		return -errno;
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(host, sizeof(host), "/dev/%s", nodes[i]);
		snprintf(here, sizeof(here), "dev/%s", nodes[i]);
		if ((fd = open(here, O_WRONLY | O_CREAT | O_EXCL, 0666)) < 0)
			return -errno;
		close(fd);
		if (mount(host, here, NULL, MS_BIND, NULL) < 0)
			return -errno;
	}
	return symlink("/proc/self/fd", "dev/fd") < 0 ? -errno : 0;
}

/* Masks over the host's secrets in the read-only /etc. */
static int mask_etc(void)
{
	static const char *const files[] = { "etc/shadow", "etc/gshadow", "etc/shadow-", "etc/gshadow-" };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (access(files[i], F_OK) == 0 && mount("/dev/null", files[i], NULL, MS_BIND, NULL) < 0)
			return -errno;
	if (access("etc/ssh", F_OK) == 0 && mount("tmpfs", "etc/ssh", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k") < 0)
		return -errno;
	return 0;
}

/* Builds the hook's root in the empty tmpfs at newroot, then makes it /. */
static int build_root(const char *newroot, const char *root, const char *tmp, const char *bin)
{
	static const char *const tops[] = { "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };
	size_t i;
	int r;

	if (mount("tmpfs", newroot, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0 || chdir(newroot) < 0)
		return -errno;
	for (i = 0; i < sizeof(tops) / sizeof(tops[0]); i++)
		if ((r = top_dir(tops[i])) < 0)
			return r;
	if (mkdir("etc", 0755) < 0 || (r = ro_bind("/etc", "etc")) < 0 || (r = mask_etc()) < 0 || (r = min_dev()) < 0)
		return r < 0 ? r : -errno;
	if (mkdir("proc", 0555) < 0 || mount("proc", "proc", "proc", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	if (mkdir("run", 0755) < 0 || (r = rw_bind(root, "mnt")) < 0 || (r = rw_bind(tmp, "tmp")) < 0 ||
	    (r = rw_bind(bin, HOOK_RUN + 1)) < 0)
		return r < 0 ? r : -errno;
	if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -errno;
	return mount_setattr(AT_FDCWD, "/", 0, &ma, sizeof(ma)) < 0 ? -errno : 0;
}

/* Root's powers over files (chown, chmod, chroot into /mnt) stay; the
 * ones over the machine (mounts, modules, raw I/O, network, ptrace,
 * reboot) go, for the hook and everything it runs. */
static int drop_caps(void)
{
	static const int keep[] = { CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL,
				    CAP_SETGID, CAP_SETUID, CAP_SYS_CHROOT };
	int cap, i, kept;

	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		for (i = 0, kept = 0; i < (int)(sizeof(keep) / sizeof(keep[0])); i++)
			kept |= keep[i] == cap;
		if (!kept && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -errno;
	}
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;
}

/* In the hook's PID namespace (its init): the sandbox, then bash. */
static void __attribute__((noreturn)) hook_exec(const char *newroot, const char *root, const char *tmp,
						const char *bin, const char *name, int lfd)
{
	char *const env[] = { "PATH=" HOOK_RUN ":/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp", "LANG=C.UTF-8",
			      "BFSIM_RSHLOG_FILE=" HOOK_RUN "/rshlog", NULL };
	struct rlimit cpu = { HOOK_TIMEOUT_S, HOOK_TIMEOUT_S };
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || build_root(newroot, root, tmp, bin) < 0 ||
	    drop_caps() < 0 || setrlimit(RLIMIT_CPU, &cpu) < 0)
		_exit(125);
	sethostname("dpu", 3);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	if (lfd >= 0) {
		dup2(lfd, 1);
		dup2(lfd, 2);
	}
	execle("/bin/bash", "bash", "-c", "set -e; . \"$1\"; set +e; \"$2\"", "bfsim-hook", HOOK_RUN "/bf.cfg", name,
	       (char *)NULL, env);
	_exit(127);
}

/* New mount, PID, network, IPC and UTS namespaces: the hook sees no host
 * process and no network (only a down lo). Exits with the hook's status. */
static void __attribute__((noreturn)) child(const char *newroot, const char *root, const char *tmp,
					    const char *bin, const char *name, const char *logf)
{
	int lfd, st;
	pid_t pid;

	/* Opened before the view changes: the state may live anywhere. */
	lfd = open(logf, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
		_exit(125);
	pid = fork();
	if (pid < 0)
		_exit(125);
	if (pid == 0) {
		if (lfd >= 0)
			fcntl(lfd, F_SETFD, 0);
		hook_exec(newroot, root, tmp, bin, name, lfd);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			_exit(125);
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0));
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
	char root[PATH_MAX], tmp[PATH_MAX + 16], bin[PATH_MAX + 16], cfg[PATH_MAX + 32], rlog[PATH_MAX + 32],
		logf[PATH_MAX + 16], sh[PATH_MAX + 32], newroot[PATH_MAX + 16];
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
	snprintf(newroot, sizeof(newroot), "%s/hookroot", s->cfg.state_dir);
	if (bf_mkdir_p(root, 0755) < 0 || bf_mkdir_p(bin, 0700) < 0 || bf_mkdir_p(tmp, 0700) < 0 ||
	    bf_mkdir_p(newroot, 0700) < 0 ||
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
		child(newroot, root, tmp, bin, name, logf);
	rc = wait_bounded(pid);
	rshlog_collect(s, rlog);
	unlink(cfg);
	if (rc == 125)
		bf_warn("bfsim: hook %s not run: its sandbox (namespaces, a private root) needs root", name);
	else if (rc != 0)
		bf_info("bfsim: hook %s ended with status %d (see %s)", name, rc, logf);
}
