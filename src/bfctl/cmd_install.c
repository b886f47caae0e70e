/* cmd_install.c - bfctl install: verify, push a BFB (+ bf.cfg + rootfs)
 * over RShim, stream the boot status live, end with a verdict. */
#include "config.h"
#include "bfb.h"
#include "bfb_file.h"
#include "cfgcheck.h"
#include "bmc_cli.h"
#include "cli_fetch.h"
#include "fileio.h"
#include "boot.h"
#include "bootlog.h"
#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "install.h"
#include "log.h"
#include "print.h"
#include "rshim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 3600.0

static const char install_usage[] =
	"Usage: bfctl install --rshim DEV --bfb FILE|URL [--config BF.CFG|URL] [--rootfs FILE]\n"
	"                     [--timeout S] [--stall-timeout S] [--wait-for ready|linux|reboot]\n"
	"                     [--keep-log] [--force] [--force-platform]\n"
	"                     [--allow-plaintext-password] [--sha256 HEX] [--cache DIR]\n"
	"                     [--cacert FILE] [--insecure] [--json] [-v]\n"
	"       bfctl install --bmc https://USER@HOST[:PORT] --bfb FILE [--config BF.CFG]\n"
	"                     --serve ADDR[:PORT] | --image-uri URI [--password-file F]\n"
	"                     [--cacert FILE] [--insecure] [--timeout S] [--json] [-v]\n"
	"\n"
	"Verify the BFB, check that it is for this device (chip, NIC firmware and\n"
	"its PSID, from the bundle's inventory), reset the BlueField into RShim\n"
	"boot, push the BFB with the optional bf.cfg and rootfs appended (as\n"
	"bfb-install does), and stream the boot status (the RShim log) until the\n"
	"install completes.\n"
	"\n"
	"Options:\n"
	"  -r, --rshim DEV       the device (sim:0, ...; default $BFCTL_RSHIM)\n"
	"  -b, --bfb FILE|URL    the BFB bundle: a path, or an http(s):// URL\n"
	"                        downloaded once into the cache (resumed when cut)\n"
	"  -c, --config FILE|URL bf.cfg to append (checked first: a syntax error\n"
	"                        stops the install, with FILE:LINE:COL)\n"
	"  -f, --rootfs FILE     rootfs to append after the bf.cfg\n"
	"  -t, --timeout S       overall deadline in seconds (default 3600)\n"
	"      --stall-timeout S fail when the device takes no data for S seconds\n"
	"                        (default 300, as the upstream BOOT_TIMEOUT)\n"
	"  -w, --wait-for WHAT   ready: until \"DPU is ready\" (default);\n"
	"                        linux: until \"Linux up\"; reboot: the first of\n"
	"                        \"Rebooting...\", \"Linux up\", \"DPU is ready\"\n"
	"                        (bfb-install's rule). \"In Enhanced NIC mode\" and\n"
	"                        \"Runtime upgrade finished\" always complete.\n"
	"  -k, --keep-log        leave the log in the device (no clear-on-read); the\n"
	"                        ring holds 127 words, so later messages can be lost\n"
	"      --force           push even if the bf.cfg has errors\n"
	"      --allow-plaintext-password\n"
	"                        push a bf.cfg with a plaintext password where a\n"
	"                        crypt hash belongs (refused by default: make the\n"
	"                        hash with 'bfctl cfg passwd')\n"
	"      --force-platform  push a bundle whose inventory is for another chip or\n"
	"                        NIC PSID than the device's (refused by default)\n"
	BF_CLI_FETCH_USAGE
	"      --bmc URL         install through the DPU's BMC (Redfish) instead of an\n"
	"                        RShim of this host: https://USER@HOST[:PORT]; the\n"
	"                        password from $BFCTL_BMC_PASSWORD, --password-file F\n"
	"                        or the terminal; --cacert/--insecure apply to it\n"
	"      --serve ADDR[:PORT] with --bmc: serve the BFB (+ bf.cfg) to the BMC\n"
	"                        from this address, under a random path, during the\n"
	"                        transfer only\n"
	"      --image-uri URI   with --bmc: the BMC pulls this URI (bf.cfg already in\n"
	"                        the image) instead\n"
	"      --json            JSON events: download, verify, push, log, mark,\n"
	"                        boot_progress (--bmc), result\n"
	"  -v, --verbose         more detail\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 installed, 3 invalid input (nothing pushed), 4 device\n"
	"missing or busy, 5 push failed, 6 the device reported an error (CRITICAL\n"
	"ERROR; through a BMC: its task failed, with its message), 7 deadline\n"
	"passed, 130 interrupted. Through a BMC, 4 also for refused credentials\n"
	"(check the user and password), a password to change, a busy BMC or an\n"
	"RShim the host holds; 5 when the BMC restarted during the transfer; 0 with\n"
	"status skipped when the BMC says the image is identical. See bfctl(1).\n";

/* The library's outcome, reported as every command reports. */
static int report(const struct bf_install_result *res)
{
	if (res->exit_code == 0)
		return bf_cli_ok();
	bf_event_progress_clear();
	return bf_cli_fail(res->exit_code, 0, res->hint[0] ? res->hint : NULL, "%s", res->message);
}

/* What `bfctl install` was asked. */
struct install_cli {
	const char *dev, *bfb, *cfg, *rootfs;
	double timeout, stall;
	struct bf_install_opts io;
	struct bf_bmc_install bmc;
	struct bf_cli_fetch fetch;
	bool keep, force, force_platform, allow_plain;
};

enum { OPT_STALL = BF_OPT_FIRST_CMD, OPT_FORCE, OPT_FORCE_PLATFORM, OPT_ALLOW_PLAIN };

static void parse_wait(struct install_cli *c, const char *what)
{
	if (!strcmp(what, "ready"))
		c->io.wait = BF_INSTALL_WAIT_READY;
	else if (!strcmp(what, "linux"))
		c->io.wait = BF_INSTALL_WAIT_LINUX;
	else if (!strcmp(what, "reboot"))
		c->io.wait = BF_INSTALL_WAIT_REBOOT;
	else
		bf_cli_usage_error("--wait-for takes ready, linux or reboot");
}

/* One option; false when it is none of install's own. */
static bool parse_opt(struct install_cli *c, int opt, const char *val)
{
	double v;

	switch (opt) {
	case 'r': c->dev = val; break;
	case 'b': c->bfb = val; break;
	case 'c': c->cfg = val; break;
	case 'f': c->rootfs = val; break;
	case 'k': c->keep = true; break;
	case 'w': parse_wait(c, val); break;
	case OPT_FORCE: c->force = true; break;
	case OPT_FORCE_PLATFORM: c->force_platform = true; break;
	case OPT_ALLOW_PLAIN: c->allow_plain = true; break;
	case BF_OPT_BMC: c->bmc.url = val; break;
	case BF_OPT_PASSWORD_FILE: c->bmc.password_file = val; break;
	case BF_OPT_SERVE: c->bmc.serve = val; break;
	case BF_OPT_IMAGE_URI: c->bmc.image_uri = val; break;
	case 't':
	case OPT_STALL:
		if (bf_duration_parse(val, &v) < 0)
			bf_cli_usage_error("--%s: %s", opt == 't' ? "timeout" : "stall-timeout", bf_error_get());
		*(opt == 't' ? &c->timeout : &c->stall) = v;
		break;
	default:
		return false;
	}
	return true;
}

/* The options that go together, or exit 2 saying which do not. */
static void check_usage(const struct install_cli *c)
{
	if (!c->bmc.url && (c->bmc.serve || c->bmc.image_uri || c->bmc.password_file))
		bf_cli_usage_error("--serve, --image-uri and --password-file go with --bmc");
	if (c->bmc.url) {
		if (c->dev || c->rootfs)
			bf_cli_usage_error("--bmc installs through the BMC: without --rshim and --rootfs");
		if (!!c->bmc.serve == !!c->bmc.image_uri)
			bf_cli_usage_error("--bmc needs --serve ADDR[:PORT] (bfctl serves the image) or --image-uri URI");
		if (c->bmc.image_uri && c->cfg)
			bf_cli_usage_error("--image-uri: bf.cfg travels inside the image (append it there), not --config");
		if (c->bmc.image_uri && !c->bfb)
			return;   /* the BMC pulls the image: nothing local to check */
	}
	if (!c->bfb)
		bf_cli_usage_error("--bfb FILE is required");
}

static void parse(int argc, char **argv, struct install_cli *c)
{
	static const struct option longopts[] = {
		{ "rshim", required_argument, NULL, 'r' },
		{ "bfb", required_argument, NULL, 'b' },
		{ "config", required_argument, NULL, 'c' },
		{ "rootfs", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "stall-timeout", required_argument, NULL, OPT_STALL },
		{ "wait-for", required_argument, NULL, 'w' },
		{ "keep-log", no_argument, NULL, 'k' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "force-platform", no_argument, NULL, OPT_FORCE_PLATFORM },
		{ "allow-plaintext-password", no_argument, NULL, OPT_ALLOW_PLAIN },
		{ "bmc", required_argument, NULL, BF_OPT_BMC },
		{ "password-file", required_argument, NULL, BF_OPT_PASSWORD_FILE },
		{ "serve", required_argument, NULL, BF_OPT_SERVE },
		{ "image-uri", required_argument, NULL, BF_OPT_IMAGE_URI },
		BF_CLI_FETCH_LONGOPTS, BF_CLI_LONGOPTS, { 0 } };
	int opt;

	bf_cli_fetch_init(&c->fetch);
	while ((opt = bf_cli_getopt(argc, argv, "r:b:c:f:t:w:k" BF_CLI_SHORTOPTS, longopts)) != -1) {
		if (!bf_cli_fetch_opt(&c->fetch, opt, optarg) && !parse_opt(c, opt, optarg))
			bf_cli_common(opt, install_usage);
	}
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);
	check_usage(c);
}

/* Nothing is pushed until every input checks out: fetched, the BFB
 * verified (a verify event), the bf.cfg checked, the rootfs readable.
 * 0, or the command's exit. */
static int check_inputs(struct install_cli *c)
{
	struct bf_bfb_summary sum;
	int ret;

	if ((ret = bf_cli_fetch_input(&c->fetch, &c->bfb, "bundle", true)) ||
	    (c->cfg && (ret = bf_cli_fetch_input(&c->fetch, &c->cfg, "bf.cfg", false))))
		return ret;
	if ((ret = bf_cli_input(c->bfb)) || (c->cfg && (ret = bf_cli_input(c->cfg))))
		return ret;
	memset(&sum, 0, sizeof(sum));
	ret = bf_bfb_file_verify(c->bfb, &sum);
	bf_print_begin("verify");
	bf_print_string(ret == 0 ? BF_PRINT_ANY : BF_PRINT_JSON, "file", "%s: verified, ", c->bfb);
	bf_print_bool(BF_PRINT_JSON, "ok", NULL, ret == 0);
	bf_print_uint(ret == 0 ? BF_PRINT_ANY : BF_PRINT_JSON, "images", "%llu images\n", sum.nimages);
	bf_print_uint(BF_PRINT_JSON, "bytes", NULL, sum.bytes);
	bf_print_end();
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_INPUT, ret, "nothing was pushed; get an intact copy of the bundle",
				   "%s failed verification", c->bfb);
	if (sum.trailing_bytes)
		bf_warn("%s carries %llu bytes after its last image (a bf.cfg appended earlier?); they are pushed too",
			c->bfb, (unsigned long long)sum.trailing_bytes);
	if (c->cfg && (ret = bf_cfgcheck_install_file(c->cfg, (c->force ? BF_CFGCHECK_FORCE : 0) |
							  (c->allow_plain ? BF_CFGCHECK_ALLOW_PLAINTEXT : 0))) < 0)
		return bf_cli_fail(BF_EXIT_INPUT, ret, "nothing was pushed", "bf.cfg rejected");
	if (c->rootfs && (ret = bf_file_check_input(c->rootfs)) < 0)
		return bf_cli_fail(BF_EXIT_INPUT, ret, "nothing was pushed", "rootfs rejected");
	return 0;
}

/* Through the BMC (Redfish): the files to serve, if any. */
static int run_bmc(struct install_cli *c, const char *const *paths, size_t npaths)
{
	c->bmc.paths = paths;
	c->bmc.npaths = npaths;
	c->bmc.timeout_s = c->timeout;
	c->bmc.cacert = c->fetch.o.cacert;
	c->bmc.insecure = c->fetch.o.insecure;
	return bf_bmc_install_run(&c->bmc);
}

/* Through an RShim of this host: the platform check, then the push. */
static int run_rshim(struct install_cli *c, const char *const *paths, size_t npaths)
{
	struct bf_install_result res;
	struct bf_rshim *r;
	char psid[24];
	int ret;

	if (!c->dev)
		c->dev = getenv("BFCTL_RSHIM");
	/* The NIC is asked before the RShim is opened: for a simulated device
	 * both are the same simulator. */
	bf_install_nic_psid(c->dev ? c->dev : "", psid, sizeof(psid));
	if ((ret = bf_cli_open_rshim(c->dev, &r)) != 0)
		return ret;
	if (bf_install_platform(c->bfb, r, psid, c->force_platform, &res) != 0) {
		bf_rshim_close(r);
		return report(&res);
	}
	c->io.paths = paths;
	c->io.npaths = npaths;
	c->io.keep_log = c->keep;
	c->io.timeout_s = c->timeout;
	c->io.stall_s = c->stall;
	bf_install_run(r, &c->io, &res);
	bf_rshim_close(r);
	return report(&res);
}

int bf_cmd_install(int argc, char **argv)
{
	struct install_cli c = { .timeout = DEFAULT_TIMEOUT_S, .stall = BF_BOOT_TIMEOUT_DEFAULT,
				 .io = { .wait = BF_INSTALL_WAIT_READY }, .bmc = { .timeout_s = DEFAULT_TIMEOUT_S } };
	const char *paths[3];
	size_t npaths = 0;
	int ret;

	parse(argc, argv, &c);
	if (c.bmc.url && c.bmc.image_uri && !c.bfb)
		return run_bmc(&c, NULL, 0);
	if ((ret = check_inputs(&c)))
		return ret;
	c.io.extras = c.cfg && c.rootfs ? " + bf.cfg + rootfs" : c.cfg ? " + bf.cfg" : c.rootfs ? " + rootfs" : "";
	paths[npaths++] = c.bfb;
	if (c.cfg)
		paths[npaths++] = c.cfg;
	if (c.rootfs)
		paths[npaths++] = c.rootfs;
	/* With --bmc the platform check needs the device's RShim: the BMC has it. */
	return c.bmc.url ? run_bmc(&c, paths, npaths) : run_rshim(&c, paths, npaths);
}
