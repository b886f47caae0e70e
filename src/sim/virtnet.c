/* virtnet.c - bfsim's simulated virtio-net emulation controller, behind the
 * command line of the controller's `virtnet` CLI: hotplug, unplug, list,
 * query (and version), JSON on standard output. There is no daemon: each
 * invocation reads the controller's state file, changes it under a lock and
 * writes it back (temporary file and rename). `virtnet sim-init` sets the
 * simulated controller's limits. doc/virtnet.md has the model. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "vnet.h"

#define VNET_VERSION "v24.10.20"
#define VNET_DEFAULT_STATE "/run/bfsim/virtnet.json"

static const char *state_path(void)
{
	const char *p = getenv("BFSIM_VIRTNET_STATE");

	return p && *p ? p : VNET_DEFAULT_STATE;
}

static void print_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* The controller's refusal: its JSON status, a sentence on stderr, exit 1. */
static int refuse(int err)
{
	const char *msg = bf_error_str(err);

	print_json(bf_vnet_json_status(err, msg));
	fprintf(stderr, "virtnet: %s\n", msg);
	return 1;
}

static int usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "virtnet %s: %s (virtnet %s -h)\n", cmd, msg, cmd);
	return 2;
}

static int lock_state(const char *path)
{
	char lp[4096];
	int fd;

	if (snprintf(lp, sizeof(lp), "%s.lock", path) >= (int)sizeof(lp))
		return bf_error_ret(ENAMETOOLONG, "state path too long");
	fd = open(lp, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return bf_error_ret(errno, "cannot open %s: %s", lp, strerror(errno));
	if (flock(fd, LOCK_EX) < 0) {
		close(fd);
		return bf_error_ret(errno, "cannot lock %s", lp);
	}
	return fd;
}

/* No state file: a controller just started, with the default limits. */
static int load_state(const char *path, struct bf_vnet_state *s)
{
	static char buf[BF_VNET_STATE_MAX + 1];
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err;

	if (fd < 0 && errno == ENOENT) {
		bf_vnet_state_default(s);
		return 0;
	}
	if (fd < 0)
		return bf_error_ret(errno, "cannot open the state file %s: %s", path, strerror(errno));
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len > BF_VNET_STATE_MAX)
		return bf_error_ret(EINVAL, "state file %s is larger than %d bytes", path, BF_VNET_STATE_MAX);
	err = bf_vnet_state_parse(buf, len, s);
	if (err) {
		char why[256];

		snprintf(why, sizeof(why), "%s", bf_error_or("invalid"));
		return bf_error_ret(-err, "state file %s is damaged: %s (remove it or run virtnet sim-init)",
				    path, why);
	}
	return 0;
}

static int save_state(const char *path, const struct bf_vnet_state *s)
{
	char tmp[4096], *text = bf_vnet_state_format(s);
	size_t len;
	int fd, ok;

	if (!text)
		return -ENOMEM;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		free(text);
		return bf_error_ret(ENAMETOOLONG, "state path too long");
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(text);
		return bf_error_ret(errno, "cannot create %s: %s", tmp, strerror(errno));
	}
	len = strlen(text);
	ok = write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
	ok = (close(fd) == 0) && ok;
	free(text);
	if (!ok || rename(tmp, path) < 0) {
		unlink(tmp);
		return bf_error_ret(EIO, "cannot write the state file %s", path);
	}
	return 0;
}

/* The SF representor as a netdev (dummy), where the simulation is asked
 * to make one: `ip link add|del NAME [type dummy]`. */
static int run_ip(const char *op, const char *name)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (!strcmp(op, "add"))
			execlp("ip", "ip", "link", "add", name, "type", "dummy", (char *)NULL);
		else
			execlp("ip", "ip", "link", "del", name, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return bf_error_ret(EIO, "ip link %s %s failed", op, name);
	return 0;
}

static int rep_ifindex(const struct bf_vnet_state *s, const struct bf_vnet_dev *d)
{
	char name[BF_VNET_NAME_MAX];

	bf_vnet_rep_name(s, d, name, sizeof(name));
	return s->ctrl.rep_netdevs ? (int)if_nametoindex(name) : 100 + (int)d->pf_id;
}

struct session {
	const char *path;
	int lock;
	struct bf_vnet_state st;
};

static int open_session(struct session *ss)
{
	int err;

	ss->path = state_path();
	ss->lock = lock_state(ss->path);
	if (ss->lock < 0)
		return ss->lock;
	err = load_state(ss->path, &ss->st);
	if (err)
		close(ss->lock);
	return err;
}

static void close_session(struct session *ss)
{
	close(ss->lock);
}

static int num_arg(const char *cmd, const char *what, const char *t, uint64_t min, uint64_t max, uint64_t *v)
{
	char msg[128];

	if (bf_vnet_num_parse(t, min, max, v) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "%s must be a number in %llu..%llu", what, (unsigned long long)min,
		 (unsigned long long)max);
	usage_error(cmd, msg);
	return -1;
}

static const char hotplug_help[] =
	"usage: virtnet hotplug -i IB_DEVICE -m MAC -t MTU -n MAX_QUEUES -s MAX_QUEUE_SIZE\n"
	"                       [-u SF_NUM] [-f FEATURES] [-l]\n";

static int cmd_hotplug(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ib_device", 1, 0, 'i' }, { "mac", 1, 0, 'm' }, { "mtu", 1, 0, 't' },
		{ "max_queues", 1, 0, 'n' }, { "max_queue_size", 1, 0, 's' }, { "sf_num", 1, 0, 'u' },
		{ "features", 1, 0, 'f' }, { "legacy", 0, 0, 'l' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	struct bf_vnet_req r = { .sf_num = -1 };
	struct bf_vnet_dev *d;
	struct session ss;
	char rep[BF_VNET_NAME_MAX];
	uint64_t v;
	int c, err, have = 0;

	while ((c = getopt_long(argc, argv, "i:m:t:n:s:u:f:lh", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (strlen(optarg) >= BF_VNET_NAME_MAX)
				return usage_error("hotplug", "IB device name too long");
			r.ib_device = optarg; have |= 1; break;
		case 'm':
			if (bf_vnet_mac_parse(optarg, r.mac))
				return usage_error("hotplug", "MAC must be aa:bb:cc:dd:ee:ff");
			have |= 2; break;
		case 't': if (num_arg("hotplug", "MTU", optarg, 0, 65535, &v)) return 2; r.mtu = (unsigned)v; have |= 4; break;
		case 'n': if (num_arg("hotplug", "MAX_QUEUES", optarg, 0, 65535, &v)) return 2; r.queues = (unsigned)v; have |= 8; break;
		case 's': if (num_arg("hotplug", "MAX_QUEUE_SIZE", optarg, 0, 65535, &v)) return 2; r.queue_size = (unsigned)v; have |= 16; break;
		case 'u': if (num_arg("hotplug", "SF_NUM", optarg, 0, 65535, &v)) return 2; r.sf_num = (int)v; break;
		case 'f': if (num_arg("hotplug", "FEATURES", optarg, 1, UINT64_MAX, &v)) return 2; r.features = v; break;
		case 'l': r.transitional = 1; break;
		case 'h': fputs(hotplug_help, stdout); return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		return usage_error("hotplug", "unexpected argument");
	if (have != 31)
		return usage_error("hotplug", "-i, -m, -t, -n and -s are required");
	if ((err = open_session(&ss)))
		return refuse(err);
	err = bf_vnet_hotplug(&ss.st, &r, &d);
	if (!err && ss.st.ctrl.rep_netdevs) {
		bf_vnet_rep_name(&ss.st, d, rep, sizeof(rep));
		err = run_ip("add", rep);
	}
	if (!err && (err = save_state(ss.path, &ss.st)) && ss.st.ctrl.rep_netdevs)
		run_ip("del", rep);
	if (err) {
		close_session(&ss);
		return refuse(err);
	}
	print_json(bf_vnet_json_hotplug(&ss.st, d, rep_ifindex(&ss.st, d)));
	close_session(&ss);
	return 0;
}

/* -p PF or -u VUID (and -v VF, which hotplug devices never have). */
struct target { int pf, vf, all, brief; const char *vuid; };

static int parse_target(const char *cmd, int argc, char **argv, struct target *t, const char *help)
{
	static const struct option lo[] = {
		{ "pf", 1, 0, 'p' }, { "vf", 1, 0, 'v' }, { "vuid", 1, 0, 'u' }, { "all", 0, 0, 'a' },
		{ "brief", 0, 0, 'b' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	uint64_t v;
	int c;

	*t = (struct target){ .pf = -1, .vf = -1 };
	while ((c = getopt_long(argc, argv, "p:v:u:abh", lo, NULL)) != -1) {
		switch (c) {
		case 'p': if (num_arg(cmd, "PF", optarg, 0, 65535, &v)) return 2; t->pf = (int)v; break;
		case 'v': if (num_arg(cmd, "VF", optarg, 0, 65535, &v)) return 2; t->vf = (int)v; break;
		case 'u':
			if (strlen(optarg) >= 64)
				return usage_error(cmd, "VUID too long");
			t->vuid = optarg; break;
		case 'a': t->all = 1; break;
		case 'b': t->brief = 1; break;
		case 'h': fputs(help, stdout); return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument");
	if ((t->pf >= 0) + (t->vuid != NULL) + t->all != 1)
		return usage_error(cmd, t->all || !strcmp(cmd, "query") ? "give one of -a, -p PF or -u VUID"
								 : "give -p PF or -u VUID");
	return -1;
}

static int cmd_unplug(int argc, char **argv)
{
	static const char help[] = "usage: virtnet unplug -p PF_ID | -u VUID\n";
	struct target t;
	struct session ss;
	char rep[BF_VNET_NAME_MAX];
	int rc = parse_target("unplug", argc, argv, &t, help), idx, err;

	if (rc >= 0)
		return rc;
	if (t.all || t.vf >= 0 || t.brief)
		return usage_error("unplug", "-a, -v and -b do not apply");
	if ((err = open_session(&ss)))
		return refuse(err);
	idx = bf_vnet_find(&ss.st, t.pf, t.vuid);
	if (idx < 0) {
		close_session(&ss);
		if (t.vuid)
			return refuse(bf_error_ret(ENODEV, "no hotplug device with VUID %s", t.vuid));
		return refuse(bf_error_ret(ENODEV, "no hotplug device on PF %d", t.pf));
	}
	bf_vnet_rep_name(&ss.st, &ss.st.dev[idx], rep, sizeof(rep));
	bf_vnet_remove(&ss.st, (size_t)idx);
	err = save_state(ss.path, &ss.st);
	if (!err && ss.st.ctrl.rep_netdevs)
		err = run_ip("del", rep);
	close_session(&ss);
	if (err)
		return refuse(err);
	print_json(bf_vnet_json_status(0, "Success"));
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	struct session ss;
	int ifx[BF_VNET_MAX_DEVICES];
	size_t i;
	int err;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("usage: virtnet list");
		return 0;
	}
	if (argc > 1)
		return usage_error("list", "takes no arguments");
	if ((err = open_session(&ss)))
		return refuse(err);
	for (i = 0; i < ss.st.ndev; i++)
		ifx[i] = rep_ifindex(&ss.st, &ss.st.dev[i]);
	print_json(bf_vnet_json_list(&ss.st, ifx));
	close_session(&ss);
	return 0;
}

static int cmd_query(int argc, char **argv)
{
	static const char help[] = "usage: virtnet query -a [-b] | -p PF [-v VF] [-b] | -u VUID [-b]\n";
	size_t idx[BF_VNET_MAX_DEVICES], n = 0, i;
	struct target t;
	struct session ss;
	int rc = parse_target("query", argc, argv, &t, help), k, err;

	if (rc >= 0)
		return rc;
	if ((err = open_session(&ss)))
		return refuse(err);
	if (t.all) {
		for (i = 0; i < ss.st.ndev; i++)
			idx[n++] = i;
	} else if (t.vf >= 0 || (k = bf_vnet_find(&ss.st, t.pf, t.vuid)) < 0) {
		close_session(&ss);
		return refuse(bf_error_ret(ENODEV, "no such device"));
	} else {
		idx[n++] = (size_t)k;
	}
	print_json(bf_vnet_json_query(&ss.st, idx, n, t.brief));
	close_session(&ss);
	return 0;
}

static const char init_help[] =
	"usage: virtnet sim-init [--emulation-manager IBDEV] [--pf-bdf BDF] [--max-hotplug N]\n"
	"                        [--max-queues N] [--num-msix N] [--sf-budget N] [--rep-netdevs]\n"
	"Sets up the simulated controller (no devices). Not a command of the real CLI.\n";

static int cmd_sim_init(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "emulation-manager", 1, 0, 'e' }, { "pf-bdf", 1, 0, 'b' }, { "max-hotplug", 1, 0, 'p' },
		{ "max-queues", 1, 0, 'q' }, { "num-msix", 1, 0, 'm' }, { "sf-budget", 1, 0, 's' },
		{ "rep-netdevs", 0, 0, 'r' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	struct session ss;
	struct bf_vnet_ctrl *c;
	uint64_t v;
	int o, err;

	ss.path = state_path();
	bf_vnet_state_default(&ss.st);
	c = &ss.st.ctrl;
	while ((o = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (o) {
		case 'e':
			if (strlen(optarg) >= sizeof(c->emulation_manager))
				return usage_error("sim-init", "emulation manager name too long");
			strcpy(c->emulation_manager, optarg);
			break;
		case 'b':
			if (strlen(optarg) >= sizeof(c->pf_bdf))
				return usage_error("sim-init", "PCI address too long");
			strcpy(c->pf_bdf, optarg);
			break;
		case 'p': if (num_arg("sim-init", "--max-hotplug", optarg, 1, BF_VNET_MAX_HOTPLUG, &v)) return 2; c->max_hotplug = (unsigned)v; break;
		case 'q': if (num_arg("sim-init", "--max-queues", optarg, 1, 256, &v)) return 2; c->max_virt_queues = (unsigned)v; break;
		case 'm': if (num_arg("sim-init", "--num-msix", optarg, 2, 2048, &v)) return 2; c->num_msix = (unsigned)v; break;
		case 's': if (num_arg("sim-init", "--sf-budget", optarg, 0, 4096, &v)) return 2; c->sf_budget = (unsigned)v; break;
		case 'r': c->rep_netdevs = 1; break;
		case 'h': fputs(init_help, stdout); return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		return usage_error("sim-init", "unexpected argument");
	if (bf_vnet_ctrl_check(c))
		return usage_error("sim-init", bf_error_get());
	if ((ss.lock = lock_state(ss.path)) < 0)
		return refuse(ss.lock);
	err = save_state(ss.path, &ss.st);
	close_session(&ss);
	if (err)
		return refuse(err);
	print_json(bf_vnet_json_status(0, "Success"));
	return 0;
}

static const char main_help[] =
	"usage: virtnet [-v] COMMAND [OPTIONS]   (bfsim's simulated virtio-net controller)\n"
	"commands: hotplug, unplug, list, query, version, sim-init; COMMAND -h for its options\n"
	"state: $BFSIM_VIRTNET_STATE (default " VNET_DEFAULT_STATE ")\n";

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "-v") || !strcmp(cmd, "--version")) {
		puts(VNET_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		fputs(main_help, stdout);
		return 0;
	}
	if (!strcmp(cmd, "version")) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "Original Controller", json_object_new_string(VNET_VERSION));
		print_json(o);
		return 0;
	}
	if (!strcmp(cmd, "hotplug"))
		return cmd_hotplug(argc - 1, argv + 1);
	if (!strcmp(cmd, "unplug"))
		return cmd_unplug(argc - 1, argv + 1);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(cmd, "query"))
		return cmd_query(argc - 1, argv + 1);
	if (!strcmp(cmd, "sim-init"))
		return cmd_sim_init(argc - 1, argv + 1);
	fputs(main_help, stderr);
	return 2;
}
