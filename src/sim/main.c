/* main.c - bfsim: the simulated BlueField as a program (bundle, run, status). */
#include "config.h"
#include "bfb_pack.h"
#include "fileio.h"
#include "cli.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "sim.h"
#include "sim_int.h"
#include "host.h"
#include "nic.h"
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
	"Usage: bfsim bundle -o FILE [--kind full|fw] [--size MIB] [--chip bf2|bf3] [--force]\n"
	"       bfsim run [--chip bf2|bf3] [--state DIR] [--speed N] [--link-bps N]\n"
	"                 [--drain-bps N] [--fault F]... [--transport usb,pci] [--net]\n"
	"                 -- COMMAND [ARGS...]\n"
	"       bfsim status --state DIR [--json]\n"
	"       bfsim fwimage -o FILE --version X.Y.Z --psid PSID [--chip bf2|bf3] [...]\n"
	"\n"
	"A simulated BlueField-2/3: RShim registers, boot FIFO, boot stages,\n"
	"installer, RShim log. Inside 'bfsim run', COMMAND reaches it as sim:0.\n"
	"\n"
	"bundle   write a bundle the simulator installs (full: OS + firmware;\n"
	"         fw: firmware only). --size sets the OS payload in MiB (default 4).\n"
	"run      run COMMAND with the device reachable, in a private mount\n"
	"         namespace; exits with COMMAND's status (128+N on signal N).\n"
	"         --state DIR keeps the device (installed versions, log, registers)\n"
	"         in DIR (default: a temporary directory, removed afterwards).\n"
	"         --speed N runs simulated time N times faster than real time.\n"
	"         --link-bps / --drain-bps set the host link and the boot stream\n"
	"         consumption rates (bytes per simulated second; defaults 40000000\n"
	"         and 80000000). Faults: stall-after=BYTES (the device stops\n"
	"         draining the boot FIFO), unplug-after=BYTES (it vanishes),\n"
	"         corrupt-log (garbage records in the log ring), corrupt-stream=\n"
	"         OFFSET (one boot-stream byte damaged on its way in),\n"
	"         powercut-during=lock|mcda|verify|activate (the NIC loses power\n"
	"         once, in that phase of a firmware burn).\n"
	"         --transport usb,pci serves the device to COMMAND over USB\n"
	"         (libusb through umockdev) and/or PCI (sysfs config space\n"
	"         through FUSE) instead of sim:0.\n"
	"         --net puts COMMAND in a network namespace of its own and the\n"
	"         DPU's end of tmfifo_net0 (192.168.100.2/24) in another\n"
	"         ($BFSIM_DPU_NETNS, for nsenter --net=); rshimd in COMMAND\n"
	"         makes the host's tmfifo_net0.\n"
	"status   what the device in DIR has installed, and its counters.\n"
	"fwimage  write a NIC firmware image the simulated NIC accepts\n"
	"         (bfsim fwimage --help).\n"
	"\n"
	"Exit status: 0 ok, 1 failure, 2 usage, 3 invalid input, 8 output exists;\n"
	"run: COMMAND's status. See bfsim(1).\n";

/* The recipe for KIND-CHIP, from the data directory (bf_data_path). */
static int find_recipe(const char *kind, const char *chip, char *out, size_t cap)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "bfb/%s-%s.yaml", kind, chip);
	return bf_data_path(rel, out, cap);
}

static int cmd_bundle(int argc, char **argv)
{
	enum { OPT_KIND = BF_OPT_FIRST_CMD, OPT_SIZE, OPT_CHIP, OPT_FORCE };
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "chip", required_argument, NULL, OPT_CHIP },
		{ "force", no_argument, NULL, OPT_FORCE },
		BF_CLI_LONGOPTS, { 0 } };
	const char *out = NULL, *kind = "full", *chip = "bf3";
	char recipe[PATH_MAX], size[48] = "";
	struct bf_bfb_pack *p;
	bool force = false;
	char *end;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "o:" BF_CLI_SHORTOPTS, lo, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case OPT_FORCE: force = true; break;
		case OPT_KIND:
			if (strcmp(optarg, "full") && strcmp(optarg, "fw"))
				bf_cli_usage_error("--kind takes full or fw");
			kind = optarg;
			break;
		case OPT_SIZE: {
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || v > 3800)
				bf_cli_usage_error("--size takes MiB, 0 to 3800");
			snprintf(size, sizeof(size), "size_mib=%lu", v);
			break;
		}
		case OPT_CHIP:
			if (strcmp(optarg, "bf2") && strcmp(optarg, "bf3"))
				bf_cli_usage_error("--chip takes bf2 or bf3");
			chip = optarg;
			break;
		default: bf_cli_common(opt, usage);
		}
	}
	if (!out || optind != argc)
		bf_cli_usage_error("bundle needs -o FILE and no other arguments");
	if (size[0] && strcmp(kind, "full"))
		bf_cli_usage_error("--size sets the OS payload of a full bundle");
	if ((r = find_recipe(kind, chip, recipe, sizeof(recipe))) < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot make the bundle");
	p = malloc(sizeof(*p));
	if (!p)
		return bf_cli_fail(BF_EXIT_FAILURE, -ENOMEM, NULL, "out of memory");
	bf_bfb_pack_init(p);
	r = size[0] ? bf_bfb_pack_set_param(p, size) : 0;
	if (r == 0)
		r = bf_bfb_pack_add_manifest(p, recipe);
	if (r == 0)
		r = bf_bfb_pack_write(p, out, false, force, true);
	bf_bfb_pack_free(p);
	free(p);
	if (r == -EEXIST)
		return bf_cli_fail(BF_EXIT_EXISTS, r, "use --force to replace it", "cannot write %s", out);
	if (r < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot write %s", out);
	bf_event_say("%s: %s bundle for %s written (recipe %s)", out, kind, chip, recipe);
	return bf_cli_ok();
}

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

static pid_t child;

static const struct bf_sim_transport *const transports[] = {
	&bf_sim_transport_usb, &bf_sim_transport_pci,
};
#define N_TRANSPORTS (sizeof(transports) / sizeof(transports[0]))

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

/* The device held by bfsim and its transports started (before COMMAND). */
static int host_start(const struct bf_sim_config *cfg, unsigned mask, const char *list,
		      struct bf_sim_host *h, void **ctx)
{
	char run[PATH_MAX + 8];
	size_t i;
	int r;

	snprintf(h->dir, sizeof(h->dir), "/tmp/bfsim-run.XXXXXX");
	if (!mkdtemp(h->dir))
		return bf_error_ret(errno, "cannot make a scratch directory: %s", strerror(errno));
	pthread_mutex_init(&h->lock, NULL);
	if ((r = bf_sim_open(cfg, &h->sim)) < 0)
		return bf_error_get() ? r : bf_error_ret(-r, "cannot start the simulated device: %s", strerror(-r));
	for (i = 0; i < N_TRANSPORTS; i++)
		if ((mask & (1u << i)) && (r = transports[i]->start(h, &ctx[i])) < 0)
			return r;
	/* sim:0 would be a second copy of the device: COMMAND is told. */
	setenv("BFSIM_TRANSPORT", list, 1);
	/* The devices COMMAND sees are this run's: their owner locks too
	 * (another run's usb:1-4 is another device). */
	snprintf(run, sizeof(run), "%s/run", h->dir);
	if (mkdir(run, 0755) < 0)
		return bf_error_ret(errno, "cannot make %s: %s", run, strerror(errno));
	setenv("BFCTL_RUNDIR", run, 1);
	return 0;
}

static void host_stop(struct bf_sim_host *h, unsigned mask, void **ctx)
{
	size_t i;

	for (i = N_TRANSPORTS; i-- > 0;)
		if ((mask & (1u << i)) && ctx[i] && transports[i]->stop)
			transports[i]->stop(ctx[i]);
	if (h->sim) {
		pthread_mutex_lock(&h->lock);
		bf_sim_close(h->sim);
		h->sim = NULL;
		pthread_mutex_unlock(&h->lock);
	}
	if (h->dir[0] && strcmp(h->dir, "/tmp/bfsim-run.XXXXXX"))
		rm_rf(h->dir);
}

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int cmd_run(int argc, char **argv)
{
	enum { OPT_CHIP = BF_OPT_FIRST_CMD, OPT_STATE, OPT_SPEED, OPT_LINK, OPT_DRAIN, OPT_FAULT,
	       OPT_TRANSPORT, OPT_NET };
	static const struct option lo[] = {
		{ "chip", required_argument, NULL, OPT_CHIP },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "link-bps", required_argument, NULL, OPT_LINK },
		{ "drain-bps", required_argument, NULL, OPT_DRAIN },
		{ "fault", required_argument, NULL, OPT_FAULT },
		{ "transport", required_argument, NULL, OPT_TRANSPORT },
		{ "net", no_argument, NULL, OPT_NET },
		BF_CLI_LONGOPTS, { 0 } };
	struct bf_sim_netns netns = { .holder = -1, .sock = -1, .tapfd = -1 };
	bool net = false;
	struct bf_sim_config cfg;
	struct bf_sim_host host = { 0 };
	void *tctx[N_TRANSPORTS] = { 0 };
	const char *tlist = NULL;
	unsigned tmask = 0;
	char tmpdir[] = "/tmp/bfsim-state.XXXXXX";
	bool tmp = false;
	size_t i;
	struct sigaction sa;
	int opt, st;
	char *end;

	bf_sim_config_defaults(&cfg);
	while ((opt = getopt_long(argc, argv, "+" BF_CLI_SHORTOPTS, lo, NULL)) != -1) {
		switch (opt) {
		case OPT_CHIP:
			cfg.chip = bf_chip_by_name(optarg);
			if (!cfg.chip || cfg.chip->ver == BF_CHIP_BF1)
				bf_cli_usage_error("--chip takes bf2 or bf3");
			break;
		case OPT_STATE:
			if (strlen(optarg) >= sizeof(cfg.state_dir))
				bf_cli_usage_error("--state path too long");
			snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", optarg);
			break;
		case OPT_SPEED:
			cfg.speed = strtod(optarg, &end);
			if (*end || !(cfg.speed > 0) || cfg.speed > 1e6)
				bf_cli_usage_error("--speed takes a number in (0, 1e6]");
			break;
		case OPT_LINK:
		case OPT_DRAIN: {
			unsigned long long v = strtoull(optarg, &end, 10);

			if (*end || !v)
				bf_cli_usage_error("%s takes bytes per second", opt == OPT_LINK ? "--link-bps" : "--drain-bps");
			*(opt == OPT_LINK ? &cfg.link_bps : &cfg.drain_bps) = v;
			break;
		}
		case OPT_FAULT:
			if (bf_sim_config_add_fault(&cfg, optarg) < 0)
				bf_cli_usage_error("%s", bf_error_get());
			break;
		case OPT_TRANSPORT:
			if (parse_transports(optarg, &tmask) < 0)
				bf_cli_usage_error("--transport takes usb, pci or usb,pci");
			tlist = optarg;
			break;
		case OPT_NET:
			net = true;
			break;
		default: bf_cli_common(opt, usage);
		}
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		bf_cli_usage_error("run needs -- COMMAND");
	if (!cfg.state_dir[0]) {
		if (!mkdtemp(tmpdir))
			return bf_cli_fail(BF_EXIT_FAILURE, -errno, NULL, "cannot make a state directory");
		snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", tmpdir);
		tmp = true;
	}
	bf_sim_config_to_env(&cfg);
	/* Before the device opens: the simulator picks up $BFSIM_NET_FD. */
	if (net && bf_sim_netns_start(&netns) < 0) {
		st = bf_cli_fail(BF_EXIT_FAILURE, -EIO, NULL, "cannot make the tmfifo network");
		bf_sim_netns_stop(&netns);
		if (tmp)
			rm_rf(tmpdir);
		return st;
	}
	if (tmask && host_start(&cfg, tmask, tlist, &host, tctx) < 0) {
		st = bf_cli_fail(BF_EXIT_FAILURE, -EIO, NULL, "cannot serve the simulated device");
		host_stop(&host, tmask, tctx);
		if (tmp)
			rm_rf(tmpdir);
		return st;
	}

	/* Forward SIGINT/SIGTERM to COMMAND (installed before the fork, so
	 * that none is missed); COMMAND itself gets the default actions. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	child = fork();
	if (child < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, -errno, NULL, "cannot start %s", argv[optind]);
	if (child == 0) {
		/* A private mount namespace: later transports mount the simulated
		 * device's sysfs and device files here, seen only by COMMAND. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (unshare(CLONE_NEWNS) == 0)
			mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
		else if (tmask) {
			fprintf(stderr, "bfsim run: --transport needs a private mount namespace: %s\n",
				strerror(errno));
			_exit(127);
		} else
			bf_info("no private mount namespace (%s): running COMMAND in this one", strerror(errno));
		for (i = 0; i < N_TRANSPORTS; i++)
			if ((tmask & (1u << i)) && transports[i]->enter && transports[i]->enter(tctx[i]) < 0) {
				fprintf(stderr, "bfsim run: %s\n", bf_error_get() ? bf_error_get() : "transport setup failed");
				_exit(127);
			}
		if (net && bf_sim_netns_enter() < 0) {
			fprintf(stderr, "bfsim run: %s\n", bf_error_get());
			_exit(127);
		}
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "bfsim run: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (tmask)
		host_stop(&host, tmask, tctx);
	if (net)
		bf_sim_netns_stop(&netns);
	if (tmp)
		rm_rf(tmpdir);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static json_object *read_file_json(const char *dir, const char *name)
{
	int err;

	return bf_sim_state_read(dir, name, &err);
}

static const char *jstr(json_object *o, const char *a, const char *b)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b && (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, b, &v)))
		return NULL;
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int cmd_status(int argc, char **argv)
{
	enum { OPT_STATE = BF_OPT_FIRST_CMD };
	static const struct option lo[] = {
		{ "state", required_argument, NULL, OPT_STATE }, BF_CLI_LONGOPTS, { 0 } };
	const char *dir = getenv("BFSIM_STATE");
	json_object *nv, *rt, *inst = NULL, *out, *cnt, *v;
	int opt;

	while ((opt = getopt_long(argc, argv, BF_CLI_SHORTOPTS, lo, NULL)) != -1) {
		if (opt == OPT_STATE)
			dir = optarg;
		else
			bf_cli_common(opt, usage);
	}
	if (!dir || optind != argc)
		bf_cli_usage_error("status needs --state DIR");
	rt = read_file_json(dir, "runtime.json");
	nv = read_file_json(dir, "nv.json");
	if (!rt && !nv)
		return bf_cli_fail(BF_EXIT_INPUT, -ENOENT, "run a command under 'bfsim run --state DIR' first",
				   "no simulated device state in %s", dir);
	if (nv)
		json_object_object_get_ex(nv, "installed", &inst);
	out = json_object_new_object();
	json_object_object_add(out, "state", json_object_new_string(dir));
	json_object_object_add(out, "chip", json_object_new_string(jstr(rt, "chip", NULL) ? jstr(rt, "chip", NULL) : "unknown"));
	json_object_object_add(out, "phase", json_object_new_string(jstr(rt, "phase", NULL) ? jstr(rt, "phase", NULL) : "off"));
	json_object_object_add(out, "installed", inst ? json_object_get(inst) : json_object_new_object());
	cnt = json_object_new_object();
	{
		static const char *const keys[] = { "boot_bytes", "drained_bytes", "overflow_bytes",
						    "resets", "log_dropped", "log_truncated", "tm_lost" };
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			json_object_object_add(cnt, keys[i], json_object_new_int64(
				rt && json_object_object_get_ex(rt, keys[i], &v) ? json_object_get_int64(v) : 0));
	}
	json_object_object_add(out, "counters", cnt);
	/* Boot progress: installer/firmware steps still to come. */
	json_object_object_add(out, "pending_events", json_object_new_int(
		rt && json_object_object_get_ex(rt, "events", &v) && json_object_is_type(v, json_type_array) ?
		(int)json_object_array_length(v) : 0));
	/* The crypt hash is not the password; JSON carries it, text says "set". */
	json_object_object_add(out, "password_set", json_object_new_boolean(
		jstr(inst, "ubuntu_password_hash", NULL) != NULL));
	if (bf_event_json()) {
		bf_event_emit("status", json_object_get(out));
	} else {
		bf_event_say("device      %s (%s)", jstr(out, "chip", NULL), dir);
		bf_event_say("phase       %s", jstr(out, "phase", NULL));
		bf_event_say("OS          %s %s (%s)", jstr(inst, "os", "name") ? jstr(inst, "os", "name") : "none",
			     jstr(inst, "os", "version") ? jstr(inst, "os", "version") : "",
			     jstr(inst, "os", "release") ? jstr(inst, "os", "release") : "-");
		bf_event_say("DOCA        %s", jstr(inst, "os", "doca") ? jstr(inst, "os", "doca") : "-");
		bf_event_say("hostname    %s", jstr(inst, "os", "hostname") ? jstr(inst, "os", "hostname") : "-");
		bf_event_say("ATF/UEFI    %s / %s", jstr(inst, "atf", NULL) ? jstr(inst, "atf", NULL) : "-",
			     jstr(inst, "uefi", NULL) ? jstr(inst, "uefi", NULL) : "-");
		bf_event_say("NIC FW      %s (PSID %s)", jstr(inst, "nic_fw", "version") ? jstr(inst, "nic_fw", "version") : "-",
			     jstr(inst, "nic_fw", "psid") ? jstr(inst, "nic_fw", "psid") : "-");
		bf_event_say("BMC/CEC FW  %s / %s", jstr(inst, "bmc_fw", NULL) ? jstr(inst, "bmc_fw", NULL) : "-",
			     jstr(inst, "cec_fw", NULL) ? jstr(inst, "cec_fw", NULL) : "-");
		bf_event_say("ubuntu pw   %s", jstr(inst, "ubuntu_password_hash", NULL) ? "set (crypt hash from bf.cfg)" : "default");
		json_object_object_foreach(cnt, key, val)
			bf_event_say("%-11s %lld", key, (long long)json_object_get_int64(val));
	}
	json_object_put(out);
	json_object_put(rt);
	json_object_put(nv);
	return bf_cli_ok();
}

int main(int argc, char **argv)
{
	const char *cmd;
	char name[64];

	bf_event_init(false);
	bf_cli_set_cmdname("bfsim");
	if (argc < 2)
		bf_cli_usage_exit(usage, true);
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help"))
		bf_cli_usage_exit(usage, false);
	if (!strcmp(cmd, "--version")) {
		printf("bfsim %s\n", PACKAGE_VERSION);
		return 0;
	}
	snprintf(name, sizeof(name), "bfsim %s", cmd);
	bf_cli_set_cmdname(name);
	optind = 1;
	if (!strcmp(cmd, "bundle"))
		return cmd_bundle(argc - 1, argv + 1);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(cmd, "fwimage"))
		return bf_sim_cmd_fwimage(argc - 1, argv + 1);
	bf_cli_set_cmdname("bfsim");
	bf_cli_usage_error("unknown command '%s'", cmd);
}
