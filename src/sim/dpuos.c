/* dpuos.c - the simulated DPU's OS in quick mode: its root file system
 * (STATE/rootfs, laid out when the installer writes the OS image, the
 * /mnt of the bf.cfg hooks) and, once "DPU is ready", its services in the
 * DPU's network namespace (`bfsim run --net`): a real OpenSSH sshd on
 * tmfifo_net0 and, when Open vSwitch is installed, an ovsdb-server, in a
 * private mount namespace where /root, /opt, /var/lib, /etc/openvswitch
 * and /run/openvswitch are the rootfs's. No kernel networking objects
 * (eswitch, representors, bonds): those need the QEMU test bed. The
 * services stop with the chip (reset, install) and with bfsim. */
#include "config.h"
#include "sim_int.h"
#include "error.h"
#include "fileio.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
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

#define SSHD "/usr/sbin/sshd"
#define OVS_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"

/* The OS processes of every device this bfsim serves (for bfsim run,
 * which ends what COMMAND leaves behind but not these). */
static pthread_mutex_t os_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t os_pids[64];

static void os_track(pid_t pid, bool add)
{
	unsigned i;

	pthread_mutex_lock(&os_lock);
	for (i = 0; i < 64; i++) {
		if (add && !os_pids[i]) {
			os_pids[i] = pid;
			break;
		}
		if (!add && os_pids[i] == pid)
			os_pids[i] = 0;
	}
	pthread_mutex_unlock(&os_lock);
}

bool bf_sim_dpuos_is_ours(pid_t pid)
{
	const char *netns = getenv("BFSIM_DPU_NETNS");
	struct stat a, b;
	char path[64];
	bool yes = false;
	unsigned i;

	pthread_mutex_lock(&os_lock);
	for (i = 0; i < 64 && !yes; i++)
		yes = pid > 0 && os_pids[i] == pid;
	pthread_mutex_unlock(&os_lock);
	/* Or one of its sessions: a process in the DPU's network namespace. */
	snprintf(path, sizeof(path), "/proc/%ld/ns/net", (long)pid);
	if (!yes && netns && stat(netns, &a) == 0 && stat(path, &b) == 0)
		yes = a.st_ino == b.st_ino && a.st_dev == b.st_dev;
	return yes;
}

static const char *const skeleton[] = {
	"etc/ssh", "etc/openvswitch", "root", "opt", "var/lib", "var/log", "run/openvswitch", "tmp", NULL,
};

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)f;
	return (flag == FTW_DP ? rmdir(p) : unlink(p)) < 0 && errno != ENOENT ? -1 : 0;
}

/* The installer writes a new root file system: the old one is gone. */
void bf_sim_dpuos_image(struct bf_sim *s, const char *release)
{
	char root[PATH_MAX], p[PATH_MAX + 64];
	unsigned i;
	int fd;

	if (bf_sim_rootfs_path(s, NULL, root, sizeof(root)) < 0)
		return;
	bf_sim_dpuos_stop(s);
	if (access(root, F_OK) == 0 && nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		bf_warn("bfsim: cannot clear the DPU's root file system %s", root);
	/* The installer's /tmp starts empty with each install (hooks.c). */
	snprintf(p, sizeof(p), "%s/installer-tmp", s->cfg.state_dir);
	if (access(p, F_OK) == 0)
		nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; skeleton[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, skeleton[i]);
		if (bf_mkdir_p(p, 0755) < 0) {
			bf_warn("bfsim: %s", bf_error_get());
			return;
		}
	}
	snprintf(p, sizeof(p), "%s/root", root);
	chmod(p, 0700);
	snprintf(p, sizeof(p), "%s/etc/mlnx-release", root);
	fd = bf_file_create(p, 0644, true);
	if (fd >= 0) {
		bf_file_write_all(fd, release, strlen(release));
		bf_file_write_all(fd, "\n", 1);
		close(fd);
	}
}

static int run_wait(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0) {
		/* bfsim run reaps every child it has (it is COMMAND's
		 * subreaper): the status is gone, the caller checks the effect. */
		if (errno == ECHILD)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

static int write_config(const char *root)
{
	char path[PATH_MAX + 32], buf[2 * PATH_MAX + 512];
	int fd, n;

	n = snprintf(buf, sizeof(buf),
		     "# bfsim: the simulated DPU's sshd (quick mode)\n"
		     "ListenAddress 0.0.0.0\n"
		     "HostKey %s/etc/ssh/ssh_host_ed25519_key\n"
		     "PidFile %s/run/sshd.pid\n"
		     "AuthorizedKeysFile .ssh/authorized_keys\n"
		     "PermitRootLogin prohibit-password\n"
		     "PasswordAuthentication no\n"
		     "KbdInteractiveAuthentication no\n"
		     "UsePAM no\n"
		     "Subsystem sftp internal-sftp\n"
		     "LogLevel VERBOSE\n", root, root);
	snprintf(path, sizeof(path), "%s/etc/ssh/sshd_config", root);
	fd = bf_file_create(path, 0644, true);
	if (fd < 0)
		return fd;
	n = bf_file_write_all(fd, buf, (size_t)n);
	close(fd);
	return n;
}

/* A DPU booted without a host key makes one, as Debian's and Ubuntu's
 * OpenSSH do on first start (ssh-keygen -A). */
static int host_key(const char *root)
{
	char key[PATH_MAX + 48];
	char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key, NULL };

	snprintf(key, sizeof(key), "%s/etc/ssh/ssh_host_ed25519_key", root);
	if (access(key, F_OK) == 0)
		return 0;
	if (run_wait(argv) < 0 || access(key, R_OK) < 0)
		return bf_error_ret(EIO, "ssh-keygen made no host key %s", key);
	return 0;
}

static void bind_dir(const char *root, const char *rel, const char *target)
{
	char src[PATH_MAX + 64];

	snprintf(src, sizeof(src), "%s/%s", root, rel);
	if (bf_mkdir_p(src, 0755) < 0 || bf_mkdir_p(target, 0755) < 0 ||
	    mount(src, target, NULL, MS_BIND, NULL) < 0)
		_exit(125);
}

static void ovsdb(void)
{
	char *create[] = { "ovsdb-tool", "create", "/etc/openvswitch/conf.db", OVS_SCHEMA, NULL };
	char *init[] = { "ovs-vsctl", "--db=unix:/run/openvswitch/db.sock", "--timeout=10", "--no-wait", "init", NULL };
	pid_t pid;
	int i;

	if (access(OVS_SCHEMA, R_OK) < 0)
		return;
	if (access("/etc/openvswitch/conf.db", F_OK) < 0 && run_wait(create) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		execlp("ovsdb-server", "ovsdb-server", "/etc/openvswitch/conf.db",
		       "--remote=punix:/run/openvswitch/db.sock", "--unixctl=/run/openvswitch/ovsdb-server.ctl",
		       "--pidfile=/run/openvswitch/ovsdb-server.pid", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && access("/run/openvswitch/db.sock", F_OK) < 0; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	run_wait(init);
}

static void os_child(const char *root, const char *netns)
{
	char conf[PATH_MAX + 32], logf[PATH_MAX + 32];
	int fd;

	setsid();
	fd = open(netns, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		_exit(125);
	bind_dir(root, "root", "/root");
	bind_dir(root, "opt", "/opt");
	bind_dir(root, "var/lib", "/var/lib");
	bind_dir(root, "etc/openvswitch", "/etc/openvswitch");
	bind_dir(root, "run/openvswitch", "/run/openvswitch");
	if (bf_mkdir_p("/run/sshd", 0755) < 0)
		_exit(125);
	snprintf(logf, sizeof(logf), "%s/var/log/dpuos.log", root);
	fd = open(logf, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	ovsdb();
	snprintf(conf, sizeof(conf), "%s/etc/ssh/sshd_config", root);
	execl(SSHD, SSHD, "-D", "-e", "-f", conf, (char *)NULL);
	_exit(127);
}

/* bfsim run --dpu-os CMD: the OS is what CMD starts (a QEMU VM whose
 * virtio-net is the --net-socket peer), with the rootfs in its env. */
static pid_t external_os(const char *cmd, const char *root)
{
	pid_t pid = fork();

	if (pid == 0) {
		setsid();
		setenv("BFSIM_DPU_ROOTFS", root, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

void bf_sim_dpuos_start(struct bf_sim *s)
{
	const char *netns = getenv("BFSIM_DPU_NETNS"), *cmd = getenv("BFSIM_DPU_OS_CMD");
	char root[PATH_MAX];
	pid_t pid;
	int r;

	if (s->dpuos_pid > 0 || bf_sim_rootfs_path(s, NULL, root, sizeof(root)) < 0)
		return;
	if (cmd && *cmd) {
		if (access(root, F_OK) < 0)
			bf_sim_dpuos_image(s, "unknown");
		pid = external_os(cmd, root);
		if (pid > 0) {
			s->dpuos_pid = pid;
			os_track(pid, true);
			bf_info("bfsim: the DPU's OS is '%s' (pid %ld)", cmd, (long)pid);
		}
		return;
	}
	if (!netns || !*netns)
		return;
	if (access(SSHD, X_OK) < 0) {
		bf_warn("bfsim: no %s (openssh-server): the DPU's OS runs no SSH server", SSHD);
		return;
	}
	if (access(root, F_OK) < 0)
		bf_sim_dpuos_image(s, "unknown");
	if ((r = host_key(root)) < 0 || (r = write_config(root)) < 0) {
		bf_warn("bfsim: cannot prepare the DPU's sshd in %s: %s", root, bf_error_or(strerror(-r)));
		return;
	}
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0)
		os_child(root, netns);
	s->dpuos_pid = pid;
	os_track(pid, true);
	bf_info("bfsim: the DPU's OS runs sshd on tmfifo_net0 (pid %ld, root %s)", (long)pid, root);
}

void bf_sim_dpuos_stop(struct bf_sim *s)
{
	pid_t pid = s->dpuos_pid;
	int st, i;

	if (pid <= 0)
		return;
	s->dpuos_pid = 0;
	os_track(pid, false);
	kill(-pid, SIGTERM);
	for (i = 0; i < 100; i++) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		if (waitpid(pid, &st, WNOHANG) != 0)
			break;
		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, &st, WNOHANG);
}
