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
	"DIR/rshimN/{boot,console,rshim,misc} (FUSE; DIR is /dev by default) and\n"
	"the tmfifo_netN network interface, like the upstream rshim daemon.\n"
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
	"      --pid-file F   write the daemon's pid to F\n"
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

struct devspec {
	char name[64];
	int index;
};

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

/* No device named: those the backends in mask (0: all) have that are not ours
 * yet (nor ignored) are added, each at the first free index. */
static void discover_new(struct devspec *spec, int *nspec, bool *used, unsigned mask,
			 const struct bf_rshimd_conf *conf)
{
	static char found[BF_RSHIMD_MAX_DEVS][BF_RSHIMD_NAME_MAX];
	static bool full_said;
	int n = bf_rshimd_discover(mask ? mask : BF_RSHIMD_BK_ALL, found, BF_RSHIMD_MAX_DEVS), i, j, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < *nspec && strcmp(spec[k].name, found[i]); k++)
			;
		if (k < *nspec || ignored(conf, found[i]))
			continue;
		for (j = 0; j < BF_RSHIMD_MAX_DEVS && used[j]; j++)
			;
		if (*nspec >= BF_RSHIMD_MAX_DEVS || j >= BF_RSHIMD_MAX_DEVS) {
			if (!full_said)
				bf_warn("%s found, but rshimd already has %d devices: not taken", found[i],
					BF_RSHIMD_MAX_DEVS);
			full_said = true;
			continue;
		}
		snprintf(spec[*nspec].name, sizeof(spec[0].name), "%.*s", (int)sizeof(spec[0].name) - 1, found[i]);
		spec[*nspec].index = j;
		used[j] = true;
		(*nspec)++;
		bf_log(BF_LOG_INFO, "rshim%d: found %s", j, found[i]);
	}
}

/* A device's files and I/O up. 0 or -errno (the sentence in bf_error_get). */
static int attach(struct bf_rshimd_dev *d, const struct devspec *sp, const struct bf_rshimd_conf *conf,
		  bool net, bool force, const char *root)
{
	char note[PATH_MAX + 64];
	int ret;

	bf_error_clear();
	ret = bf_rshimd_dev_start(d, sp->name, (unsigned)sp->index, conf, net, force);
	if (ret < 0)
		return ret;
	if ((ret = bf_rshimd_fuse_start(d, root)) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", bf_error_get() ? bf_error_get() : strerror(-ret));
		bf_rshimd_dev_stop(d);
		return bf_error_ret(-ret, "%s", why);
	}
	snprintf(note, sizeof(note), "rshimd as %s", d->mnt);
	bf_rshim_lock_note(d->hw, note);
	return 0;
}

/* -F / FORCE_MODE: one request per device, once it is attached (after
 * the start-up, so that what follows is in the log). */
static void force_once(struct bf_rshimd_dev *d, bool *left)
{
	if (!*left)
		return;
	*left = false;
	if (bf_rshimd_dev_force(d) < 0)
		bf_log(BF_LOG_INFO, "rshim%u skipping Force command (already attached)", d->index);
}

static void detach(struct bf_rshimd_dev *d)
{
	bf_rshimd_fuse_stop(d);
	bf_rshimd_dev_stop(d);
}

static bool missing(int err)
{
	return err == -ENODEV || err == -ENOENT;
}

static int log_level_of(int l)
{
	return l <= 0 ? BF_LOG_ERROR : l == 1 ? BF_LOG_WARN : l == 2 ? BF_LOG_INFO : BF_LOG_DEBUG;
}

int main(int argc, char **argv)
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
	static struct bf_rshimd_dev devs[BF_RSHIMD_MAX_DEVS];
	static struct bf_rshimd_conf conf;
	struct devspec spec[BF_RSHIMD_MAX_DEVS];
	const char *root = DEFAULT_ROOT, *conf_path = DEFAULT_CONF, *pidfile = NULL, *logfile = NULL;
	bool fg = false, net = true, used[BF_RSHIMD_MAX_DEVS] = { false }, up[BF_RSHIMD_MAX_DEVS] = { false };
	bool force = false, force_left[BF_RSHIMD_MAX_DEVS], scan = false;
	unsigned backends = 0;
	int scan_fd = -1;
	time_t owned_until[BF_RSHIMD_MAX_DEVS] = { 0 };   /* driven by another backend: next check */
	int nspec = 0, index = -1, level = 2, opt, ret = 0, i, sig, ready[2] = { -1, -1 };
	size_t k;
	sigset_t set;
	char *end;

	while ((opt = getopt_long(argc, argv, "d:i:fnl:vhFb:c", lo, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (nspec >= BF_RSHIMD_MAX_DEVS)
				usage_error("too many devices", NULL);
			normalize(optarg, spec[nspec].name, sizeof(spec[0].name));
			spec[nspec++].index = -1;
			break;
		case 'i':
			index = (int)strtol(optarg, &end, 10);
			if (*end || index < 0 || index >= BF_RSHIMD_MAX_DEVS)
				usage_error("-i takes 0 to 63, not", optarg);
			break;
		case 'f': fg = true; break;
		case 'n': net = false; break;
		case 'l':
			level = (int)strtol(optarg, &end, 10);
			if (*end || level < 0 || level > 4)
				usage_error("-l takes 0 to 4, not", optarg);
			break;
		case 'R': root = optarg; break;
		case 'C': conf_path = optarg; break;
		case 'P': pidfile = optarg; break;
		case 'L': logfile = optarg; break;
		case 'V': level = 4; break;
		case 'v':
			printf("rshimd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'F': force = true; break;
		case 'b':
			if (bf_rshimd_backend_parse(optarg, &backends) < 0)
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
	if (index >= 0 && nspec != 1)
		usage_error("-i goes with exactly one -d", NULL);
	if (backends && nspec)
		usage_error("-b looks for devices on a backend: it does not go with -d", NULL);
	bf_log_set_prog("rshimd");
	bf_log_set_level(log_level_of(level));
	bf_rshimd_conf_defaults(&conf);
	if (bf_rshimd_conf_load(&conf, conf_path) < 0) {
		fprintf(stderr, "rshimd: %s\n", bf_error_get());
		return 1;
	}
	/* One ownership request per device, at its first attach. */
	force = force || conf.force_mode;
	for (i = 0; i < BF_RSHIMD_MAX_DEVS; i++)
		force_left[i] = force;
	if (nspec == 0) {
		for (k = 0; k < conf.nmap; k++) {
			normalize(conf.map[k].dev, spec[nspec].name, sizeof(spec[0].name));
			spec[nspec++].index = (int)conf.map[k].index;
		}
		/* As upstream: no device named, every one the backends have
		 * (the rshim<N> lines pin indexes, and are waited for). */
		if (nspec == 0 && !backends && getenv("BFCTL_RSHIM") && *getenv("BFCTL_RSHIM")) {
			normalize(getenv("BFCTL_RSHIM"), spec[0].name, sizeof(spec[0].name));
			spec[nspec++].index = -1;
		} else {
			scan = true;
		}
	}
	/* Indexes: -i, then the config's pins, then the first free. */
	if (index >= 0)
		spec[0].index = index;
	for (i = 0; i < nspec; i++) {
		char n2[64];

		if (ignored(&conf, spec[i].name)) {
			spec[i].name[0] = '\0';
			continue;
		}
		for (k = 0; spec[i].index < 0 && k < conf.nmap; k++) {
			normalize(conf.map[k].dev, n2, sizeof(n2));
			if (!strcmp(n2, spec[i].name))
				spec[i].index = (int)conf.map[k].index;
		}
		if (spec[i].index >= 0) {
			if (used[spec[i].index])
				usage_error("two devices with the same index", spec[i].name);
			used[spec[i].index] = true;
		}
	}
	for (i = 0; i < nspec; i++) {
		int j;

		if (spec[i].index >= 0)
			continue;
		for (j = 0; used[j]; j++)
			;
		spec[i].index = j;
		used[j] = true;
	}

	if (!fg) {
		/* The parent returns once the files are there (or says why not):
		 * until then only warnings and errors, on the caller's stderr. */
		pid_t pid;

		if (pipe(ready) < 0) {
			perror("rshimd: pipe");
			return 1;
		}
		pid = fork();
		if (pid < 0) {
			perror("rshimd: fork");
			return 1;
		}
		if (pid > 0) {
			char c = 1;

			close(ready[1]);
			if (read(ready[0], &c, 1) != 1)
				c = 1;
			return c;
		}
		close(ready[0]);
		if (bf_log_get_level() > BF_LOG_WARN)
			bf_log_set_level(BF_LOG_WARN);
		setsid();
		if (chdir("/") < 0)
			bf_debug("chdir /: %s", strerror(errno));
		{
			int fd = open("/dev/null", O_RDWR);

			if (fd >= 0) {
				dup2(fd, STDIN_FILENO);
				dup2(fd, STDOUT_FILENO);
				if (fd > STDERR_FILENO)
					close(fd);
			}
		}
		/* Start-up errors still go to the caller's stderr (below). */
	}
	/* Signals are taken by this thread only (sigwait below). */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (scan && (ret = scan_lock(&scan_fd)) < 0)
		bf_log(BF_LOG_ERROR, "%s", bf_error_get() ? bf_error_get() : strerror(-ret));
	else if (scan)
		discover_new(spec, &nspec, used, backends, &conf);
	for (i = 0; i < nspec && ret == 0; i++) {
		if (!spec[i].name[0])
			continue;
		ret = attach(&devs[i], &spec[i], &conf, net, force_left[i], root);
		if (ret == 0) {
			up[i] = true;
		} else if (ret == -EEXIST) {
			/* Upstream leaves such a device alone until it is probed
			 * again (USB replug, daemon restart); here it is checked
			 * again every OWNED_RETRY_S, so it is taken once free. */
			bf_warn("%s; checked again every %d s", bf_error_get() ? bf_error_get() : strerror(-ret),
				OWNED_RETRY_S);
			owned_until[i] = time(NULL) + OWNED_RETRY_S;
			ret = 0;
		} else if (missing(ret)) {
			/* Devices come and go: looked for again every RETRY_S. */
			bf_warn("rshim%d: %s is not there: waiting for it (%s)", spec[i].index, spec[i].name,
				bf_error_get() ? bf_error_get() : strerror(-ret));
			ret = 0;
		} else {
			bf_log(BF_LOG_ERROR, "%s", bf_error_get() ? bf_error_get() : strerror(-ret));
		}
	}
	if (ret == 0 && pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
			bf_log(BF_LOG_ERROR, "cannot write %s: %s", pidfile, strerror(errno));
			ret = -EIO;
		}
	}
	if (!fg) {
		char c = ret == 0 ? 0 : ret == -EBUSY || ret == -ENODEV ? 4 : 1;

		if (write(ready[1], &c, 1) < 0)
			bf_debug("cannot report readiness: %s", strerror(errno));
		close(ready[1]);
		if (ret == 0) {
			int fd = logfile ? open(logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640) :
				 open("/dev/null", O_WRONLY | O_CLOEXEC);

			if (!logfile)
				bf_log_to_syslog("rshimd");
			else if (fd < 0)
				bf_warn("cannot open %s: %s (logging nowhere)", logfile, strerror(errno));
			bf_log_set_level(log_level_of(level));
			if (fd >= 0) {
				dup2(fd, STDERR_FILENO);
				close(fd);
			}
		}
	}
	if (ret == 0) {
		char list[BF_RSHIMD_MAX_DEVS * 80] = "";
		size_t o = 0;

		for (i = 0; i < nspec && o < sizeof(list); i++)
			if (spec[i].name[0])
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%srshim%d %s", o ? ", " : ": ",
						      spec[i].index, spec[i].name);
		bf_log(BF_LOG_INFO, "rshimd %s running (%d device%s%s)", PACKAGE_VERSION, nspec, nspec == 1 ? "" : "s",
		       list);
		if (scan && nspec == 0)
			bf_log(BF_LOG_INFO, "no RShim device%s%s yet: looking every %d s",
			       backends ? " on " : "", backends == BF_RSHIMD_BK_USB ? "USB" :
			       backends == BF_RSHIMD_BK_PCIE ? "PCIe" : backends ? "PCIe livefish" : "", RETRY_S);
		for (i = 0; i < nspec; i++)
			if (up[i])
				force_once(&devs[i], &force_left[i]);
		for (;;) {
			struct timespec ts = { RETRY_S, 0 };

			sig = sigtimedwait(&set, NULL, &ts);
			if (sig < 0) {
				/* Every RETRY_S: a device that went away loses its
				 * files until it is back; a missing one is tried;
				 * with no device named, new ones are taken. */
				if (scan)
					discover_new(spec, &nspec, used, backends, &conf);
				/* A DEV_NAME refresh moved a device to another name:
				 * that is the one to look for if it goes away. */
				for (i = 0; i < nspec; i++)
					if (up[i]) {
						pthread_mutex_lock(&devs[i].lock);
						snprintf(spec[i].name, sizeof(spec[i].name), "%s", devs[i].name);
						pthread_mutex_unlock(&devs[i].lock);
					}
				for (i = 0; i < nspec; i++) {
					if (up[i] && devs[i].gone && !bf_rshimd_dev_answers(&devs[i])) {
						bf_warn("rshim%d: %s is gone: its files are removed until it is back",
							spec[i].index, spec[i].name);
						detach(&devs[i]);
						up[i] = false;
					} else if (!up[i] && spec[i].name[0] && time(NULL) >= owned_until[i]) {
						int r = attach(&devs[i], &spec[i], &conf, net, force_left[i], root);

						if (r == 0) {
							up[i] = true;
							force_once(&devs[i], &force_left[i]);
							bf_log(BF_LOG_INFO, "rshim%d: %s is %s", spec[i].index, spec[i].name,
							       owned_until[i] ? "no longer driven by another backend: ours now" :
							       "back");
							owned_until[i] = 0;
						} else if (r == -EEXIST) {
							/* Said once (it was missing until now), then quietly. */
							bf_log(owned_until[i] ? BF_LOG_DEBUG : BF_LOG_WARN, "%s; checked again every %d s",
							       bf_error_get() ? bf_error_get() : strerror(-r), OWNED_RETRY_S);
							owned_until[i] = time(NULL) + OWNED_RETRY_S;
						} else if (!missing(r)) {
							bf_debug("rshim%d: %s", spec[i].index, bf_error_get() ? bf_error_get() : strerror(-r));
						}
					}
				}
				continue;
			}
			if (sig == SIGHUP) {
				bf_log(BF_LOG_INFO, "SIGHUP: nothing to reload (restart to apply %s)", conf_path);
				continue;
			}
			bf_log(BF_LOG_INFO, "signal %d: stopping", sig);
			break;
		}
	}
	bf_stop_request();   /* a boot push in progress gives up */
	for (i = nspec; i-- > 0;)
		if (up[i])
			detach(&devs[i]);
	if (pidfile && ret == 0)
		unlink(pidfile);
	return ret == 0 ? 0 : ret == -EBUSY || ret == -ENODEV ? 4 : 1;
}
