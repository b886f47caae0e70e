/* main.c - rshimd: command line, configuration, daemon life cycle. */
#include "config.h"
#include "rshimd.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONF "/etc/rshimd.conf"
#define DEFAULT_ROOT "/dev"
#define RETRY_S      2         /* missing or vanished devices are looked for again */
#define OWNED_RETRY_S 10       /* a device another backend drives: access check again */

static const char usage[] =
	"Usage: rshimd [-f] [-F] [-d DEV]... [-b BACKEND] [-i INDEX] [-n] [-l LEVEL] [--root DIR]\n"
	"              [--config FILE] [--pid-file FILE] [--log-file FILE] [--verbose]\n"
	"\n"
	"Owns BlueField RShim devices and provides, per device N, the files\n"
	"DIR/rshimN/{boot,console,rshim,misc} (FUSE; DIR is /dev by default and\n"
	"must exist; console is a terminal: screen DIR/rshim0/console) and the\n"
	"tmfifo_netN network interface, like the upstream rshim daemon.\n"
	"\n"
	"Options:\n"
	"  -d, --device DEV   a device to own: sim:0, pcie:0000:03:00.2, usb:1-3, or\n"
	"                     the upstream names sim-0, pcie-0000:03:00.2, usb-1-3;\n"
	"                     repeatable (default: $BFCTL_RSHIM, else every device\n"
	"                     the backends have, now and later, as upstream; the\n"
	"                     config's rshim<N> lines pin indexes, none<dev> skips)\n"
	"  -b, --backend B    with no -d: only devices on B (usb, pcie, pcie-lf)\n"
	"  -i, --index N      device index of a single -d device (rshimN)\n"
	"  -f, --foreground   stay in front and log to stderr (otherwise: a daemon\n"
	"                     logging to syslog)\n"
	"  -F, --force        ask whoever drives a device (another rshim daemon,\n"
	"                     the BMC) to hand it over (as FORCE_MODE 1)\n"
	"  -n, --nonet        no tmfifo_netN interface\n"
	"  -l, --log-level N  0 errors .. 4 debug (default 2)\n"
	"      --root DIR     where the rshimN directories go (default /dev)\n"
	"      --config FILE  configuration (default /etc/rshimd.conf)\n"
	"      --pid-file F   write the daemon's pid to F (removed however it ends)\n"
	"      --log-file F   a daemon logs to F (appended) instead of syslog\n"
	"      --verbose      debug output (as -l 4)\n"
	"  -v, --version      print the version\n"
	"  -h, --help         this help\n"
	"\n"
	"Exit status: 0 stopped by a signal, 1 failure, 2 usage, 4 device missing\n"
	"or held by another owner. See rshimd(8).\n";

static void usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "rshimd: %s%s%s\n%s", msg, arg ? " " : "", arg ? arg : "",
		"Try 'rshimd --help'.\n");
	exit(2);
}

/* "pcie-0000:03:00.2" (upstream DEV_NAME style) -> "pcie:0000:03:00.2". */
static void normalize(const char *in, char *out, size_t cap)
{
	static const char *const pre[] = { "pcie-lf-", "pcie-", "usb-", "sim-" };
	size_t i;

	if (!strncmp(in, "pcie-lf:", 8)) {   /* already ours: not "pcie" + "lf:..." */
		snprintf(out, cap, "%s", in);
		return;
	}
	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t n = strlen(pre[i]);

		if (!strncmp(in, pre[i], n)) {
			snprintf(out, cap, "%.*s:%s", (int)n - 1, in, in + n);
			return;
		}
	}
	snprintf(out, cap, "%s", in);
}

/* One device rshimd serves: which, at which index, and its state. */
struct slot {
	char name[64];               /* "" once ignored (a `none` line) */
	int index;                   /* rshim<index>; -1 until assigned */
	bool up;                     /* files and I/O running */
	bool force_left;             /* the ownership request of its first attach */
	time_t owned_until;          /* driven by another backend: checked again then */
	struct bf_rshimd_dev dev;
};

/* The daemon: its options, then the table of devices. */
struct daemon {
	const char *root, *conf_path, *pidfile, *logfile;
	int logfd;                  /* --log-file, opened before daemonising */
	bool fg, net, force, scan;
	unsigned backends;           /* -b: BF_RSHIMD_BK_* (0: all) */
	int index, level;            /* -i (-1: none), -l */
	struct bf_rshimd_conf conf;
	struct slot slot[BF_RSHIMD_MAX_DEVS];
	int nslot;
	bool used[BF_RSHIMD_MAX_DEVS];   /* indexes taken */
	int scan_fd;                 /* the every-device lock (scan) */
	int ready_fd;                /* the waiting parent's pipe (not -f), else -1 */
	sigset_t sigs;
};

/* A slot for name at index (-1: assigned later). */
static struct slot *slot_add(struct daemon *dm, const char *name, int index)
{
	struct slot *sl = &dm->slot[dm->nslot++];

	normalize(name, sl->name, sizeof(sl->name));
	sl->index = index;
	sl->force_left = dm->force;
	return sl;
}

/* A `none <dev>` line of the configuration names it. */
static bool ignored(const struct bf_rshimd_conf *conf, const char *name)
{
	char n2[64];
	size_t k;

	for (k = 0; k < conf->nignore; k++) {
		normalize(conf->ignore[k], n2, sizeof(n2));
		if (!strcmp(n2, name))
			return true;
	}
	return false;
}

/* One daemon that takes every device, as upstream's single instance
 * (other daemons name their devices with -d). */
static int scan_lock(int *fd)
{
	char who[128] = "?";
	int ret = bf_rshim_lock_take("rshimd", "rshimd-all", fd);
	const char *by = bf_error_get() ? strstr(bf_error_get(), "held by ") : NULL;

	if (ret == -EBUSY) {
		if (by)
			snprintf(who, sizeof(who), "%.*s", (int)strcspn(by + 8, ":"), by + 8);
		return bf_error_ret(EBUSY, "another rshimd that takes every device is already running (%s); "
				    "name devices with -d to run more than one daemon", who);
	}
	if (ret < 0)
		return ret;
	bf_rshim_lock_write_note(*fd, "rshimd for every device");
	return 0;
}

/* No device named: those the backends in dm->backends (0: all) have
 * that are not ours yet (nor ignored) get a slot, each at the first free
 * index. */
static void discover_new(struct daemon *dm)
{
	static char found[BF_RSHIMD_MAX_DEVS][BF_RSHIMD_NAME_MAX];
	static bool full_said;
	int n = bf_rshimd_discover(dm->backends ? dm->backends : BF_RSHIMD_BK_ALL, found, BF_RSHIMD_MAX_DEVS);
	int i, j, k;

	for (i = 0; i < n; i++) {
		struct slot *sl;

		for (k = 0; k < dm->nslot && strcmp(dm->slot[k].name, found[i]); k++)
			;
		if (k < dm->nslot || ignored(&dm->conf, found[i]))
			continue;
		for (j = 0; j < BF_RSHIMD_MAX_DEVS && dm->used[j]; j++)
			;
		if (dm->nslot >= BF_RSHIMD_MAX_DEVS || j >= BF_RSHIMD_MAX_DEVS) {
			if (!full_said)
				bf_warn("%s found, but rshimd already has %d devices: not taken", found[i],
					BF_RSHIMD_MAX_DEVS);
			full_said = true;
			continue;
		}
		sl = &dm->slot[dm->nslot++];
		snprintf(sl->name, sizeof(sl->name), "%.*s", (int)sizeof(sl->name) - 1, found[i]);
		sl->index = j;
		sl->force_left = dm->force;
		dm->used[j] = true;
		bf_log(BF_LOG_INFO, "rshim%d: found %s", j, found[i]);
	}
}

/* A device's files and I/O up. 0 or -errno (the sentence in bf_error_get). */
static int attach(struct daemon *dm, struct slot *sl)
{
	struct bf_rshimd_dev *d = &sl->dev;
	char note[PATH_MAX + 64];
	int ret;

	bf_error_clear();
	ret = bf_rshimd_dev_start(d, sl->name, (unsigned)sl->index, &dm->conf, dm->net, sl->force_left);
	if (ret < 0)
		return ret;
	if ((ret = bf_rshimd_fuse_start(d, dm->root)) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", bf_error_str(ret));
		bf_rshimd_dev_stop(d);
		return bf_error_ret(-ret, "%s", why);
	}
	snprintf(note, sizeof(note), "rshimd as %s", d->mnt);
	bf_rshim_lock_note(d->hw, note);
	return 0;
}

/* -F / FORCE_MODE: one request per device, once it is attached (after
 * the start-up, so that what follows is in the log). */
static void force_once(struct slot *sl)
{
	if (!sl->force_left)
		return;
	sl->force_left = false;
	if (bf_rshimd_dev_force(&sl->dev) < 0)
		bf_log(BF_LOG_INFO, "rshim%u skipping Force command (already attached)", sl->dev.index);
}

static void detach(struct slot *sl)
{
	bf_rshimd_fuse_stop(&sl->dev);
	bf_rshimd_dev_stop(&sl->dev);
	sl->up = false;
}

static bool missing(int err)
{
	return err == -ENODEV || err == -ENOENT;
}

static int log_level_of(int l)
{
	return l <= 0 ? BF_LOG_ERROR : l == 1 ? BF_LOG_WARN : l == 2 ? BF_LOG_INFO : BF_LOG_DEBUG;
}

/* A start-up failure as the exit status. */
static int exit_code(int ret)
{
	return ret == 0 ? BF_EXIT_OK : ret == -EBUSY || ret == -ENODEV ? BF_EXIT_DEVICE : BF_EXIT_FAILURE;
}

static const char *why(int ret)
{
	return bf_error_str(ret);
}

/* ---- parse: the command line into dm (usage errors exit 2) ------------- */
static void parse(struct daemon *dm, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "index", required_argument, NULL, 'i' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "nonet", no_argument, NULL, 'n' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "root", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'C' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "log-file", required_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'V' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "force", no_argument, NULL, 'F' },
		{ "backend", required_argument, NULL, 'b' },
		{ 0 } };
	struct stat st;
	char *end;
	int opt;

	dm->root = DEFAULT_ROOT;
	dm->conf_path = DEFAULT_CONF;
	dm->net = true;
	dm->index = -1;
	dm->level = 2;
	dm->scan_fd = dm->ready_fd = -1;
	while ((opt = getopt_long(argc, argv, "d:i:fnl:vhFb:c", lo, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (dm->nslot >= BF_RSHIMD_MAX_DEVS)
				usage_error("too many devices", NULL);
			slot_add(dm, optarg, -1);
			break;
		case 'i':
			dm->index = (int)strtol(optarg, &end, 10);
			if (*end || dm->index < 0 || dm->index >= BF_RSHIMD_MAX_DEVS)
				usage_error("-i takes 0 to 63, not", optarg);
			break;
		case 'f': dm->fg = true; break;
		case 'n': dm->net = false; break;
		case 'l':
			dm->level = (int)strtol(optarg, &end, 10);
			if (*end || dm->level < 0 || dm->level > 4)
				usage_error("-l takes 0 to 4, not", optarg);
			break;
		case 'R': dm->root = optarg; break;
		case 'C': dm->conf_path = optarg; break;
		case 'P': dm->pidfile = optarg; break;
		case 'L': dm->logfile = optarg; break;
		case 'V': dm->level = 4; break;
		case 'v':
			printf("rshimd %s\n", PACKAGE_VERSION);
			exit(BF_EXIT_OK);
		case 'h':
			fputs(usage, stdout);
			exit(BF_EXIT_OK);
		case 'F': dm->force = true; break;
		case 'b':
			if (bf_rshimd_backend_parse(optarg, &dm->backends) < 0)
				usage_error("-b takes usb, pcie or pcie-lf", optarg);
			break;
		case 'c':
			usage_error("-c (command mode) is not supported: use 'bfctl reg' instead", NULL);
			break;
		default:
			usage_error("bad option", NULL);
		}
	}
	if (optind != argc)
		usage_error("unexpected argument", argv[optind]);
	if (dm->index >= 0 && dm->nslot != 1)
		usage_error("-i goes with exactly one -d", NULL);
	if (dm->backends && dm->nslot)
		usage_error("-b looks for devices on a backend: it does not go with -d", NULL);
	/* The rshim<N> directories go in it; it is not made. */
	if (stat(dm->root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "rshimd: --root %s: %s: give an existing directory (rshimd makes rshim<N> in it)\n",
			dm->root, stat(dm->root, &st) < 0 ? strerror(errno) : "not a directory");
		exit(BF_EXIT_USAGE);
	}
}

/* ---- configure: the config file, and the devices when none is named ---- */
static int configure(struct daemon *dm)
{
	size_t k;
	int i;

	bf_rshimd_conf_defaults(&dm->conf);
	if (bf_rshimd_conf_load(&dm->conf, dm->conf_path) < 0)
		return -EINVAL;
	/* The log file now, while an error still reaches the caller; a root
	 * daemon never appends through a symbolic link. */
	if (dm->logfile) {
		dm->logfd = open(dm->logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
		if (dm->logfd < 0)
			return bf_error_ret(errno, "cannot open the log file %s: %s", dm->logfile,
					    errno == ELOOP ? "it is a symbolic link, which rshimd does not follow"
							   : strerror(errno));
	}
	/* One ownership request per device, at its first attach. */
	dm->force = dm->force || dm->conf.force_mode;
	for (i = 0; i < dm->nslot; i++)
		dm->slot[i].force_left = dm->force;
	if (dm->nslot)
		return 0;
	for (k = 0; k < dm->conf.nmap; k++)
		slot_add(dm, dm->conf.map[k].dev, (int)dm->conf.map[k].index);
	/* As upstream: no device named, every one the backends have (the
	 * rshim<N> lines pin indexes, and are waited for). */
	if (dm->nslot == 0 && !dm->backends && getenv("BFCTL_RSHIM") && *getenv("BFCTL_RSHIM"))
		slot_add(dm, getenv("BFCTL_RSHIM"), -1);
	else
		dm->scan = true;
	return 0;
}

/* ---- assign: indexes: -i, then the config's pins, then the first free - */
static void assign(struct daemon *dm)
{
	char n2[64];
	size_t k;
	int i, j;

	if (dm->index >= 0)
		dm->slot[0].index = dm->index;
	for (i = 0; i < dm->nslot; i++) {
		struct slot *sl = &dm->slot[i];

		if (ignored(&dm->conf, sl->name)) {
			sl->name[0] = '\0';
			continue;
		}
		for (k = 0; sl->index < 0 && k < dm->conf.nmap; k++) {
			normalize(dm->conf.map[k].dev, n2, sizeof(n2));
			if (!strcmp(n2, sl->name))
				sl->index = (int)dm->conf.map[k].index;
		}
		if (sl->index >= 0) {
			if (dm->used[sl->index])
				usage_error("two devices with the same index", sl->name);
			dm->used[sl->index] = true;
		}
	}
	for (i = 0; i < dm->nslot; i++) {
		if (dm->slot[i].index >= 0)
			continue;
		for (j = 0; dm->used[j]; j++)
			;
		dm->slot[i].index = j;
		dm->used[j] = true;
	}
}

/* ---- daemonise: the parent returns once the files are there (or says why
 * not); until then only warnings and errors, on the caller's stderr ---- */
static void daemonise(struct daemon *dm)
{
	int ready[2], fd;
	pid_t pid;

	if (dm->fg)
		return;
	if (pipe(ready) < 0) {
		perror("rshimd: pipe");
		exit(BF_EXIT_FAILURE);
	}
	pid = fork();
	if (pid < 0) {
		perror("rshimd: fork");
		exit(BF_EXIT_FAILURE);
	}
	if (pid > 0) {
		char c = BF_EXIT_FAILURE;

		close(ready[1]);
		if (read(ready[0], &c, 1) != 1)
			c = BF_EXIT_FAILURE;
		exit(c);
	}
	close(ready[0]);
	dm->ready_fd = ready[1];
	if (bf_log_get_level() > BF_LOG_WARN)
		bf_log_set_level(BF_LOG_WARN);
	setsid();
	if (chdir("/") < 0)
		bf_debug("chdir /: %s", strerror(errno));
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	/* Start-up errors still go to the caller's stderr (below). */
}

/* ---- start: signals, the devices, the pid file ------------------------ */
static int start(struct daemon *dm)
{
	int ret = 0, i;

	/* Signals are taken by this thread only (sigwait in supervise). */
	sigemptyset(&dm->sigs);
	sigaddset(&dm->sigs, SIGINT);
	sigaddset(&dm->sigs, SIGTERM);
	sigaddset(&dm->sigs, SIGHUP);
	sigaddset(&dm->sigs, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &dm->sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (dm->scan && (ret = scan_lock(&dm->scan_fd)) < 0)
		bf_log(BF_LOG_ERROR, "%s", why(ret));
	else if (dm->scan)
		discover_new(dm);
	for (i = 0; i < dm->nslot && ret == 0; i++) {
		struct slot *sl = &dm->slot[i];

		if (!sl->name[0])
			continue;
		ret = attach(dm, sl);
		if (ret == 0) {
			sl->up = true;
		} else if (ret == -EEXIST) {
			/* Upstream leaves such a device alone until it is probed
			 * again (USB replug, daemon restart); here it is checked
			 * again every OWNED_RETRY_S, so it is taken once free. */
			bf_warn("%s; checked again every %d s", why(ret), OWNED_RETRY_S);
			sl->owned_until = time(NULL) + OWNED_RETRY_S;
			ret = 0;
		} else if (missing(ret)) {
			/* Devices come and go: looked for again every RETRY_S. */
			bf_warn("rshim%d: %s is not there: waiting for it (%s)", sl->index, sl->name, why(ret));
			ret = 0;
		} else {
			bf_log(BF_LOG_ERROR, "%s", why(ret));
		}
	}
	if (ret == 0 && dm->pidfile && (ret = bf_rshimd_pidfile_write(dm->pidfile)) < 0)
		bf_log(BF_LOG_ERROR, "%s", why(ret));
	return ret;
}

/* ---- ready: the waiting parent learns the outcome; a daemon logs to
 * syslog or --log-file from now on ---------------------------------------- */
static void ready(struct daemon *dm, int ret)
{
	char c = (char)exit_code(ret);
	int fd;

	if (dm->ready_fd < 0)
		return;
	if (write(dm->ready_fd, &c, 1) < 0)
		bf_debug("cannot report readiness: %s", strerror(errno));
	close(dm->ready_fd);
	dm->ready_fd = -1;
	if (ret < 0)
		return;
	fd = dm->logfile ? dm->logfd : open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!dm->logfile)
		bf_log_to_syslog("rshimd");
	bf_log_set_level(log_level_of(dm->level));
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

static void say_running(const struct daemon *dm)
{
	char list[BF_RSHIMD_MAX_DEVS * 80] = "";
	size_t o = 0;
	int i, n = dm->nslot;

	for (i = 0; i < n && o < sizeof(list); i++)
		if (dm->slot[i].name[0])
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%srshim%d %s", o ? ", " : ": ",
					      dm->slot[i].index, dm->slot[i].name);
	bf_log(BF_LOG_INFO, "rshimd %s running (%d device%s%s)", PACKAGE_VERSION, n, n == 1 ? "" : "s", list);
	if (dm->scan && n == 0)
		bf_log(BF_LOG_INFO, "no RShim device%s%s yet: looking every %d s",
		       dm->backends ? " on " : "", dm->backends == BF_RSHIMD_BK_USB ? "USB" :
		       dm->backends == BF_RSHIMD_BK_PCIE ? "PCIe" : dm->backends ? "PCIe livefish" : "", RETRY_S);
}

/* A slot not up, due: attach it again. */
static void retry(struct daemon *dm, struct slot *sl)
{
	int r = attach(dm, sl);

	if (r == 0) {
		sl->up = true;
		force_once(sl);
		bf_log(BF_LOG_INFO, "rshim%d: %s is %s", sl->index, sl->name,
		       sl->owned_until ? "no longer driven by another backend: ours now" : "back");
		sl->owned_until = 0;
	} else if (r == -EEXIST) {
		/* Said once (it was missing until now), then quietly. */
		bf_log(sl->owned_until ? BF_LOG_DEBUG : BF_LOG_WARN, "%s; checked again every %d s", why(r),
		       OWNED_RETRY_S);
		sl->owned_until = time(NULL) + OWNED_RETRY_S;
	} else if (!missing(r)) {
		bf_debug("rshim%d: %s", sl->index, why(r));
	}
}

/* Every RETRY_S: a device that went away loses its files until it is
 * back; a missing one is tried; with no device named, new ones are taken. */
static void tick(struct daemon *dm)
{
	int i;

	if (dm->scan)
		discover_new(dm);
	/* A DEV_NAME refresh moved a device to another name: that is the one
	 * to look for if it goes away. */
	for (i = 0; i < dm->nslot; i++)
		if (dm->slot[i].up) {
			pthread_mutex_lock(&dm->slot[i].dev.lock);
			snprintf(dm->slot[i].name, sizeof(dm->slot[i].name), "%s", dm->slot[i].dev.name);
			pthread_mutex_unlock(&dm->slot[i].dev.lock);
		}
	for (i = 0; i < dm->nslot; i++) {
		struct slot *sl = &dm->slot[i];

		if (sl->up && sl->dev.gone && !bf_rshimd_dev_answers(&sl->dev)) {
			bf_warn("rshim%d: %s is gone: its files are removed until it is back", sl->index, sl->name);
			detach(sl);
		} else if (!sl->up && sl->name[0] && time(NULL) >= sl->owned_until) {
			retry(dm, sl);
		}
	}
}

/* ---- supervise: until SIGINT or SIGTERM --------------------------------- */
static void supervise(struct daemon *dm)
{
	int i, sig;

	say_running(dm);
	for (i = 0; i < dm->nslot; i++)
		if (dm->slot[i].up)
			force_once(&dm->slot[i]);
	for (;;) {
		struct timespec ts = { RETRY_S, 0 };

		sig = sigtimedwait(&dm->sigs, NULL, &ts);
		if (sig < 0) {
			tick(dm);
			continue;
		}
		if (sig == SIGHUP) {
			bf_log(BF_LOG_INFO, "SIGHUP: nothing to reload (restart to apply %s)", dm->conf_path);
			continue;
		}
		bf_log(BF_LOG_INFO, "signal %d: stopping", sig);
		return;
	}
}

static void stop_all(struct daemon *dm)
{
	int i;

	bf_stop_request();   /* a boot push in progress gives up */
	for (i = dm->nslot; i-- > 0;)
		if (dm->slot[i].up)
			detach(&dm->slot[i]);
}

int main(int argc, char **argv)
{
	static struct daemon dm;
	int ret;

	parse(&dm, argc, argv);
	bf_log_set_prog("rshimd");
	bf_log_set_level(log_level_of(dm.level));
	if (configure(&dm) < 0) {
		fprintf(stderr, "rshimd: %s\n", bf_error_get());
		return BF_EXIT_FAILURE;
	}
	assign(&dm);
	if (dm.pidfile && bf_rshimd_pidfile_check(dm.pidfile) < 0) {
		fprintf(stderr, "rshimd: %s\n", bf_error_get());
		return BF_EXIT_FAILURE;
	}
	daemonise(&dm);
	ret = start(&dm);
	ready(&dm, ret);
	if (ret == 0)
		supervise(&dm);
	stop_all(&dm);
	bf_rshimd_pidfile_remove();
	return exit_code(ret);
}
