/* run.c - `bfsim run` and `bfsim serve`: the simulated devices held by this
 * process and served on a unix socket (serve.c), and over USB/PCI
 * (--transport); COMMAND run with them reachable, its signals forwarded,
 * what it left behind ended and the temporary state removed. */
#include "config.h"
#include "cli.h"
#include "error.h"
#include "log.h"
#include "host.h"
#include "netns.h"
#include "run.h"
#include "serve.h"
#include "sim.h"
#include "simproto.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEVICES   BF_SIMPROTO_MAX_DEVICES
#define MAX_DEV_FAULTS 32   /* --fault N:F given */
#define LEFTOVER_WAIT_S 3   /* what COMMAND left running gets this long after SIGTERM */

static const char run_usage[] =
	"Usage: bfsim run [--devices N] [--chip bf2|bf3] [--state DIR] [--speed N]\n"
	"                 [--link-bps N] [--drain-bps N] [--fault F]... [--nic-lfwp yes|no]\n"
	"                 [--transport usb,pci] [--net | --net-socket PATH] [--dpu-os CMD]\n"
	"                 [--bmc [https://|http://]ADDR:PORT]...\n"
	"                 [--bmc-password-file F] -- COMMAND [ARGS...]\n"
	"\n"
	"Run COMMAND with simulated BlueFields reachable: sim:0 ... sim:N-1 (the\n"
	"socket in $BFSIM_SOCKET), or over USB/PCI with --transport. COMMAND runs\n"
	"in a private mount namespace; bfsim exits with its status (128+N on\n"
	"signal N).\n"
	"\n"
	"Options:\n"
	"      --devices N      serve N devices (1 to 64, default 1)\n"
	"      --chip CHIP      bf2 or bf3 (default bf3)\n"
	"      --state DIR      keep the device in DIR (N > 1: DIR/0, DIR/1, ...);\n"
	"                       default a temporary directory, removed afterwards\n"
	"      --speed N        simulated time runs N times faster than real time\n"
	"      --link-bps N     host link rate, bytes per simulated second (40000000)\n"
	"      --drain-bps N    boot stream consumption rate (80000000)\n"
	"      --fault [N:]F    stall-after=BYTES, unplug-after=BYTES, corrupt-log,\n"
	"                       corrupt-stream=OFFSET, powercut-during=lock|mcda|\n"
	"                       verify|activate|staging, no-activate, lfwp-fail,\n"
	"                       emmc-boot, log-sem-stuck;\n"
	"                       with N: on device N only (repeatable)\n"
	"      --nic-lfwp yes|no  the NIC supports live firmware patch (reset level\n"
	"                       0: new NIC firmware runs without a reset; default no)\n"
	"      --transport T    usb, pci or usb,pci: device N on USB at usb:1-(4+N)\n"
	"                       (libusb through umockdev) and/or on PCI with its NIC\n"
	"                       at 0000:BB:00.x and its RShim livefish function at\n"
	"                       0000:BB+1:00.0, BB = 03 + 2N (sysfs config space\n"
	"                       through FUSE), instead of sim:N\n"
	"      --net-socket PATH the DPU's tmfifo_net0 as a QEMU stream netdev peer\n"
	"                       on the unix socket PATH; COMMAND in a namespace of its own\n"
	"      --dpu-os CMD     when the DPU's OS is up, run CMD (sh -c) as that OS,\n"
	"                       with $BFSIM_DPU_ROOTFS (e.g. a QEMU VM on --net-socket)\n"
	"      --net            COMMAND in a network namespace of its own, the DPU's\n"
	"                       tmfifo_net0 (192.168.100.2/24) in $BFSIM_DPU_NETNS\n"
	BF_SIM_BMC_USAGE
	"  -v, --verbose        more detail\n"
	"  -h, --help           this help\n"
	"\n"
	"SIGHUP, SIGINT and SIGTERM are passed on to COMMAND. SIGUSR1 unplugs\n"
	"every device from the host (accesses end with ENODEV, the DPU runs on),\n"
	"SIGUSR2 plugs them back. Processes COMMAND\n"
	"leaves running (a daemon it started) are named and ended after it.\n"
	"See bfsim(1).\n";

static const char serve_usage[] =
	"Usage: bfsim serve --state DIR [--devices N] [--socket PATH] [--chip bf2|bf3]\n"
	"                   [--speed N] [--link-bps N] [--drain-bps N] [--fault F]...\n"
	"\n"
	"Serve simulated BlueFields until SIGINT, SIGTERM or SIGHUP. Prints\n"
	"BFSIM_SOCKET=PATH on its first line: with that variable set, any\n"
	"program reaches the devices as sim:0 ... sim:N-1.\n"
	"\n"
	"Options:\n"
	"      --state DIR      the devices' state (N > 1: DIR/0, DIR/1, ...)\n"
	"      --devices N      serve N devices (1 to 64, default 1)\n"
	"      --socket PATH    listen here (must not exist; default a new private\n"
	"                       directory under /tmp)\n"
	"      --chip, --speed, --link-bps, --drain-bps, --fault, --nic-lfwp, --bmc,\n"
	"      --bmc-password-file: as for bfsim run (the certificate's path is\n"
	"                       printed as BFSIM_BMC_CACERT=PATH)\n"
	"  -v, --verbose        more detail\n"
	"  -h, --help           this help\n"
	"See bfsim(1).\n";

static const struct bf_sim_transport *const transports[] = {
	&bf_sim_transport_usb, &bf_sim_transport_pci,
};
#define N_TRANSPORTS (sizeof(transports) / sizeof(transports[0]))

struct run {
	struct bf_sim_config cfg;
	unsigned ndev;
	char state[PATH_MAX - 16];  /* the user's --state or a temporary one */
	bool tmp_state;
	char scratch[64];           /* private: the socket, mount points, lock dir */
	char sock[PATH_MAX];
	struct bf_sim_host *devs;
	struct bf_sim_server *srv;
	unsigned tmask;
	const char *tlist;
	void *tctx[N_TRANSPORTS];      /* one per transport, serving every device */
	bool net;
	struct bf_sim_netns netns;
	const char *net_socket;   /* --net-socket: the DPU's tmfifo_net0 as a QEMU stream peer */
	struct { unsigned dev; char spec[64]; } dfault[MAX_DEV_FAULTS];   /* --fault N:F */
	unsigned ndfault;
	struct bf_sim_run_bmc bmc;
};

static int rm_rf(const char *dir)
{
	pid_t p = fork();
	int st;

	if (p == 0) {
		execlp("rm", "rm", "-rf", "--", dir, (char *)NULL);
		_exit(127);
	}
	return p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* "usb,pci" -> a bit per entry of transports[]. 0 or -EINVAL. */
static int parse_transports(const char *list, unsigned *mask)
{
	char buf[64], *save = NULL, *tok;
	size_t i;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < N_TRANSPORTS && strcmp(tok, transports[i]->name); i++)
			;
		if (i == N_TRANSPORTS)
			return -EINVAL;
		*mask |= 1u << i;
	}
	return *mask ? 0 : -EINVAL;
}

enum { OPT_CHIP = BF_OPT_FIRST_CMD, OPT_STATE, OPT_SPEED, OPT_LINK, OPT_DRAIN, OPT_FAULT,
       OPT_TRANSPORT, OPT_NET, OPT_DEVICES, OPT_SOCKET, OPT_NET_SOCKET, OPT_DPU_OS, OPT_NIC_LFWP };

/* --fault N:F: fault F on device N only (checked now, applied as the
 * device opens). */
static void dev_fault(struct run *rn, const char *arg)
{
	struct bf_sim_config scratch;
	unsigned long n;
	char *end;

	n = strtoul(arg, &end, 10);
	if (*end != ':' || n >= MAX_DEVICES)
		bf_cli_usage_error("--fault takes F or N:F, N a device from 0 to %u", MAX_DEVICES - 1);
	bf_sim_config_defaults(&scratch);
	if (bf_sim_config_add_fault(&scratch, end + 1) < 0)
		bf_cli_usage_error("%s", bf_error_get());
	if (rn->ndfault == MAX_DEV_FAULTS || strlen(end + 1) >= sizeof(rn->dfault[0].spec))
		bf_cli_usage_error("too many --fault N:F (at most %u)", MAX_DEV_FAULTS);
	rn->dfault[rn->ndfault].dev = (unsigned)n;
	snprintf(rn->dfault[rn->ndfault++].spec, sizeof(rn->dfault[0].spec), "%s", end + 1);
}

/* After the options: every N of --fault N:F names a device served. */
static void dev_faults_check(const struct run *rn)
{
	unsigned k;

	for (k = 0; k < rn->ndfault; k++)
		if (rn->dfault[k].dev >= rn->ndev)
			bf_cli_usage_error("--fault %u:%s names device %u, but only %u %s served (--devices)",
					   rn->dfault[k].dev, rn->dfault[k].spec, rn->dfault[k].dev, rn->ndev,
					   rn->ndev == 1 ? "is" : "are");
}

/* The options run and serve share. true when opt was one of them. */
static bool device_option(struct run *rn, int opt, const char *arg)
{
	char *end;

	switch (opt) {
	case OPT_CHIP:
		rn->cfg.chip = bf_chip_by_name(arg);
		if (!rn->cfg.chip || rn->cfg.chip->ver == BF_CHIP_BF1)
			bf_cli_usage_error("--chip takes bf2 or bf3");
		return true;
	case OPT_STATE:
		if (strlen(arg) >= sizeof(rn->state) - 8)
			bf_cli_usage_error("--state path too long");
		snprintf(rn->state, sizeof(rn->state), "%s", arg);
		return true;
	case OPT_SPEED:
		rn->cfg.speed = strtod(arg, &end);
		if (*end || !(rn->cfg.speed > 0) || rn->cfg.speed > 1e6)
			bf_cli_usage_error("--speed takes a number in (0, 1e6]");
		return true;
	case OPT_LINK:
	case OPT_DRAIN: {
		unsigned long long v = strtoull(arg, &end, 10);

		if (*end || !v || *arg == '-')
			bf_cli_usage_error("%s takes bytes per second", opt == OPT_LINK ? "--link-bps" : "--drain-bps");
		*(opt == OPT_LINK ? &rn->cfg.link_bps : &rn->cfg.drain_bps) = v;
		return true;
	}
	case OPT_NIC_LFWP:
		if (strcmp(arg, "yes") && strcmp(arg, "no"))
			bf_cli_usage_error("--nic-lfwp takes yes or no");
		rn->cfg.nic_lfwp = !strcmp(arg, "yes");
		return true;
	case OPT_FAULT:
		if (bf_sim_run_bmc_option(&rn->bmc, BF_SIM_OPT_FAULT_BMC, arg))
			return true;
		if (*arg >= '0' && *arg <= '9')
			dev_fault(rn, arg);
		else if (bf_sim_config_add_fault(&rn->cfg, arg) < 0)
			bf_cli_usage_error("%s", bf_error_get());
		return true;
	case OPT_DEVICES: {
		unsigned long v = strtoul(arg, &end, 10);

		if (*end || *arg < '1' || *arg > '9' || v < 1 || v > MAX_DEVICES)
			bf_cli_usage_error("--devices takes a number from 1 to %u", MAX_DEVICES);
		rn->ndev = (unsigned)v;
		return true;
	}
	default:
		return bf_sim_run_bmc_option(&rn->bmc, opt, arg);
	}
}

#define DEVICE_LONGOPTS \
	{ "chip", required_argument, NULL, OPT_CHIP }, \
	{ "state", required_argument, NULL, OPT_STATE }, \
	{ "speed", required_argument, NULL, OPT_SPEED }, \
	{ "link-bps", required_argument, NULL, OPT_LINK }, \
	{ "drain-bps", required_argument, NULL, OPT_DRAIN }, \
	{ "fault", required_argument, NULL, OPT_FAULT }, \
	{ "nic-lfwp", required_argument, NULL, OPT_NIC_LFWP }, \
	{ "devices", required_argument, NULL, OPT_DEVICES }, \
	BF_SIM_BMC_LONGOPTS

/* Power on the devices: device i keeps its state in the state directory
 * itself (one device) or in its subdirectory i. */
static int devices_open(struct run *rn)
{
	unsigned i;
	int r;

	rn->devs = calloc(rn->ndev, sizeof(*rn->devs));
	if (!rn->devs)
		return -ENOMEM;
	if (rn->ndev > 1 && mkdir(rn->state, 0755) < 0 && errno != EEXIST)
		return bf_error_ret(errno, "cannot make %s: %s", rn->state, strerror(errno));
	for (i = 0; i < rn->ndev; i++) {
		struct bf_sim_config c = rn->cfg;
		struct bf_sim_host *h = &rn->devs[i];
		unsigned k;

		pthread_mutex_init(&h->lock, NULL);
		h->index = i;
		if (rn->ndev == 1)
			snprintf(c.state_dir, sizeof(c.state_dir), "%s", rn->state);
		else
			snprintf(c.state_dir, sizeof(c.state_dir), "%s/%u", rn->state, i);
		for (k = 0; k < rn->ndfault; k++)
			if (rn->dfault[k].dev == i)
				bf_sim_config_add_fault(&c, rn->dfault[k].spec);   /* checked when given */
		snprintf(h->dir, sizeof(h->dir), "%s/dev%u", rn->scratch, i);
		if (mkdir(h->dir, 0700) < 0)
			return bf_error_ret(errno, "cannot make %s: %s", h->dir, strerror(errno));
		if ((r = bf_sim_open(&c, &h->sim)) < 0)
			return bf_error_get() ? r : bf_error_ret(-r, "cannot start simulated device %u: %s", i,
								  strerror(-r));
	}
	return 0;
}

static void devices_close(struct run *rn)
{
	unsigned i;

	for (i = 0; rn->devs && i < rn->ndev; i++) {
		struct bf_sim_host *h = &rn->devs[i];

		pthread_mutex_lock(&h->lock);
		bf_sim_close(h->sim);
		h->sim = NULL;
		pthread_mutex_unlock(&h->lock);
	}
	free(rn->devs);
	rn->devs = NULL;
}

static int transports_start(struct run *rn)
{
	char run[PATH_MAX];
	size_t i;
	int r;

	for (i = 0; i < N_TRANSPORTS; i++)
		if ((rn->tmask & (1u << i)) && (r = transports[i]->start(rn->devs, rn->ndev, &rn->tctx[i])) < 0)
			return r;
	/* The devices COMMAND sees are this run's: their owner locks too
	 * (another run's usb:1-4 is another device). */
	snprintf(run, sizeof(run), "%s/run", rn->scratch);
	if (mkdir(run, 0755) < 0)
		return bf_error_ret(errno, "cannot make %s: %s", run, strerror(errno));
	setenv("BFCTL_RUNDIR", run, 1);
	return 0;
}

static void transports_stop(struct run *rn)
{
	size_t i;

	for (i = N_TRANSPORTS; i-- > 0;)
		if (rn->tctx[i] && transports[i]->stop) {
			transports[i]->stop(rn->tctx[i]);
			rn->tctx[i] = NULL;
		}
}

/* Everything COMMAND (or a serve client) needs, in this process. */
/* --net-socket PATH: a unix socket the DPU's end of tmfifo_net listens on,
 * for QEMU's `-netdev stream,addr.type=unix,addr.path=PATH` (a VM as the
 * DPU's OS: its virtio-net frames cross the simulated TM FIFO). */
static int net_socket_listen(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[32];
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return bf_error_ret(ENAMETOOLONG, "--net-socket %s: path too long", path);
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return bf_error_ret(e, "--net-socket %s: %s", path, strerror(e));
	}
	snprintf(buf, sizeof(buf), "%d", fd);
	setenv("BFSIM_NET_LISTEN", buf, 1);
	bf_info("the DPU's tmfifo_net0 waits for a QEMU stream netdev on %s", path);
	return 0;
}

static int run_start(struct run *rn, const char *sock)
{
	struct bf_sim_serve_opts so = { .transport = rn->tmask ? rn->tlist : NULL };
	int r;

	snprintf(rn->scratch, sizeof(rn->scratch), "/tmp/bfsim-run.XXXXXX");
	if (!mkdtemp(rn->scratch)) {
		rn->scratch[0] = '\0';
		return bf_error_ret(errno, "cannot make a scratch directory: %s", strerror(errno));
	}
	if (!rn->state[0]) {
		snprintf(rn->state, sizeof(rn->state), "%s/state", rn->scratch);
		rn->tmp_state = true;
	}
	/* Before the devices open: the simulator picks up $BFSIM_NET_FD. */
	if (rn->net_socket && (r = net_socket_listen(rn->net_socket)) < 0)
		return r;
	if (rn->net && (r = bf_sim_netns_start(&rn->netns)) < 0)
		return bf_error_get() ? r : bf_error_ret(-r, "cannot make the tmfifo network");
	if ((r = devices_open(rn)) < 0)
		return r;
	if ((r = bf_sim_run_bmc_start(&rn->bmc, rn->devs, rn->ndev, rn->scratch)) < 0)
		return r;
	snprintf(rn->sock, sizeof(rn->sock), "%s", sock ? sock : "");
	if (!sock)
		snprintf(rn->sock, sizeof(rn->sock), "%s/sock", rn->scratch);
	if ((r = bf_sim_serve_start(rn->devs, rn->ndev, &so, rn->sock, &rn->srv)) < 0)
		return r;
	if (rn->tmask && (r = transports_start(rn)) < 0)
		return r;
	setenv(BF_SIMPROTO_ENV, rn->sock, 1);
	setenv("BFSIM_STATE", rn->state, 1);
	return 0;
}

static void run_stop(struct run *rn)
{
	transports_stop(rn);
	bf_sim_serve_stop(rn->srv);
	bf_sim_run_bmc_stop(&rn->bmc);
	rn->srv = NULL;
	devices_close(rn);
	if (rn->net)
		bf_sim_netns_stop(&rn->netns);
	if (rn->scratch[0])
		rm_rf(rn->scratch);
}

/* COMMAND and what it leaves. ---------------------------------------------- */


static volatile sig_atomic_t child, plug_req;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

/* SIGUSR1: every device unplugged from the host; SIGUSR2: back. */
static void plug_signal(int sig)
{
	plug_req = sig == SIGUSR1 ? 1 : 2;
}

static void plug_apply(const struct run *rn)
{
	bool plugged = plug_req == 2;
	unsigned i;

	plug_req = 0;
	for (i = 0; i < rn->ndev; i++) {
		pthread_mutex_lock(&rn->devs[i].lock);
		bf_sim_set_plugged(rn->devs[i].sim, plugged);
		pthread_mutex_unlock(&rn->devs[i].lock);
		bf_info("bfsim: device %u %s", i, plugged ? "plugged back" : "unplugged (SIGUSR1; SIGUSR2 brings it back)");
	}
}

/* The children of this process now (COMMAND's orphans come to it: it is
 * their subreaper), except skip. */
static size_t children(pid_t skip, pid_t *out, size_t cap)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < cap) {
		char path[300], buf[512], *p;
		long pid = strtol(e->d_name, &p, 10), ppid;
		FILE *f;

		if (*p || pid <= 0 || pid == skip || bf_sim_dpuos_is_ours((pid_t)pid))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if (!(f = fopen(path, "r")))
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && sscanf(p + 1, " %*c %ld", &ppid) == 1 && ppid == (long)getpid())
			out[n++] = (pid_t)pid;
	}
	closedir(d);
	return n;
}

static void comm_of(pid_t pid, char *out, size_t cap)
{
	char path[64];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	out[0] = '\0';
	if ((f = fopen(path, "r"))) {
		if (!fgets(out, (int)cap, f))
			out[0] = '\0';
		fclose(f);
	}
	for (i = 0; out[i]; i++)
		if (out[i] == '\n' || (unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = out[i] == '\n' ? '\0' : '?';
}

/* Processes COMMAND started and left running (a daemon): named, sent
 * SIGTERM, SIGKILL after LEFTOVER_WAIT_S, reaped. Returns how many. */
static size_t end_leftovers(pid_t skip)
{
	pid_t pids[64];
	size_t n = children(skip, pids, 64), i, alive;
	char name[64];
	int st, k;

	for (i = 0; i < n; i++) {
		comm_of(pids[i], name, sizeof(name));
		if (waitpid(pids[i], &st, WNOHANG) == pids[i]) {
			pids[i] = 0;   /* it had ended: a zombie */
			continue;
		}
		fprintf(stderr, "bfsim run: COMMAND left process %ld (%s) running: ending it\n", (long)pids[i],
			name[0] ? name : "?");
		kill(pids[i], SIGTERM);
	}
	for (k = 0; k < LEFTOVER_WAIT_S * 20; k++) {
		for (i = 0, alive = 0; i < n; i++)
			if (pids[i] > 0 && waitpid(pids[i], &st, WNOHANG) != pids[i])
				alive++;
			else
				pids[i] = 0;
		if (!alive)
			return n;
		nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
	}
	for (i = 0; i < n; i++)
		if (pids[i] > 0) {
			fprintf(stderr, "bfsim run: process %ld did not end on SIGTERM: killed\n", (long)pids[i]);
			kill(pids[i], SIGKILL);
			waitpid(pids[i], &st, 0);
		}
	return n;
}

/* In the child: COMMAND's namespaces, then exec. */
static void __attribute__((noreturn)) exec_command(const struct run *rn, char **argv)
{
	size_t i;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	/* A private mount namespace: transports mount the simulated devices'
	 * sysfs and device files here, seen only by COMMAND. */
	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
	else if (rn->tmask) {
		fprintf(stderr, "bfsim run: --transport needs a private mount namespace: %s\n", strerror(errno));
		_exit(127);
	} else
		bf_info("no private mount namespace (%s): running COMMAND in this one", strerror(errno));
	for (i = 0; i < N_TRANSPORTS; i++)
		if (rn->tctx[i] && transports[i]->enter && transports[i]->enter(rn->tctx[i]) < 0) {
			fprintf(stderr, "bfsim run: %s\n", bf_error_or("transport setup failed"));
			_exit(127);
		}
	if ((rn->net || rn->net_socket) && bf_sim_netns_enter() < 0) {
		fprintf(stderr, "bfsim run: %s\n", bf_error_get());
		_exit(127);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "bfsim run: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int run_command(const struct run *rn, char **argv)
{
	struct sigaction sa;
	int st = 0;
	pid_t p;

	/* COMMAND's orphans (a daemon it starts) become this process's
	 * children, so that they can be found when COMMAND ends. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* Installed before the fork, so that none is missed. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = plug_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	p = fork();
	if (p < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, -errno, NULL, "cannot start %s", argv[0]);
	if (p == 0)
		exec_command(rn, argv);
	child = p;
	/* Orphans that end while COMMAND runs (a daemon it stopped) are
	 * reaped here, as init would. */
	for (;;) {
		int s;
		pid_t w = waitpid(-1, &s, 0);

		if (w == p) {
			st = s;
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
		if (plug_req)
			plug_apply(rn);
	}
	child = 0;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int bf_sim_cmd_run(int argc, char **argv)
{
	static const struct option lo[] = {
		DEVICE_LONGOPTS,
		{ "transport", required_argument, NULL, OPT_TRANSPORT },
		{ "net", no_argument, NULL, OPT_NET },
		{ "net-socket", required_argument, NULL, OPT_NET_SOCKET },
		{ "dpu-os", required_argument, NULL, OPT_DPU_OS },
		BF_CLI_LONGOPTS, { 0 } };
	struct run *rn = calloc(1, sizeof(*rn));
	int opt, st;

	if (!rn)
		return bf_cli_fail(BF_EXIT_FAILURE, -ENOMEM, NULL, "out of memory");
	bf_sim_config_defaults(&rn->cfg);
	rn->ndev = 1;
	rn->netns = (struct bf_sim_netns){ .holder = -1, .sock = -1, .tapfd = -1 };
	while ((opt = getopt_long(argc, argv, "+" BF_CLI_SHORTOPTS, lo, NULL)) != -1) {
		if (device_option(rn, opt, optarg))
			continue;
		if (opt == OPT_TRANSPORT) {
			if (parse_transports(optarg, &rn->tmask) < 0)
				bf_cli_usage_error("--transport takes usb, pci or usb,pci");
			rn->tlist = optarg;
		} else if (opt == OPT_NET) {
			rn->net = true;
		} else if (opt == OPT_NET_SOCKET) {
			rn->net_socket = optarg;
		} else if (opt == OPT_DPU_OS) {
			setenv("BFSIM_DPU_OS_CMD", optarg, 1);
		} else {
			bf_cli_common(opt, run_usage);
		}
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		bf_cli_usage_error("run needs -- COMMAND");
	if ((rn->net || rn->net_socket) && rn->ndev > 1)
		bf_cli_usage_error("--net connects one device: use it without --devices");
	if (rn->net && rn->net_socket)
		bf_cli_usage_error("--net and --net-socket are two DPU ends of one tmfifo_net: give one");
	dev_faults_check(rn);
	bf_sim_run_bmc_ready(&rn->bmc);
	if (run_start(rn, NULL) < 0) {
		st = bf_cli_fail(BF_EXIT_FAILURE, -EIO, NULL, "cannot serve the simulated device");
		run_stop(rn);
		free(rn);
		return st;
	}
	st = run_command(rn, argv + optind);
	/* A process still holding a USB/PCI device sees it unplugged first
	 * (the transports give it a moment to let go); then whatever COMMAND
	 * left running is ended. */
	transports_stop(rn);
	end_leftovers(rn->net ? rn->netns.holder : 0);
	run_stop(rn);
	free(rn);
	return st;
}

/* bfsim serve. ------------------------------------------------------------ */

int bf_sim_cmd_serve(int argc, char **argv)
{
	static const struct option lo[] = {
		DEVICE_LONGOPTS,
		{ "socket", required_argument, NULL, OPT_SOCKET },
		BF_CLI_LONGOPTS, { 0 } };
	struct run *rn = calloc(1, sizeof(*rn));
	const char *sock = NULL;
	sigset_t set;
	int opt, sig = 0;

	if (!rn)
		return bf_cli_fail(BF_EXIT_FAILURE, -ENOMEM, NULL, "out of memory");
	bf_sim_config_defaults(&rn->cfg);
	rn->ndev = 1;
	while ((opt = getopt_long(argc, argv, BF_CLI_SHORTOPTS, lo, NULL)) != -1) {
		if (device_option(rn, opt, optarg))
			continue;
		if (opt == OPT_SOCKET)
			sock = optarg;
		else
			bf_cli_common(opt, serve_usage);
	}
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!rn->state[0])
		bf_cli_usage_error("serve needs --state DIR (the devices outlive it there)");
	dev_faults_check(rn);
	bf_sim_run_bmc_ready(&rn->bmc);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* Blocked before the threads start: only sigwait below sees them. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (run_start(rn, sock) < 0) {
		opt = bf_cli_fail(BF_EXIT_FAILURE, -EIO, NULL, "cannot serve the simulated devices");
		run_stop(rn);
		free(rn);
		return opt;
	}
	printf("%s=%s\n", BF_SIMPROTO_ENV, rn->sock);
	if (rn->bmc.cacert[0])
		printf("BFSIM_BMC_CACERT=%s\n", rn->bmc.cacert);
	fflush(stdout);
	bf_info("serving %u simulated device%s on %s", rn->ndev, rn->ndev > 1 ? "s" : "", rn->sock);
	sigwait(&set, &sig);
	bf_info("signal %d: saving the devices and stopping", sig);
	run_stop(rn);
	free(rn);
	return 0;
}
