/* cmd_fw_config.c - bfctl fw config DEV query|set|reset: the NIC's NV
 * configuration by mlxconfig parameter names (firmware/params.yaml), in
 * place of mlxconfig q / s / reset. */
#include "config.h"
#include "cli.h"
#include "cmd_fw.h"
#include "error.h"
#include "event.h"
#include "print.h"
#include "fw/dev.h"
#include "fw/nvconf.h"
#include "fw/params.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 128

struct session {
	const char *dev;
	struct bf_fw_dev *d;
	struct bf_fw_params db;
	struct bf_fw_nvconf c;
};

static int open_session(struct session *s, const char *dev)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->dev = dev;
	bf_error_clear();
	if ((r = bf_fw_params_load(&s->db)) < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot load the parameter database");
	if ((r = bf_fw_cli_open(dev, &s->d))) {
		bf_fw_params_free(&s->db);
		return r;
	}
	if ((r = bf_fw_nvconf_open(&s->c, s->d, &s->db)) < 0) {
		r = bf_fw_cli_fail(r, "cannot read the configuration of", dev);
		bf_fw_dev_close(s->d);
		bf_fw_params_free(&s->db);
		return r;
	}
	return 0;
}

static void close_session(struct session *s)
{
	bf_fw_nvconf_close(&s->c);
	bf_fw_dev_close(s->d);
	bf_fw_params_free(&s->db);
}

static void header(struct session *s)
{
	char model[96] = "", desc[160] = "";

	bf_fw_dev_mqis(s->d, 1, model, sizeof(model));
	bf_fw_dev_mqis(s->d, 2, desc, sizeof(desc));
	bf_print_line("%s", "");
	bf_print_line("Device #1:");
	bf_print_line("----------");
	bf_print_line("%s", "");
	bf_print_line("%-20s%s", "Device type:", s->d->type ? s->d->type->name : "unknown");
	bf_print_line("%-20s%s", "Name:", model[0] ? model : "N/A");
	bf_print_line("%-20s%s", "Description:", desc[0] ? desc : "N/A");
	bf_print_line("%-20s%s", "Device:", s->dev);
	bf_print_line("%s", "");
}

/* One parameter: a row of mlxconfig's table in text ('*' when next differs
 * from default or current, RO, the name, then Default / Current / Next
 * (query) or Next / New (set)), an object of the params/changes array in
 * JSON. */
static void print_item(const struct bf_fw_nvconf *c, const struct bf_fw_nvitem *it, bool set)
{
	char pre[8] = "   ", d[48], cu[48], n[48], nw[48];

	if (it->supported && !set)
		snprintf(pre, sizeof(pre), "%c%-2s", it->next != it->def || it->next != it->cur ? '*' : ' ',
			 it->ro ? "RO" : "");
	bf_fw_param_format(it->p, it->def, d, sizeof(d));
	bf_fw_param_format(it->p, it->cur, cu, sizeof(cu));
	bf_fw_param_format(it->p, it->next, n, sizeof(n));
	bf_fw_param_format(it->p, it->value, nw, sizeof(nw));
	bf_print_open_object(NULL);
	bf_print_string(BF_PRINT_TEXT, NULL, "%s", pre);
	bf_print_string(BF_PRINT_ANY, "name", "%-48s", it->name);
	bf_print_bool(BF_PRINT_JSON, "supported", NULL, it->supported);
	if (!it->supported) {
		bf_print_null(BF_PRINT_TEXT, NULL, "not supported by this device\n");
	} else {
		if (!set) {
			bf_print_string(BF_PRINT_TEXT, NULL, "%-24s", c->has_default ? d : "N/A");
			bf_print_string(BF_PRINT_TEXT, NULL, "%-24s", c->has_current ? cu : "N/A");
		}
		bf_print_string(BF_PRINT_ANY, "next", set ? "%-24s" : "%s\n", n);
		if (c->has_current)
			bf_print_string(BF_PRINT_JSON, "current", NULL, cu);
		if (c->has_default)
			bf_print_string(BF_PRINT_JSON, "default", NULL, d);
		bf_print_int(BF_PRINT_JSON, "next_value", NULL, it->next);
		bf_print_bool(BF_PRINT_JSON, "read_only", NULL, it->ro);
		bf_print_int(BF_PRINT_JSON, "max", NULL, it->max);
	}
	if (it->staged)
		bf_print_string(set ? BF_PRINT_ANY : BF_PRINT_JSON, "new", "%s\n", nw);
	bf_print_close_object();
}

/* The items named (or every parameter, each port of per-port ones). */
static int collect(struct session *s, char **names, int n, struct bf_fw_nvitem *items, size_t *count,
		   bool all_supported_only)
{
	size_t k = 0, i;
	unsigned port;
	int j, r;

	if (n == 0) {
		for (i = 0; i < s->db.n && k < MAX_ARGS; i++) {
			unsigned ports = bf_fw_param_per_port(&s->db, &s->db.p[i]) ? s->c.nports : 0, pp;

			for (pp = ports ? 1 : 0; pp <= ports && k < MAX_ARGS; pp++) {
				if ((r = bf_fw_nvconf_get(&s->c, &s->db.p[i], pp, &items[k])) < 0)
					return r;
				if (items[k].supported || !all_supported_only)
					k++;
			}
		}
	}
	for (j = 0; j < n && k < MAX_ARGS; j++) {
		const struct bf_fw_param *p = bf_fw_params_find(&s->db, names[j], s->c.nports, &port);

		if (!p)
			return -EINVAL;
		if ((r = bf_fw_nvconf_get(&s->c, p, port, &items[k++])) < 0)
			return r;
	}
	*count = k;
	return 0;
}

static int do_query(struct session *s, char **names, int n)
{
	struct bf_fw_nvitem *items = calloc(MAX_ARGS, sizeof(*items));
	size_t count = 0, i;
	bool star = false;
	int r;

	if (!items)
		return bf_cli_fail(BF_EXIT_FAILURE, 0, NULL, "out of memory");
	if ((r = collect(s, names, n, items, &count, true)) < 0) {
		free(items);
		return r == -EINVAL ? bf_cli_fail(BF_EXIT_INPUT, r, NULL, "cannot query") :
				      bf_fw_cli_fail(r, "cannot read the configuration of", s->dev);
	}
	bf_print_begin("fw_config");
	header(s);
	bf_print_string(BF_PRINT_JSON, "device", NULL, s->dev);
	bf_print_line("%-51s%-24s%-24s%s", "Configurations:", "Default", "Current", "Next Boot");
	bf_print_open_array("params");
	for (i = 0; i < count; i++) {
		print_item(&s->c, &items[i], false);
		star = star || (items[i].supported &&
				(items[i].next != items[i].def || items[i].next != items[i].cur));
	}
	bf_print_close_array();
	if (star)
		bf_print_line("The '*' shows parameters with next value different from default/current value.");
	bf_print_end();
	free(items);
	return bf_cli_ok();
}

static void after_change(struct session *s, const char *what)
{
	bool prepared = false, dpu = false;

	if (bf_fw_nvconf_prepare_reset(&s->c, &prepared, &dpu) < 0)
		bf_error_clear();
	bf_print_line("%s Done!", what);
	if (dpu)
		bf_print_line("-I- Skipped reset preparation (DPU mode)");
	bf_print_line(prepared || dpu ? "-I- Please reboot machine to load new configurations (or: bfctl fw reset %s)." :
				      "-I- Please power cycle machine to load new configurations.", s->dev);
}

static int do_set(struct session *s, char **args, int n, bool yes)
{
	struct bf_fw_nvitem *items = calloc(MAX_ARGS, sizeof(*items));
	size_t i, j;
	int r = 0;

	if (!items)
		return bf_cli_fail(BF_EXIT_FAILURE, 0, NULL, "out of memory");
	if (n == 0 || n > MAX_ARGS)
		bf_cli_usage_error("set takes PARAM=VALUE ... (1 to %d)", MAX_ARGS);
	for (i = 0; i < (size_t)n; i++) {
		char name[96], *eq = strchr(args[i], '=');
		const struct bf_fw_param *p;
		unsigned port;
		uint32_t v;

		if (!eq || eq == args[i] || (size_t)(eq - args[i]) >= sizeof(name)) {
			r = bf_cli_fail(BF_EXIT_USAGE, 0, NULL, "'%s' is not PARAM=VALUE", args[i]);
			goto out;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - args[i]), args[i]);
		bf_error_clear();
		if (!(p = bf_fw_params_find(&s->db, name, s->c.nports, &port)) ||
		    bf_fw_param_parse_value(p, eq + 1, &v) < 0) {
			r = bf_cli_fail(BF_EXIT_INPUT, -EINVAL, NULL, "invalid setting");
			goto out;
		}
		if ((r = bf_fw_nvconf_get(&s->c, p, port, &items[i])) < 0) {
			r = bf_fw_cli_fail(r, "cannot read the configuration of", s->dev);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (items[j].p == p && items[j].port == port) {
				r = bf_cli_fail(BF_EXIT_USAGE, 0, NULL, "%s is given twice", items[i].name);
				goto out;
			}
		if ((r = bf_fw_nvconf_stage(&s->c, &items[i], v)) < 0) {
			r = bf_cli_fail(r == -EACCES || r == -ENOTSUP ? BF_EXIT_FAILURE : BF_EXIT_INPUT, r, NULL,
					"invalid setting");
			goto out;
		}
	}
	/* The table before the question (text); the event after the change (JSON). */
	if (!bf_event_json()) {
		header(s);
		bf_print_line("%-51s%-24s%s", "Configurations:", "Next Boot", "New");
		for (i = 0; i < (size_t)n; i++)
			print_item(&s->c, &items[i], true);
		bf_print_line("%s", "");
	}
	if ((r = bf_fw_cli_confirm("Apply new Configuration?", yes)))
		goto out;
	if ((r = bf_fw_nvconf_commit(&s->c)) < 0) {
		r = bf_fw_cli_fail(r, "cannot apply the configuration to", s->dev);
		goto out;
	}
	after_change(s, "Applying...");
	if (bf_event_json()) {
		bf_print_begin("fw_config_set");
		bf_print_string(BF_PRINT_JSON, "device", NULL, s->dev);
		bf_print_open_array("changes");
		for (i = 0; i < (size_t)n; i++)
			print_item(&s->c, &items[i], true);
		bf_print_close_array();
		bf_print_end();
	}
	r = bf_cli_ok();
out:
	free(items);
	return r;
}

static int do_reset(struct session *s, bool yes)
{
	char q[160];
	int r;

	snprintf(q, sizeof(q), "Reset configuration for device %s to default?", s->dev);
	if ((r = bf_fw_cli_confirm(q, yes)))
		return r;
	if ((r = bf_fw_nvconf_reset_all(&s->c)) < 0)
		return bf_fw_cli_fail(r, "cannot reset the configuration of", s->dev);
	after_change(s, "Reset configuration...");
	bf_print_begin("fw_config_reset");
	bf_print_end();
	return bf_cli_ok();
}

int bf_cmd_fw_config(int argc, char **argv)
{
	static const struct option lo[] = { { "yes", no_argument, NULL, 'y' }, BF_FW_CLI_LONGOPTS, { 0 } };
	struct session s;
	const char *dev, *op;
	bool yes = false;
	int opt, r;

	while ((opt = bf_cli_getopt(argc, argv, "y" BF_CLI_SHORTOPTS, lo)) != -1) {
		if (opt == 'y')
			yes = true;
		else
			bf_fw_cli_common(opt, bf_fw_cli_usage());
	}
	if (argc - optind < 2)
		bf_cli_usage_error("config takes DEV and query, set or reset");
	dev = argv[optind];
	op = argv[optind + 1];
	if (strcmp(op, "query") && strcmp(op, "q") && strcmp(op, "set") && strcmp(op, "s") && strcmp(op, "reset"))
		bf_cli_usage_error("config takes query, set or reset, not '%s'", op);
	if (!strcmp(op, "reset") && argc - optind > 2)
		bf_cli_usage_error("config reset resets every parameter: it takes no names");
	if ((r = open_session(&s, dev)))
		return r;
	if (op[0] == 'q')
		r = do_query(&s, argv + optind + 2, argc - optind - 2);
	else if (!strcmp(op, "reset"))
		r = do_reset(&s, yes);
	else
		r = do_set(&s, argv + optind + 2, argc - optind - 2, yes);
	close_session(&s);
	return r;
}
