/* cmd_bmc.c - bfctl bmc: inventory, mode, reset and RShim owner of a DPU
 * through its BMC (Redfish), and the connection every BMC command shares
 * (bf_bmc_cli_*). Facts: doc/bmc.md. */
#include "config.h"
#include "bmc_cli.h"
#include "cli.h"
#include "cli_fetch.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "print.h"
#include "secret.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 300.0
#define SYS "/redfish/v1/Systems/Bluefield"
#define MGR "/redfish/v1/Managers/Bluefield_BMC"

int bf_bmc_cli_open(struct bf_bmc_cli *b, const char *url, const char *password_file, const char *cacert,
		    bool insecure, double timeout_s)
{
	char prompt[400];
	int r;

	memset(b, 0, sizeof(*b));
	if (!url)
		bf_cli_usage_error("--bmc https://USER@HOST[:PORT] is required");
	if (bf_rfclient_parse_url(url, &b->rf) < 0)
		bf_cli_usage_error("%s", bf_error_get());
	b->rf.cacert = cacert;
	b->rf.insecure = insecure;
	if (insecure)
		bf_warn("--insecure: the BMC at %s is not authenticated; the password goes to whoever answers",
			b->rf.host);
	snprintf(prompt, sizeof(prompt), "Password of %s on the BMC at %s: ", b->rf.user, b->rf.host);
	if ((r = bf_secret_get("BFCTL_BMC_PASSWORD", password_file, prompt, b->rf.pass, sizeof(b->rf.pass))) < 0)
		return bf_cli_fail(password_file ? BF_EXIT_INPUT : BF_EXIT_USAGE, r, NULL, "no password for the BMC");
	if (timeout_s > 0 && b->rf.down_wait_s > timeout_s)
		b->rf.down_wait_s = timeout_s;
	bf_deadline_set(&b->dl, timeout_s, "talking to the BMC");
	return 0;
}

void bf_bmc_cli_close(struct bf_bmc_cli *b)
{
	bf_rfclient_close(&b->rf);
}

int bf_bmc_cli_fail_status(struct bf_bmc_cli *b, const struct bf_rfresp *r, const char *what)
{
	struct bf_redfish_error e;
	char msg[BF_REDFISH_TEXT + 64];

	bf_redfish_parse_error(r->body, r->len, &e);
	if (r->status == 401)
		return bf_cli_fail(BF_EXIT_DEVICE, 0, "check the user and password",
				   "%s: the BMC at %s refused %s (401 Unauthorized)", what, b->rf.host, b->rf.user);
	if (r->status == 403 && e.password_change)
		return bf_cli_fail(BF_EXIT_DEVICE, 0,
				   "change it first (its web interface, or PATCH Password at /redfish/v1/AccountService/Accounts/USER) and retry",
				   "%s: the BMC at %s accepted the password of %s but requires it to be changed (PasswordChangeRequired)",
				   what, b->rf.host, b->rf.user);
	snprintf(msg, sizeof(msg), "%s", e.message[0] ? e.message : e.message_id);
	if (e.busy)
		return bf_cli_fail(BF_EXIT_DEVICE, 0, "wait for the running update to end and retry",
				   "%s: the BMC at %s is busy: %s", what, b->rf.host, msg);
	return bf_cli_fail(r->status == 403 || r->status == 404 || r->status == 405 ? BF_EXIT_DEVICE : BF_EXIT_FAILURE,
			   0, NULL, "%s: the BMC at %s answered %ld%s%s", what, b->rf.host, r->status,
			   msg[0] ? ": " : "", msg);
}

int bf_bmc_cli_call(struct bf_bmc_cli *b, const char *method, const char *path, const char *json,
		    struct bf_rfresp *r, const char *what)
{
	int ret = bf_rfclient_request(&b->rf, method, path, json, r, &b->dl);

	if (ret == -EINTR)
		return bf_cli_fail(BF_EXIT_INTERRUPTED, ret, NULL, "%s", what);
	if (ret < 0 && (ret == -ETIMEDOUT || bf_deadline_passed(&b->dl)))
		return bf_cli_fail(BF_EXIT_TIMEOUT, ret, "raise --timeout", "%s", what);
	if (ret == -EACCES)
		return bf_cli_fail(BF_EXIT_DEVICE, ret, "give the BMC's CA with --cacert FILE (or --insecure, not advised)",
				   "%s", what);
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_DEVICE, ret, "check the address and that the BMC is up", "%s", what);
	if (r->status >= 200 && r->status < 300)
		return 0;
	ret = bf_bmc_cli_fail_status(b, r, what);
	bf_rfresp_free(r);
	return ret;
}

/* bfctl bmc. -------------------------------------------------------------- */

static const char bmc_usage[] =
	"Usage: bfctl bmc inventory --bmc https://USER@HOST[:PORT] [options]\n"
	"       bfctl bmc mode --bmc URL [dpu|nic] [options]\n"
	"       bfctl bmc reset --bmc URL arm|bmc [options]\n"
	"       bfctl bmc rshim --bmc URL [host|bmc] [options]\n"
	"\n"
	"A DPU through its BMC (Redfish): the firmware versions it reports, the\n"
	"DPU/NIC mode (read, or set for the next boot: BlueField-3), a reset of\n"
	"the Arm cores or of the BMC, and who owns the DPU's RShim: the host or\n"
	"the BMC (read, or hand it over: 'host' enables the host RShim and\n"
	"releases the BMC's; 'bmc' disables the host's and takes it, read back).\n"
	"\n"
	"Options:\n"
	"      --bmc URL         https://USER@HOST[:PORT] (user root if omitted)\n"
	"      --password-file F the password (first line); default\n"
	"                        $BFCTL_BMC_PASSWORD, else asked on the terminal\n"
	"      --cacert FILE     CA certificate(s) of the BMC (PEM)\n"
	"      --insecure        do not verify the BMC's certificate (not advised)\n"
	"  -t, --timeout S       give up after S seconds (default 300)\n"
	"      --json            JSON events: inventory, mode, rshim, result\n"
	"  -v, --verbose         more detail\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 done, 2 usage, 4 BMC refused (credentials: check the user\n"
	"and password; busy; not found), 7 deadline passed. See bfctl(1).\n";

static int inventory(struct bf_bmc_cli *b)
{
	struct bf_redfish_members m;
	struct bf_rfresp r;
	unsigned i;
	int ret;

	if ((ret = bf_bmc_cli_call(b, "GET", "/redfish/v1/UpdateService/FirmwareInventory", NULL, &r,
				   "reading the BMC's firmware inventory")))
		return ret;
	ret = bf_redfish_parse_members(r.body, r.len, &m);
	bf_rfresp_free(&r);
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, ret, NULL, "reading the BMC's firmware inventory");
	bf_print_line("%-24s %s", "COMPONENT", "VERSION");
	for (i = 0; i < m.n; i++) {
		struct bf_redfish_inventory v;

		if ((ret = bf_bmc_cli_call(b, "GET", m.id[i], NULL, &r, "reading a firmware inventory item")))
			return ret;
		ret = bf_redfish_parse_inventory(r.body, r.len, &v);
		bf_rfresp_free(&r);
		if (ret < 0) {
			bf_warn("%s: %s", m.id[i], bf_error_get());
			continue;
		}
		bf_print_begin("inventory");
		bf_print_string(BF_PRINT_ANY, "id", "%-24s ", v.id);
		bf_print_string(BF_PRINT_ANY, "version", "%s\n", v.version[0] ? v.version : "-");
		bf_print_bool(BF_PRINT_JSON, "updateable", NULL, v.updateable);
		bf_print_end();
	}
	if (m.total > m.n)
		bf_warn("the BMC lists %u components; the first %u are shown", m.total, m.n);
	return bf_cli_ok();
}

static int show_string(struct bf_bmc_cli *b, const char *path, const char *event, const char *key,
		       const char *jkey, const char *label)
{
	struct bf_rfresp r;
	char v[64];
	int ret;

	if ((ret = bf_bmc_cli_call(b, "GET", path, NULL, &r, label)))
		return ret;
	ret = bf_redfish_get_string(r.body, r.len, v, sizeof(v), key, (char *)NULL);
	bf_rfresp_free(&r);
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, 0, NULL, "%s: the BMC's answer has no %s", label, key);
	bf_print_begin(event);
	bf_print_string(BF_PRINT_ANY, jkey, "%s\n", v);
	bf_print_end();
	return 0;
}

static int mode(struct bf_bmc_cli *b, const char *set)
{
	char body[64];
	struct bf_rfresp r;
	int ret;

	if (set) {
		if (strcmp(set, "dpu") && strcmp(set, "nic"))
			bf_cli_usage_error("mode takes dpu or nic");
		snprintf(body, sizeof(body), "{\"Mode\":\"%s\"}", !strcmp(set, "dpu") ? "DpuMode" : "NicMode");
		if ((ret = bf_bmc_cli_call(b, "POST", SYS "/Oem/Nvidia/Actions/Mode.Set", body, &r,
					   "setting the DPU's mode")))
			return ret;
		bf_rfresp_free(&r);
		bf_print_line("mode set to %s: it takes effect after the DPU's next resets (see the BMC documentation)",
			      !strcmp(set, "dpu") ? "DpuMode" : "NicMode");
	}
	if ((ret = show_string(b, SYS "/Oem/Nvidia", "mode", "Mode", "mode", "reading the DPU's mode")))
		return ret;
	return bf_cli_ok();
}

static int reset(struct bf_bmc_cli *b, const char *what)
{
	struct bf_rfresp r;
	int ret;

	if (!what || (strcmp(what, "arm") && strcmp(what, "bmc")))
		bf_cli_usage_error("reset takes arm or bmc");
	if (!strcmp(what, "arm"))
		ret = bf_bmc_cli_call(b, "POST", SYS "/Actions/ComputerSystem.Reset", "{\"ResetType\":\"GracefulRestart\"}",
				      &r, "resetting the DPU's Arm cores");
	else
		ret = bf_bmc_cli_call(b, "POST", MGR "/Actions/Manager.Reset", "{\"ResetType\":\"GracefulRestart\"}",
				      &r, "resetting the BMC");
	if (ret)
		return ret;
	bf_rfresp_free(&r);
	bf_print_line("%s reset requested", !strcmp(what, "arm") ? "Arm" : "BMC");
	return bf_cli_ok();
}

int bf_bmc_cli_rshim_owner(struct bf_bmc_cli *b, char *owner, size_t cap)
{
	struct bf_rfresp r;
	char host[32] = "";
	bool bmc = false;
	int ret;

	if ((ret = bf_bmc_cli_call(b, "GET", MGR "/Oem/Nvidia", NULL, &r, "reading the BMC's RShim state")))
		return ret;
	bf_redfish_get_bool(r.body, r.len, &bmc, "BmcRShim", "BmcRShimEnabled", (char *)NULL);
	bf_rfresp_free(&r);
	if ((ret = bf_bmc_cli_call(b, "GET", SYS "/Oem/Nvidia", NULL, &r, "reading the host RShim state")))
		return ret;
	bf_redfish_get_string(r.body, r.len, host, sizeof(host), "HostRshim", (char *)NULL);
	bf_rfresp_free(&r);
	snprintf(owner, cap, "%s", bmc ? "bmc" : strcmp(host, "Disabled") ? "host" : "none");
	return 0;
}

int bf_bmc_cli_rshim_set(struct bf_bmc_cli *b, bool to_bmc)
{
	struct bf_rfresp r;
	char owner[16];
	unsigned i;
	int ret;

	for (i = 0; i < 3; i++) {
		if (to_bmc) {
			if ((ret = bf_bmc_cli_call(b, "POST", SYS "/Oem/Nvidia/Actions/HostRshim.Set",
						   "{\"HostRshim\":\"Disabled\"}", &r, "disabling the host RShim")))
				return ret;
			bf_rfresp_free(&r);
			if (i && (ret = bf_bmc_cli_call(b, "PATCH", MGR "/Oem/Nvidia",
							"{\"BmcRShim\":{\"BmcRShimEnabled\":false}}", &r,
							"restarting the BMC's RShim")) == 0)
				bf_rfresp_free(&r);
			if ((ret = bf_bmc_cli_call(b, "PATCH", MGR "/Oem/Nvidia", "{\"BmcRShim\":{\"BmcRShimEnabled\":true}}",
						   &r, "enabling the BMC's RShim")))
				return ret;
			bf_rfresp_free(&r);
		} else {
			if ((ret = bf_bmc_cli_call(b, "PATCH", MGR "/Oem/Nvidia",
						   "{\"BmcRShim\":{\"BmcRShimEnabled\":false}}", &r,
						   "releasing the BMC's RShim")))
				return ret;
			bf_rfresp_free(&r);
			if ((ret = bf_bmc_cli_call(b, "POST", SYS "/Oem/Nvidia/Actions/HostRshim.Set",
						   "{\"HostRshim\":\"Enabled\"}", &r, "enabling the host RShim")))
				return ret;
			bf_rfresp_free(&r);
		}
		if ((ret = bf_bmc_cli_rshim_owner(b, owner, sizeof(owner))))
			return ret;
		if (!strcmp(owner, to_bmc ? "bmc" : "host"))
			return 0;
		/* Bounded: three attempts, 2 s apart. */
		bf_info("the RShim owner reads back as %s, not %s: attempt %u of 3", owner, to_bmc ? "bmc" : "host",
			i + 1);
		bf_clock_sleep_ns(2000000000ull);
	}
	return bf_cli_fail(BF_EXIT_DEVICE, 0,
			   to_bmc ? "a host program holds the RShim (an rshim daemon, bfctl): stop it (systemctl stop rshim) and retry"
				  : "retry, or reset the BMC ('bfctl bmc reset bmc')",
			   "the BMC at %s could not hand the DPU's RShim to the %s", b->rf.host, to_bmc ? "BMC" : "host");
}

static int rshim(struct bf_bmc_cli *b, const char *set)
{
	char owner[16];
	int ret;

	if (set && strcmp(set, "host") && strcmp(set, "bmc"))
		bf_cli_usage_error("rshim takes host or bmc");
	if (set && (ret = bf_bmc_cli_rshim_set(b, !strcmp(set, "bmc"))))
		return ret;
	if ((ret = bf_bmc_cli_rshim_owner(b, owner, sizeof(owner))))
		return ret;
	bf_print_begin("rshim");
	bf_print_string(BF_PRINT_ANY, "owner", "RShim owner: %s\n", owner);
	bf_print_end();
	return bf_cli_ok();
}

int bf_cmd_bmc(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "bmc", required_argument, NULL, BF_OPT_BMC },
		{ "password-file", required_argument, NULL, BF_OPT_PASSWORD_FILE },
		{ "cacert", required_argument, NULL, BF_OPT_CACERT },
		{ "insecure", no_argument, NULL, BF_OPT_INSECURE },
		{ "timeout", required_argument, NULL, 't' },
		BF_CLI_LONGOPTS, { 0 } };
	const char *url = NULL, *pwfile = NULL, *cacert = NULL, *sub, *arg = NULL;
	double timeout = DEFAULT_TIMEOUT_S;
	bool insecure = false;
	struct bf_bmc_cli b;
	int opt, ret;

	while ((opt = bf_cli_getopt(argc, argv, "t:" BF_CLI_SHORTOPTS, longopts)) != -1) {
		switch (opt) {
		case BF_OPT_BMC: url = optarg; break;
		case BF_OPT_PASSWORD_FILE: pwfile = optarg; break;
		case BF_OPT_CACERT: cacert = optarg; break;
		case BF_OPT_INSECURE: insecure = true; break;
		case 't':
			if (bf_duration_parse(optarg, &timeout) < 0)
				bf_cli_usage_error("--timeout: %s", bf_error_get());
			break;
		default:
			bf_cli_common(opt, bmc_usage);
		}
	}
	if (optind >= argc)
		bf_cli_usage_error("which: inventory, mode, reset or rshim?");
	sub = argv[optind++];
	if (optind < argc)
		arg = argv[optind++];
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (strcmp(sub, "inventory") && strcmp(sub, "mode") && strcmp(sub, "reset") && strcmp(sub, "rshim"))
		bf_cli_usage_error("unknown bmc command '%s' (inventory, mode, reset, rshim)", sub);
	if (!strcmp(sub, "inventory") && arg)
		bf_cli_usage_error("inventory takes no argument");
	if (!strcmp(sub, "reset") && !arg)
		bf_cli_usage_error("reset takes arm or bmc");
	if ((ret = bf_bmc_cli_open(&b, url, pwfile, cacert, insecure, timeout)))
		return ret;
	if (!strcmp(sub, "inventory"))
		ret = inventory(&b);
	else if (!strcmp(sub, "mode"))
		ret = mode(&b, arg);
	else if (!strcmp(sub, "reset"))
		ret = reset(&b, arg);
	else
		ret = rshim(&b, arg);
	bf_bmc_cli_close(&b);
	return ret;
}
