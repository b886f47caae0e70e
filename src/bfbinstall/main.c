/* main.c - bfb-install: the upstream script's command line, output and
 * completion rules (spec rshim.md 8), on the library. Local RShim: the
 * device files of rshimd (/dev/rshim<N>/{boot,misc,rshim}), registers
 * through the library's daemon backend (the bf-reg requests upstream
 * issues). Deferred (-d/-u, BlueField-3): the flat repack, BOOT_RESET_SKIP
 * in misc, the SCRATCHPAD2/SWINT handshake, "Runtime upgrade finished",
 * SP2 bits 12:11, ActivateFirmware (doc/upgrade.md). Remote RShim, PLDM
 * and LFWP answer "not yet". Deliberate differences from upstream: the BFB
 * is verified before a byte is pushed, and in deferred mode checked against
 * the NIC's PSID (read through the library, not flint); a failed push, and
 * a CRITICAL ERROR in the log, end with "BlueField Update Failed" and exit
 * 1 (upstream continues, exits 0); a deferred run whose DPU reboots while
 * staging ends there (upstream waits on). */
#include "config.h"
#include "escape.h"
#include "bfb_file.h"
#include "bfb_platform.h"
#include "cfgcheck.h"
#include "clock.h"
#include "error.h"
#include "fileio.h"
#include "log.h"
#include "rshim.h"
#include "rshim/misc.h"
#include "upgrade_dev.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MISC_MAX   BF_RSHIM_MISC_MAX
#define CHUNK      (1u << 20)

static const char usage_text[] =
	"Usage: bfb-install -b BFB -r rshimN [-c BF.CFG] [-f ROOTFS] [-d] [-a 0|1] [-k] [-v]\n"
	"       bfb-install -r rshimN -a 1\n"
	"Options:\n"
	"  -b, --bfb FILE           the BFB bundle to install\n"
	"  -c, --config FILE        a bf.cfg appended to the stream\n"
	"  -f, --rootfs FILE        a root file system appended after the bf.cfg\n"
	"  -r, --rshim DEV          rshimN (as /dev/rshimN) or the path of the device\n"
	"                           directory; [IP:[PORT:]]rshimN is the remote form\n"
	"  -k, --keep-log           leave the RShim log in the device (no CLEAR_ON_READ)\n"
	"      --allow-plaintext-password\n"
	"                           push a bf.cfg with a plaintext password where a\n"
	"                           crypt hash belongs (refused by default)\n"
	"      --force-platform     push a bundle whose inventory is for another chip\n"
	"                           than the device's (refused by default)\n"
	"  -d, --deferred, -u, --runtime\n"
	"                           BlueField-3: stage firmware into the running DPU\n"
	"                           (flat repack, no reset); activated later\n"
	"  -a, --apply-lfwp 0|1     1: after the push (or alone), activate pending NIC\n"
	"                           firmware by a live patch (reset level 0) when the\n"
	"                           NIC offers it; best effort, as upstream\n"
	"  -v, --verbose            more detail\n"
	"  -h, --help               this help\n"
	"      --version            print the version\n"
	"  -p, --pldm FILE, -m, --remote-mode scp|nc|ncpipe,\n"
	"  -R, --reverse-nc\n"
	"                           accepted as upstream, answered 'not supported yet'\n"
	"\n"
	"bfctl's bfb-install: checks the bundle against the device (chip), pushes\n"
	"through rshimd's device files (rshimd(8)) and follows the boot log in misc.\n"
	"It stops at the first of \"Rebooting...\", \"DPU is ready\", \"Linux up\" or\n"
	"\"In Enhanced NIC mode\" (a device in NIC mode: only at the last), or at\n"
	"\"CRITICAL ERROR\" (a failed update); deferred, at \"Runtime upgrade finished\".\n"
	"Exit status: 0 done, 1 error or a failed update, 255 deferred staging\n"
	"failed (Transfer/Verify failed), 130 interrupted.\n"
	"See bfb-install(1).\n";

struct opts {
	const char *bfb, *cfg, *rootfs, *rshim, *pldm, *remote_mode;
	int nbfb, nrshim, apply_lfwp;
	bool deferred, keep_log, verbose, reverse_nc, force_platform, allow_plain;
};

/* BF3 defaults; BF1/BF2 from misc DEV_INFO (upstream apply_chip_settings). */
struct regs {
	uint32_t scratchpad2, swint, breadcrumb1;
};

static char node[PATH_MAX];
static bool clear_set;
/* Deferred: the flat bundle's directory and file, and whether misc and
 * SCRATCHPAD2 need their defaults back at exit. */
static char flat_dir[PATH_MAX], flat_bfb[PATH_MAX];
static struct bf_rshim *armed;

static void usage_err(void)
{
	fputs(usage_text, stderr);
}

static void fail_exit(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail_exit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(1);
}

/* The misc file of node (the library's reader: bounded, EINTR retried
 * unless a stop was requested). */
static int misc_write(const char *line)
{
	return bf_rshim_misc_write(node, line);
}

static int misc_read(char *buf, size_t cap)
{
	return bf_rshim_misc_read(node, buf, cap, NULL);
}

/* The value column of KEY in the misc text ("" if absent). */
static void misc_value(const char *text, const char *key, char *out, size_t cap)
{
	bf_rshim_misc_value(text, strlen(text), key, out, cap);
}

/* Why node has no boot file, and what to do. */
static void no_device(const char *dir, int err)
{
	struct stat st;

	/* The mount of a daemon that ended: "Transport endpoint is not connected". */
	if (err == ENOTCONN || (stat(dir, &st) < 0 && errno == ENOTCONN))
		fail_exit("Error: rshimd is not running: %s is left from an rshimd that ended (%s). "
			  "Start rshimd (see rshimd(8)); it takes the directory over.", dir, strerror(ENOTCONN));
	if (err == ENOENT && stat(dir, &st) < 0 && errno == ENOENT)
		fail_exit("Error: rshimd is not running: %s does not exist (or rshimd serves the device in "
			  "another --root). Start rshimd (see rshimd(8)) and try again.", dir);
	fail_exit("Error: %s is not a valid rshim device.", dir);
}

static void cleanup(void)
{
	if (clear_set)
		misc_write("CLEAR_ON_READ 0\n");
	clear_set = false;
	if (armed) {
		/* Upstream's defaults again: a reset with the next push, the
		 * request bits cleared. */
		misc_write("BOOT_RESET_SKIP 0\n");
		bf_upgrade_sp2_clear(armed);
		armed = NULL;
	}
	if (flat_bfb[0])
		unlink(flat_bfb);
	if (flat_dir[0])
		rmdir(flat_dir);
	flat_bfb[0] = flat_dir[0] = '\0';
}

/* bf-reg's read-modify-writes, through the daemon's rshim file. */
static int reg_rd(struct bf_rshim *r, uint32_t addr, uint64_t *v)
{
	uint32_t chan, off;

	if (bf_chip_addr_split(r->chip, addr, &chan, &off) < 0)
		return -EINVAL;
	return bf_rshim_read_data(r, chan, off, v);
}

static int reg_wr(struct bf_rshim *r, uint32_t addr, uint64_t v)
{
	uint32_t chan, off;

	if (bf_chip_addr_split(r->chip, addr, &chan, &off) < 0)
		return -EINVAL;
	return bf_rshim_write(r, chan, off, v);
}

/* Upstream clear_sp2_267: SP2 bits 2, 6, 7 cleared, SWINT2 set, 1 s. */
static int clear_sp2_267(struct bf_rshim *r, const struct regs *g)
{
	uint64_t sp2;
	int ret;

	if ((ret = reg_rd(r, g->scratchpad2, &sp2)) < 0 ||
	    (ret = reg_wr(r, g->scratchpad2, sp2 & ~0xc4ull)) < 0 ||
	    (ret = reg_wr(r, g->swint, 0x4)) < 0)
		return ret;
	bf_clock_sleep_ns(1000000000ull);
	return 0;
}

/* cat bfb [cfg] [rootfs] > node/boot */
static int push(const char *const *files, size_t n)
{
	char path[PATH_MAX + 8];
	uint8_t *buf = malloc(CHUNK);
	size_t i;
	int out, ret = 0;

	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/boot", node);
	out = open(path, O_WRONLY | O_CLOEXEC);
	if (out < 0) {
		ret = -errno;
		free(buf);
		return ret;
	}
	for (i = 0; i < n && ret == 0; i++) {
		int in = open(files[i], O_RDONLY | O_CLOEXEC);

		if (in < 0) {
			ret = -errno;
			break;
		}
		for (;;) {
			ssize_t got = read(in, buf, CHUNK), off = 0;

			if (got < 0 && errno == EINTR && !bf_stop_requested())
				continue;
			if (got < 0)
				ret = -errno;
			if (got <= 0)
				break;
			while (off < got) {
				ssize_t w = write(out, buf + off, (size_t)(got - off));

				if (w < 0 && errno == EINTR && !bf_stop_requested())
					continue;
				if (w <= 0) {
					ret = w < 0 ? -errno : -EIO;
					break;
				}
				off += w;
			}
			if (ret < 0)
				break;
		}
		close(in);
	}
	if (close(out) < 0 && ret == 0)
		ret = -errno;
	free(buf);
	return ret;
}

/* Deferred: the bundle checked against the NIC's PSID (when the host
 * reaches the NIC: pcie-... and sim-... devices) and repacked in the flat
 * format (upstream: flint q for the PSID, bfb-tool repack --psid). */
static void deferred_prepare(const struct opts *o, struct bf_rshim *r)
{
	struct bf_upgrade_plan *p = calloc(1, sizeof(*p));
	char nic[64], note[200], name[PATH_MAX];
	int ret;

	if (!p)
		fail_exit("Error: out of memory");
	if (r->chip->ver != BF_CHIP_BF3)
		fail_exit("Error: deferred upgrade needs a BlueField-3; %s is a %s. Run without -d.", node,
			  r->chip->name);
	bf_upgrade_plan_init(p);
	bf_upgrade_nic_name(r->dev_name, nic, sizeof(nic));
	if (!nic[0] || bf_upgrade_read_nic(nic, p) < 0)
		printf("Warning: the NIC's PSID is not known (%s): the bundle's NIC firmware is checked by "
		       "the DPU only.\n", nic[0] ? bf_error_get() : "no PCI path to the NIC");
	bf_error_clear();
	snprintf(name, sizeof(name), "%s", o->bfb);
	printf("Convert %s to flat format for deferred upgrade\n", basename(name));
	if (o->verbose && p->nic_psid[0])
		printf("  PSID: %s\n", p->nic_psid);
	ret = bf_bfb_platform_check_file(o->bfb, r->chip->ver, p->nic_psid[0] ? p->nic_psid : NULL, note,
					 sizeof(note));
	free(p);
	if (ret < 0)
		fail_exit("Error: %s: %s", o->bfb, bf_error_str(ret));
	snprintf(flat_dir, sizeof(flat_dir), "%s/bfb-install.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(flat_dir)) {
		flat_dir[0] = '\0';
		fail_exit("Error: cannot make a temporary directory: %s", strerror(errno));
	}
	if ((ret = bf_upgrade_flat(o->bfb, flat_dir, flat_bfb, sizeof(flat_bfb))) < 0)
		fail_exit("Error: Failed to create BFB in flat format: %s", bf_error_str(ret));
}

/* Deferred, before the push: no reset (BOOT_RESET_SKIP), the ring's old
 * lines read away (a boot seen later is a new one), FIFO drained, SP2 bit
 * 2 and SWINT. */
static void deferred_arm(const struct opts *o, struct bf_rshim *r)
{
	char *old;
	int ret;

	armed = r;
	if (misc_write("BOOT_RESET_SKIP 1\n") < 0)
		fail_exit("Error: cannot write BOOT_RESET_SKIP to %s/misc", node);
	if (!o->keep_log && (old = malloc(MISC_MAX))) {
		misc_write("CLEAR_ON_READ 1\n");
		misc_write("DISPLAY_LEVEL 2\n");   /* the log is in misc from level 2 */
		clear_set = true;
		misc_read(old, MISC_MAX);
		free(old);
	}
	if ((ret = bf_upgrade_deferred_arm(r)) < 0)
		fail_exit("Error: register access through %s/rshim failed: %s", node, bf_error_str(ret));
}

/* Deferred, after "Runtime upgrade finished": SP2 bits 12:11 10b is a
 * success, then ActivateFirmware (SP2 bit 6, SWINT) and its answer. */
static int deferred_finish(struct bf_rshim *r)
{
	unsigned st = 0;

	if (bf_upgrade_sp2_status(r, &st) < 0 || st != 2) {
		printf("Transfer/Verify failed\n");
		printf("BlueField Update Failed\n");
		return 255;
	}
	printf("Sending ActivateFirmware\n");
	fflush(stdout);
	if (bf_upgrade_activate_request(r, 60.0, &st) < 0 || st == 3) {
		printf("ActivateFirmware Failed\n");
		printf("BlueField Update Failed\n");
		return 1;
	}
	printf("ActivateFirmware %s\n", st == 2 ? "Succeeded" : "not answered");
	printf("Upgrade Finished\n");
	return 0;
}

/* -a 1: pending NIC firmware activated by a live patch (reset level 0)
 * when the NIC offers it (upstream: mlxfwreset q, then -l 0 r). Best
 * effort as upstream: only a NIC the host has no path to is an error. */
static int live_patch(struct bf_rshim *r)
{
	char nic[64];
	bool supported;
	int ret;

	bf_upgrade_nic_name(r->dev_name, nic, sizeof(nic));
	if (!nic[0]) {
		printf("ERROR: Failed to activate LFWP, PCIe device not found.\n");
		return 1;
	}
	ret = bf_upgrade_live_patch(nic, &supported);
	if (!supported) {
		if (ret < 0)
			printf("Warning: %s: %s\n", nic, bf_error_str(ret));
		printf("Live Patch NIC Firmware reset not supported.\n");
	} else if (ret < 0) {
		printf("Live Patch NIC Firmware reset is supported.\n");
		printf("ERROR: Live Patch NIC Firmware reset failed. %s\n", bf_error_str(ret));
	} else {
		printf("Live Patch NIC Firmware reset is supported.\n");
		printf("Live Patch NIC Firmware reset done\n");
	}
	bf_error_clear();
	return 0;
}

/* Case-insensitive: does text contain any of the |-separated words? */
static bool matches(const char *text, const char *const *words)
{
	for (; *words; words++)
		if (strcasestr(text, *words))
			return true;
	return false;
}

enum wait_end { WAIT_DONE, WAIT_CRITICAL, WAIT_REBOOTED };

/* Upstream wait_for_update_to_finish: poll misc every second, print what
 * is new, stop on the completion strings. Deferred: at "Runtime upgrade
 * finished", or (ours) a CRITICAL ERROR or the DPU booting again (the
 * staging was lost). */
static enum wait_end wait_for_update(const struct opts *o, bool nic_mode, FILE *logf)
{
	static const char *const filter0_nic[] = { "Rebooting...", "DPU is ready", "Linux up",
						   "CRITICAL ERROR", "In Enhanced NIC mode", NULL };
	static const char *const nic_only[] = { "In Enhanced NIC mode", NULL };
	static const char *const runtime[] = { "Runtime upgrade finished", "CRITICAL ERROR", "Linux up",
					       "DPU is ready", NULL };
	const char *const *filter0 = o->deferred ? runtime : filter0_nic;
	const char *const *filter = o->deferred ? runtime : nic_mode ? nic_only : filter0_nic;
	char *misc = malloc(MISC_MAX), *last = calloc(1, MISC_MAX);
	bool finished = false, critical = false, rebooted = false;

	if (!misc || !last)
		fail_exit("Error: out of memory");
	printf("Collecting BlueField booting status. Press Ctrl+C to stop…\n");
	fflush(stdout);
	if (!o->keep_log) {
		misc_write("CLEAR_ON_READ 1\n");
		clear_set = true;
	}
	misc_write("DISPLAY_LEVEL 2\n");
	while (!finished && !bf_stop_requested()) {
		const char *cur = "";
		size_t cur_len, last_len = strlen(last), i;

		if (misc_read(misc, MISC_MAX) < 0) {
			if (bf_stop_requested())
				break;   /* interrupted: the caller says so */
			fail_exit("Error: cannot read %s/misc", node);
		}
		/* From the first " INFO", " ERR" or " WARN" line to the end. */
		for (i = 0; misc[i];) {
			const char *nl;

			if (!strncmp(misc + i, " INFO", 5) || !strncmp(misc + i, " ERR", 4) ||
			    !strncmp(misc + i, " WARN", 5)) {
				cur = misc + i;
				break;
			}
			nl = strchr(misc + i, '\n');
			if (!nl)
				break;
			i = (size_t)(nl - misc) + 1;
		}
		cur_len = strlen(cur);
		bf_clock_sleep_ns(1000000000ull);
		if (matches(cur, filter))
			finished = true;
		if (strcasestr(cur, "CRITICAL ERROR"))
			critical = true;
		if (o->deferred && !o->keep_log && !strcasestr(cur, runtime[0]) && matches(cur, runtime + 2))
			rebooted = true;
		if (matches(cur, filter0)) {
			misc_write("CLEAR_ON_READ 0\n");
			clear_set = false;
		}
		if (!last_len || last_len > cur_len || strncmp(cur, last, last_len)) {
			bf_escape_lines_fputs(cur, stdout);   /* device text */
			if (logf)
				fputs(cur, logf);
		} else if (cur_len > last_len) {
			bf_escape_lines_fputs(cur + last_len, stdout);
			if (logf)
				fputs(cur + last_len, logf);
		}
		fflush(stdout);
		snprintf(last, MISC_MAX, "%s", cur);
	}
	misc_write("CLEAR_ON_READ 0\n");
	clear_set = false;
	free(misc);
	free(last);
	return critical ? WAIT_CRITICAL : rebooted ? WAIT_REBOOTED : WAIT_DONE;
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "apply-lfwp", required_argument, NULL, 'a' },
		{ "bfb", required_argument, NULL, 'b' },
		{ "config", required_argument, NULL, 'c' },
		{ "rootfs", required_argument, NULL, 'f' },
		{ "deferred", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "keep-log", no_argument, NULL, 'k' },
		{ "remote-mode", required_argument, NULL, 'm' },
		{ "reverse-nc", no_argument, NULL, 'R' },
		{ "rshim", required_argument, NULL, 'r' },
		{ "pldm", required_argument, NULL, 'p' },
		{ "runtime", no_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "force-platform", no_argument, NULL, 'P' },
		{ "allow-plaintext-password", no_argument, NULL, 'A' },
		{ 0 } };
	int opt;

	memset(o, 0, sizeof(*o));
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "+a:b:c:f:dhkm:p:r:Ruv", lo, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (strcmp(optarg, "0") && strcmp(optarg, "1")) {
				fprintf(stderr, "Error: --apply-lfwp takes 0 or 1\n");
				exit(1);
			}
			o->apply_lfwp = optarg[0] - '0';
			break;
		case 'b': o->bfb = optarg; o->nbfb++; break;
		case 'c': o->cfg = optarg; break;
		case 'f': o->rootfs = optarg; break;
		case 'd': case 'u': o->deferred = true; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case 'k': o->keep_log = true; break;
		case 'm': o->remote_mode = optarg; break;
		case 'p': o->pldm = optarg; break;
		case 'r': o->rshim = optarg; o->nrshim++; break;
		case 'R': o->reverse_nc = true; break;
		case 'v': o->verbose = true; break;
		case 'V': printf("bfb-install (bfctl) %s\n", PACKAGE_VERSION); exit(0);
		case 'P': o->force_platform = true; break;
		case 'A': o->allow_plain = true; break;
		default:
			fprintf(stderr, "Command line error\n");
			exit(1);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "Unexpected arguments: %s\n", argv[optind]);
		usage_err();
		exit(1);
	}
}

static void validate(const struct opts *o)
{
	struct stat st;

	if (!o->bfb && !o->pldm && !o->apply_lfwp) {
		printf("Error: Need to provide either bfb or pldm file.\n");
		usage_err();
		exit(1);
	}
	if (o->bfb && o->pldm) {
		printf("Error: Can't provide both bfb and pldm file.\n");
		usage_err();
		exit(1);
	}
	if (o->bfb && stat(o->bfb, &st) < 0)
		fail_exit("Error: %s not found.", o->bfb);
	if (!o->rshim) {
		printf("Error: Need to provide rshim device name.\n");
		usage_err();
		exit(1);
	}
	if (o->nbfb > 1) {
		printf("Error: More than one bfb image provided\n");
		usage_err();
		exit(1);
	}
	if (o->nrshim > 1) {
		printf("Error: More than one rshim device provided\n");
		usage_err();
		exit(1);
	}
	if (strchr(o->rshim, ':'))
		fail_exit("Error: remote rshim (%s) is not supported by this bfb-install yet: "
			  "run it on the host that has the RShim.", o->rshim);
	if (o->remote_mode)
		fail_exit("Error: Remote mode is not supported for local rshim.");
	if (o->reverse_nc)
		fail_exit("Error: Reverse netcat mode is only for remote rshim.");
	if (o->pldm)
		fail_exit("Error: PLDM images (-p) are not supported by this bfb-install yet.");
}

/* Upstream's header lines, and the checks it makes before the device. */
static void print_header(const struct opts *o)
{
	char path[PATH_MAX + 8];
	struct stat st;

	printf("Updating BlueField with local RSHIM\n");
	printf("  BFB file: %s\n", o->bfb);
	if (o->cfg)
		printf("  Config File:: %s\n", o->cfg);
	if (o->rootfs)
		printf("  Rootfs File: %s\n", o->rootfs);
	printf("  RSHIM Device Node: %s\n", node);
	printf("Checking if local host has root access...\n");
	if (geteuid() != 0)
		printf("  Warning: No host root access.\n");
	snprintf(path, sizeof(path), "%s/boot", node);
	if (stat(path, &st) < 0)
		no_device(node, errno);
	printf("Checking if rshim driver is running locally...\n");
	fflush(stdout);
}

/* What misc says of the device: the chip generation's register addresses
 * into g; true when a BlueField-3 is in NIC mode. */
static bool device_info(struct regs *g)
{
	char *misc = malloc(MISC_MAX), val[64], dev[64];
	bool nic_mode = false;

	if (!misc || misc_read(misc, MISC_MAX) < 0)
		fail_exit("Error: cannot read %s/misc", node);
	misc_value(misc, "DEV_INFO", val, sizeof(val));
	if (!strncmp(val, "BlueField-1", 11) || !strncmp(val, "BlueField-2", 11)) {
		g->scratchpad2 = 0x00010c28;
		g->swint = 0x00010318;
		g->breadcrumb1 = 0x00010518;
	}
	if (!strncmp(val, "BlueField-3", 11) && strstr(misc, "NIC mode")) {
		misc_value(misc, "DEV_NAME", dev, sizeof(dev));
		printf("%s (%s) is in NIC mode\n", node, strlen(dev) > 5 ? dev + 5 : dev);
		nic_mode = true;
	}
	free(misc);
	return nic_mode;
}

/* Before any register write: a bundle for another chip is refused here,
 * not found out after the transfer. */
static void platform_check(const struct opts *o, const struct bf_rshim *r)
{
	char note[200];
	int ret = bf_bfb_platform_check_file(o->bfb, r->chip->ver, NULL, note, sizeof(note));

	if (note[0] && o->verbose)
		printf("  %s\n", note);
	if (ret == -EXDEV && o->force_platform)
		printf("Warning: %s; pushing anyway (--force-platform)\n", bf_error_get());
	else if (ret < 0)
		fail_exit("Error: %s: %s", o->bfb, bf_error_str(ret));
	bf_error_clear();
}

/* /tmp/bfb-install-NAME.log as upstream names it, begun with the date. As
 * root in /tmp: whatever is planted under that name (a symlink to a file
 * of root's) is removed, never written through. NULL (said) when it
 * cannot be made. */
static FILE *open_log(void)
{
	char name[PATH_MAX], path[PATH_MAX + 64];
	time_t now = time(NULL);
	int fd;
	FILE *f;

	snprintf(name, sizeof(name), "%s", node);
	snprintf(path, sizeof(path), "/tmp/bfb-install-%s.log", basename(name));
	fd = bf_file_create(path, 0600, true);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		printf("Warning: no log file: %s\n", bf_error_str(errno));
		bf_error_clear();
		return NULL;
	}
	fprintf(f, "# %s", ctime(&now));
	return f;
}

/* The registers set before the push: SP2 bits cleared, NIC mode told to
 * the installer, the deferred handshake armed. */
static void prepare_device(struct opts *o, struct bf_rshim *r, const struct regs *g, bool nic_mode)
{
	uint64_t b;
	int ret;

	if ((ret = clear_sp2_267(r, g)) < 0)
		fail_exit("Error: register access through %s/rshim failed: %s", node, bf_error_str(ret));
	/* BREADCRUMB1 bit 32 tells the installer it runs in NIC mode. */
	if (nic_mode && reg_rd(r, g->breadcrumb1, &b) == 0)
		reg_wr(r, g->breadcrumb1, b | (1ull << 32));
	if (o->deferred) {
		deferred_prepare(o, r);
		deferred_arm(o, r);
	}
}

/* From the push to the verdict: the exit status. */
static int push_and_wait(struct opts *o, struct bf_rshim *r, bool nic_mode)
{
	const char *files[3];
	size_t nfiles = 0;
	enum wait_end end;
	FILE *logf;
	int ret;

	files[nfiles++] = o->deferred ? flat_bfb : o->bfb;
	if (o->cfg)
		files[nfiles++] = o->cfg;
	if (o->rootfs)
		files[nfiles++] = o->rootfs;
	printf("Pushing bfb%s%s\n", o->cfg ? " + cfg" : "", o->rootfs ? " + rootfs" : "");
	fflush(stdout);
	if ((ret = push(files, nfiles)) < 0) {
		printf("Error: Failed to push boot stream via local rshim (%s)\n", strerror(-ret));
		printf("BlueField Update Failed\n");
		return bf_stop_requested() ? 130 : 1;
	}
	if (o->deferred)
		misc_write("BOOT_RESET_SKIP 0\n");
	logf = open_log();
	end = wait_for_update(o, nic_mode, logf);
	if (logf)
		fclose(logf);
	ret = 0;
	if (bf_stop_requested())
		ret = 130;
	else if (end == WAIT_REBOOTED)
		printf("Error: %s rebooted while staging (power lost?): nothing is staged, the old firmware runs. "
		       "Run bfb-install -d again.\n", node);
	else if (o->deferred && end == WAIT_DONE)
		ret = deferred_finish(r);
	if (ret == 0 && end != WAIT_DONE) {
		printf("BlueField Update Failed\n");
		ret = 1;
	}
	if (ret == 0 && o->apply_lfwp)
		ret = live_patch(r);
	return ret;
}

int main(int argc, char **argv)
{
	struct regs g = { 0x13000c48, 0x13000318, 0x13000518 };
	struct bf_bfb_summary sum;
	struct bf_rshim *r;
	struct opts o;
	bool nic_mode;
	struct stat st;
	int ret;

	bf_log_set_prog("bfb-install");
	parse(argc, argv, &o);
	validate(&o);
	if (o.verbose)
		bf_log_set_level(BF_LOG_INFO);
	snprintf(node, sizeof(node), "%s%s", o.rshim[0] == '/' ? "" : "/dev/", o.rshim);
	if (o.rootfs && stat(o.rootfs, &st) < 0)
		fail_exit("Error: %s not found.", o.rootfs);
	if (o.cfg && stat(o.cfg, &st) < 0)
		fail_exit("Error: %s not found.", o.cfg);
	/* The bf.cfg is checked as bfctl install checks it, before the device
	 * is touched: errors, or a plaintext password where a hash belongs. */
	if (o.cfg && (ret = bf_cfgcheck_install_file(o.cfg, o.allow_plain ? BF_CFGCHECK_ALLOW_PLAINTEXT : 0)) < 0)
		fail_exit("Error: %s", bf_error_str(ret));

	if (!o.bfb) {   /* -a 1 alone: activate what a deferred run staged */
		if ((ret = bf_rshim_open(node, &r)) < 0)
			fail_exit("Error: rshim driver not found at %s (%s)", node, bf_error_str(ret));
		ret = live_patch(r);
		bf_rshim_close(r);
		return ret;
	}
	print_header(&o);
	/* Deliberately stricter than upstream: a damaged bundle is refused
	 * before the device is reset. */
	if ((ret = bf_bfb_file_verify(o.bfb, &sum)) < 0)
		fail_exit("Error: %s is not a valid BFB: %s", o.bfb, bf_error_str(ret));
	if (o.verbose)
		printf("  %s: verified, %u images\n", o.bfb, sum.nimages);
	if ((ret = bf_rshim_open(node, &r)) < 0)
		fail_exit("Error: rshim driver not found at %s (%s)", node, bf_error_str(ret));
	nic_mode = device_info(&g);
	platform_check(&o, r);
	bf_stop_install_handlers();
	atexit(cleanup);
	prepare_device(&o, r, &g, nic_mode);
	ret = push_and_wait(&o, r, nic_mode);
	cleanup();
	bf_rshim_close(r);
	return ret;
}
