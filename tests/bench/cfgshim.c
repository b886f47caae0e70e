/* cfgshim.c - an LD_PRELOAD library for make bench: a whole, unmodified
 * program (mstflint, bfctl) reaches the simulated NIC's PCI config space
 * inside its own process, on the simulator's virtual clock.
 *
 * Through `bfsim run --transport pci` every config access is a FUSE round
 * trip, 15 to 30 us on a shared two-core machine: a 32 MiB burn takes tens
 * of millions of them, most of an hour for mstflint. On hardware a config
 * access is a PCIe configuration cycle of a microsecond or two. Here the program's
 * open of DEV's sysfs config file gets a descriptor whose pread/pwrite go
 * straight to the same model code (bf_sim_nic_cfg_read/write) that bfsim's
 * FUSE server calls, each access advancing the model's clock by
 * BFSIM_SHIM_ACCESS_NS, and the program's sleeps (nanosleep, usleep,
 * clock_nanosleep) and monotonic clock follow that clock. The program's
 * time is then the device's: accesses times their cost, plus the firmware's
 * modelled work the program waits for, plus the sleeps it chose.
 *
 * Environment: BFSIM_SHIM_DEV (the function, e.g. 0000:03:00.0; unset:
 * the library does nothing), BFSIM_SHIM_CHIP (bf2 or bf3, default bf3),
 * BFSIM_SHIM_ACCESS_NS (default 2000), BFSIM_SHIM_REPORT (a file to which
 * one line is appended at exit: "reads=N writes=N virtual_s=S"),
 * BFSIM_SHIM_STATE (a bfsim state directory: the device starts from it and
 * is saved back at exit, as `bfsim run --state` does; unset: each process
 * starts from a fresh device, factory firmware, nothing kept).
 * The device being the process's own, the locks mstflint takes around each
 * access on files in /tmp/mstflint_lockfiles (two flock calls per access,
 * most of its system time here) have nothing to guard: they succeed at
 * once. */
#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chip.h"
#include "nic.h"
#include "sim.h"

#define SHIM_API __attribute__((visibility("default")))
#define MAX_FDS 16

/* Recursive: the model may read the clock, which is ours, while it runs. */
static pthread_mutex_t mu = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct bf_sim *sim;
static struct bf_sim_nic *nic;
static char devsuffix[64];               /* "/DEV/config" */
static int fds[MAX_FDS], lockfds[MAX_FDS];
static unsigned nfds, nlockfds;
static unsigned long long nreads, nwrites;
static bool keep_state;                  /* BFSIM_SHIM_STATE given */
static double v0;                        /* the model's clock at start */
static struct timespec mono0, real0;     /* the real clocks at start */

static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static int (*real_clock_gettime)(clockid_t, struct timespec *);

static void *next_sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p) {
		fprintf(stderr, "cfgshim: no %s after this library\n", name);
		abort();
	}
	return p;
}

static void resolve_once(void)
{
	real_openat = next_sym("openat");
	real_close = next_sym("close");
	real_pread = next_sym("pread");
	real_pwrite = next_sym("pwrite");
	real_clock_gettime = next_sym("clock_gettime");
}

/* The libraries' constructors run before ours, and may call us. */
static void resolve(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, resolve_once);
}

__attribute__((constructor)) static void shim_init(void)
{
	const char *dev = getenv("BFSIM_SHIM_DEV"), *chip = getenv("BFSIM_SHIM_CHIP");
	const char *ns = getenv("BFSIM_SHIM_ACCESS_NS"), *st = getenv("BFSIM_SHIM_STATE");
	struct bf_sim_config cfg;

	resolve();
	if (!dev || !*dev || strlen(dev) > 32)
		return;
	unsetenv("LD_PRELOAD");   /* what the program runs gets the real bus */
	snprintf(devsuffix, sizeof(devsuffix), "/%s/config", dev);
	bf_sim_config_defaults(&cfg);
	cfg.chip = bf_chip_get(chip && !strcmp(chip, "bf2") ? BF_CHIP_BF2 : BF_CHIP_BF3);
	cfg.virtual_access_ns = ns && *ns ? strtoull(ns, NULL, 10) : 2000;
	if (!cfg.virtual_access_ns)
		cfg.virtual_access_ns = 1;
	if (st && snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", st) >= (int)sizeof(cfg.state_dir)) {
		fprintf(stderr, "cfgshim: BFSIM_SHIM_STATE is too long\n");
		abort();
	}
	keep_state = st && *st;
	if (bf_sim_open(&cfg, &sim) < 0 || !(nic = bf_sim_nic_get(sim, 0))) {
		fprintf(stderr, "cfgshim: cannot start the simulated NIC\n");
		abort();
	}
	v0 = bf_sim_time(sim);
	real_clock_gettime(CLOCK_MONOTONIC, &mono0);
	real_clock_gettime(CLOCK_REALTIME, &real0);
}

__attribute__((destructor)) static void shim_fini(void)
{
	const char *rep = getenv("BFSIM_SHIM_REPORT");
	char line[160];
	int fd, n;

	if (!sim)
		return;
	pthread_mutex_lock(&mu);
	n = snprintf(line, sizeof(line), "reads=%llu writes=%llu virtual_s=%.6f\n", nreads, nwrites,
		     bf_sim_time(sim) - v0);
	pthread_mutex_unlock(&mu);
	if (rep && *rep) {
		fd = real_openat(AT_FDCWD, rep, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0) {
			if (write(fd, line, (size_t)n) != n)
				fprintf(stderr, "cfgshim: cannot write %s\n", rep);
			real_close(fd);
		}
	}
	if (keep_state)
		bf_sim_close(sim);   /* saves the device's state */
}

static bool is_cfg_path(const char *path)
{
	size_t l, s = strlen(devsuffix);

	if (!sim || !path)
		return false;
	l = strlen(path);
	return l >= s && !strcmp(path + l - s, devsuffix);
}

static int find_fd(const int *set, unsigned n, int fd)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (set[i] == fd)
			return (int)i;
	return -1;
}

static int slot_of(int fd)
{
	return find_fd(fds, nfds, fd);
}

/* A lock file of mstflint's: remember its descriptor. */
static int note_lock(const char *path, int fd)
{
	if (fd >= 0 && sim && path && strstr(path, "/mstflint_lockfiles/")) {
		pthread_mutex_lock(&mu);
		if (nlockfds < MAX_FDS)
			lockfds[nlockfds++] = fd;
		pthread_mutex_unlock(&mu);
	}
	return fd;
}

/* A descriptor that stands for the config file: /dev/null, kept. */
static int open_cfg(int flags)
{
	int fd = real_openat(AT_FDCWD, "/dev/null", (flags & O_ACCMODE) | O_CLOEXEC);

	if (fd < 0)
		return -1;
	pthread_mutex_lock(&mu);
	if (nfds == MAX_FDS) {
		pthread_mutex_unlock(&mu);
		real_close(fd);
		errno = EMFILE;
		return -1;
	}
	fds[nfds++] = fd;
	pthread_mutex_unlock(&mu);
	return fd;
}

/* The mode of a variadic open call, there when flags create a file. */
#define MODE_ARG(flags) __extension__({ \
	va_list ap_; \
	mode_t m_ = 0; \
	va_start(ap_, flags); \
	if ((flags) & (O_CREAT | __O_TMPFILE)) \
		m_ = (mode_t)va_arg(ap_, int); \
	va_end(ap_); \
	m_; })

static int open_at(int dirfd, const char *path, int flags, mode_t m)
{
	resolve();
	return is_cfg_path(path) ? open_cfg(flags) : note_lock(path, real_openat(dirfd, path, flags, m));
}

SHIM_API int openat(int dirfd, const char *path, int flags, ...)
{
	return open_at(dirfd, path, flags, MODE_ARG(flags));
}

SHIM_API int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));

SHIM_API int open(const char *path, int flags, ...)
{
	return open_at(AT_FDCWD, path, flags, MODE_ARG(flags));
}

SHIM_API int open64(const char *path, int flags, ...) __attribute__((alias("open")));

SHIM_API int close(int fd)
{
	int i;

	resolve();

	pthread_mutex_lock(&mu);
	if ((i = slot_of(fd)) >= 0)
		fds[i] = fds[--nfds];
	if ((i = find_fd(lockfds, nlockfds, fd)) >= 0)
		lockfds[i] = lockfds[--nlockfds];
	pthread_mutex_unlock(&mu);
	return real_close(fd);
}

SHIM_API int flock(int fd, int op);
SHIM_API int flock(int fd, int op)
{
	static int (*real)(int, int);
	int mine;

	pthread_mutex_lock(&mu);
	mine = find_fd(lockfds, nlockfds, fd) >= 0;
	pthread_mutex_unlock(&mu);
	if (mine)
		return 0;
	if (!real)
		real = next_sym("flock");
	return real(fd, op);
}

/* One access of the model, as bfsim's FUSE server makes it: cut at the
 * end of the config space, nothing past it. */
static ssize_t cfg_io(int fd, void *rbuf, const void *wbuf, size_t len, off_t off, bool *mine)
{
	ssize_t n = -1;
	int r = 0;

	pthread_mutex_lock(&mu);
	*mine = slot_of(fd) >= 0;
	if (*mine) {
		if (off < 0 || off >= BF_SIM_NIC_CFG_SIZE || !len) {
			n = 0;
		} else {
			if (len > (size_t)(BF_SIM_NIC_CFG_SIZE - off))
				len = (size_t)(BF_SIM_NIC_CFG_SIZE - off);
			if (rbuf) {
				nreads++;
				r = bf_sim_nic_cfg_read(nic, (uint32_t)off, rbuf, len);
			} else {
				nwrites++;
				r = bf_sim_nic_cfg_write(nic, (uint32_t)off, wbuf, len);
			}
			n = r < 0 ? -1 : (ssize_t)len;
		}
	}
	pthread_mutex_unlock(&mu);
	if (r < 0)
		errno = -r;
	return n;
}

SHIM_API ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	bool mine;
	ssize_t n = sim ? cfg_io(fd, buf, NULL, len, off, &mine) : (mine = false, 0);

	resolve();

	return mine ? n : real_pread(fd, buf, len, off);
}

SHIM_API ssize_t pread64(int fd, void *buf, size_t len, off_t off) __attribute__((alias("pread")));

SHIM_API ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	bool mine;
	ssize_t n = sim ? cfg_io(fd, NULL, buf, len, off, &mine) : (mine = false, 0);

	resolve();

	return mine ? n : real_pwrite(fd, buf, len, off);
}

SHIM_API ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off) __attribute__((alias("pwrite")));

/* ---- the program's time is the model's --------------------------------- */

static void advance(double secs)
{
	pthread_mutex_lock(&mu);
	bf_sim_advance(sim, secs);
	pthread_mutex_unlock(&mu);
}

/* The model's clock since start, as a timespec from base. */
static void model_clock(const struct timespec *base, struct timespec *ts)
{
	double el;
	long long ns;

	pthread_mutex_lock(&mu);
	el = bf_sim_time(sim) - v0;
	pthread_mutex_unlock(&mu);
	ns = (long long)base->tv_nsec + (long long)(el * 1e9);
	ts->tv_sec = base->tv_sec + (time_t)(ns / 1000000000);
	ts->tv_nsec = (long)(ns % 1000000000);
}

SHIM_API int clock_gettime(clockid_t clk, struct timespec *ts)
{
	resolve();
	if (!sim)
		return real_clock_gettime(clk, ts);
	switch (clk) {
	case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
		model_clock(&mono0, ts);
		return 0;
	case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE:
		model_clock(&real0, ts);
		return 0;
	default:
		return real_clock_gettime(clk, ts);
	}
}

SHIM_API time_t time(time_t *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

static double secs_of(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

SHIM_API int nanosleep(const struct timespec *req, struct timespec *rem)
{
	static int (*real)(const struct timespec *, struct timespec *);

	if (!sim) {
		if (!real)
			real = next_sym("nanosleep");
		return real(req, rem);
	}
	advance(secs_of(req));
	if (rem)
		*rem = (struct timespec){ 0 };
	return 0;
}

SHIM_API int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
	static int (*real)(clockid_t, int, const struct timespec *, struct timespec *);
	struct timespec now;

	if (!sim) {
		if (!real)
			real = next_sym("clock_nanosleep");
		return real(clk, flags, req, rem);
	}
	if (flags & TIMER_ABSTIME) {
		clock_gettime(clk, &now);
		advance(secs_of(req) - secs_of(&now));
	} else {
		advance(secs_of(req));
	}
	return 0;
}

SHIM_API int usleep(useconds_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	return nanosleep(&ts, NULL);
}

SHIM_API unsigned int sleep(unsigned int s)
{
	struct timespec ts = { .tv_sec = s };

	nanosleep(&ts, NULL);
	return 0;
}
