/* cmd_fw_burn.c - bfctl fw burn DEV IMAGE: the firmware's component update
 * with a progress bar, in place of flint burn (spec 6). */
#include "config.h"
#include "cli.h"
#include "cli_fetch.h"
#include "cmd_fw.h"
#include "error.h"
#include "event.h"
#include "fileio.h"
#include "fw/burn.h"
#include "fw/dev.h"
#include "fw/query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ui {
	struct bf_progress bar;
	enum bf_fw_burn_phase last;
	bool started;
};

static void say_ok(const char *what)
{
	bf_print_line("%s -   OK", what);
}

static void on_progress(void *ctx, enum bf_fw_burn_phase ph, uint64_t done, uint64_t total)
{
	struct ui *u = ctx;

	if (ph == BF_FW_BURN_DATA) {
		if (!u->started) {
			if (u->last == BF_FW_BURN_INITIALIZE)
				say_ok("Initializing image partition");
			bf_progress_begin(&u->bar, "burn", total);
			u->started = true;
		}
		bf_progress_update(&u->bar, done);
	} else if (ph != u->last) {
		if (u->started && u->last == BF_FW_BURN_DATA) {
			bf_progress_update(&u->bar, total);
			bf_progress_end(&u->bar);
			say_ok("Writing Boot image component");
		}
		if (u->last == BF_FW_BURN_VERIFY)
			say_ok("Verifying the image");
		if (u->last == BF_FW_BURN_ACTIVATE)
			say_ok("Activating the image");
	}
	u->last = ph;
}

int bf_cmd_fw_burn(int argc, char **argv)
{
	enum { OPT_ALLOW = BF_OPT_FIRST_CMD };
	static const struct option lo[] = {
		{ "yes", no_argument, NULL, 'y' }, { "allow-psid-change", no_argument, NULL, OPT_ALLOW },
		BF_CLI_FETCH_LONGOPTS, BF_FW_CLI_LONGOPTS, { 0 } };
	struct bf_cli_fetch fetch;
	struct bf_fw_burn_opts o = { 0 };
	struct bf_fw_burn_result res;
	struct bf_fw_image_hdr h;
	struct bf_fw_query q;
	struct bf_fw_dev *d;
	struct ui u = { .last = BF_FW_BURN_LOCK };
	const char *dev, *path;
	char psid[17], newv[16], question[256], *img;
	uint64_t t0;
	size_t len;
	bool yes = false;
	int opt, r;

	bf_cli_fetch_init(&fetch);
	while ((opt = bf_cli_getopt(argc, argv, "y" BF_CLI_SHORTOPTS, lo)) != -1) {
		if (bf_cli_fetch_opt(&fetch, opt, optarg))
			continue;
		if (opt == 'y')
			yes = true;
		else if (opt == OPT_ALLOW)
			o.allow_psid_change = true;
		else
			bf_fw_cli_common(opt, bf_fw_cli_usage());
	}
	if (argc - optind != 2)
		bf_cli_usage_error("burn takes DEV and IMAGE");
	dev = argv[optind];
	path = argv[optind + 1];
	if ((r = bf_cli_fetch_input(&fetch, &path, "firmware image", true)))
		return r;
	if ((r = bf_cli_input(path)))
		return r;
	bf_error_clear();
	if ((r = bf_file_read_all(path, BF_FW_IMAGE_MAX + BF_FW_IMAGE_HDR_SIZE, &img, &len)) < 0)
		return bf_cli_fail(r == -ENOMEM ? BF_EXIT_FAILURE : BF_EXIT_INPUT, r, NULL, "%s", path);
	if ((r = bf_fw_image_check((const uint8_t *)img, len, &h)) < 0) {
		free(img);
		return bf_cli_fail(BF_EXIT_INPUT, r, NULL, "%s", path);
	}
	if ((r = bf_fw_cli_open(dev, &d))) {
		free(img);
		return r;
	}
	if ((r = bf_fw_burn_check(d, (const uint8_t *)img, len, o.allow_psid_change, &h, psid)) < 0 ||
	    (r = bf_fw_query(d, &q)) < 0) {
		bf_fw_dev_close(d);
		free(img);
		return bf_cli_fail(r == -EINVAL || r == -EBADMSG ? BF_EXIT_INPUT : bf_cli_exit_for(r), r, NULL,
				   "cannot burn %s into %s", path, dev);
	}
	bf_fw_version_fmt(h.version, newv, sizeof(newv));
	bf_print_line("    Current FW version on flash:  %s", q.fw_version);
	bf_print_line("    New FW version:               %s", newv);
	if (strcmp(h.psid, psid))
		bf_print_line("    PSID change:                  %s -> %s", psid, h.psid);
	if (q.pending)
		bf_print_line("-W- %s already waits for a reset to run %s: its firmware takes no other update until then",
			     dev, q.fw_version);
	snprintf(question, sizeof(question), "Burn %s (%s) into %s?", path, newv, dev);
	if ((r = bf_fw_cli_confirm(question, yes))) {
		bf_fw_dev_close(d);
		free(img);
		return r;
	}
	o.progress = on_progress;
	o.ctx = &u;
	t0 = bf_fw_pci_now(d->pci);
	r = bf_fw_burn(d, (const uint8_t *)img, len, &o, &res);
	free(img);
	if (u.started && u.bar.active)
		bf_progress_end(&u.bar);
	if (r < 0) {
		bf_fw_dev_close(d);
		return bf_cli_fail(r == -EINTR ? BF_EXIT_INTERRUPTED : bf_cli_exit_for(r), r, NULL, "burning %s into %s failed",
				   path, dev);
	}
	bf_print_begin("fw_burn");
	bf_print_string(BF_PRINT_JSON, "device", NULL, dev);
	bf_print_string(BF_PRINT_JSON, "image", NULL, path);
	bf_print_string(BF_PRINT_JSON, "version", NULL, newv);
	bf_print_string(BF_PRINT_JSON, "running", NULL, q.fw_running);
	bf_print_string(BF_PRINT_JSON, "psid", NULL, h.psid);
	bf_print_uint(BF_PRINT_JSON, "bytes", NULL, len);
	bf_print_uint(BF_PRINT_JSON, "chunk", NULL, res.chunk);
	bf_print_uint(BF_PRINT_JSON, "config_accesses", NULL, res.accesses);
	bf_print_double(BF_PRINT_JSON, "seconds", NULL, (double)(bf_fw_pci_now(d->pci) - t0) / 1e9);
	bf_print_bool(BF_PRINT_JSON, "pending_reset", NULL, res.activated);
	bf_print_end();
	bf_fw_dev_close(d);
	bf_print_line("-I- To load new FW, issue system-level reset or use 'bfctl fw reset %s'.", dev);
	return bf_cli_ok();
}
