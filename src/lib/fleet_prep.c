/* fleet_prep.c - phase 1 of a fleet run: every distinct bundle and bf.cfg
 * downloaded once (URLs), checked once (bundle: every header and CRC, and
 * the digest when one is given; bf.cfg: the install checks), before any
 * device is touched; then each device's journal. */
#include "config.h"
#include "fleet_int.h"
#include "bfb_file.h"
#include "bfb_info.h"
#include "cfgcheck.h"
#include "clock.h"
#include "error.h"
#include "fileio.h"
#include "log.h"
#include "print.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct input {
	const char *src;          /* path or URL, as the inventory gives it */
	const char *sha256;       /* expected, or NULL */
	bool cfg;
	char path[PATH_MAX];      /* local, checked */
	char id[160];             /* for the journal key: digest, or size:mtime */
	struct bf_bfb_component *comps;   /* a bundle's inventory */
	size_t ncomps;
	const char *step;         /* where it failed: download or verify */
	int code;                 /* 0 ok, else the exit code */
	char msg[768];
	char hint[200];
};

static struct input *find(struct input *in, size_t n, const char *src, const char *sha, bool cfg)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (in[k].cfg == cfg && !strcmp(in[k].src, src) &&
		    ((!in[k].sha256 && !sha) || (in[k].sha256 && sha && !strcmp(in[k].sha256, sha))))
			return &in[k];
	return NULL;
}

static void input_fail(struct input *in, const char *step, int code, const char *hint)
{
	in->step = step;
	in->code = code;
	snprintf(in->msg, sizeof(in->msg), "%s", bf_error_or("failed"));
	snprintf(in->hint, sizeof(in->hint), "%s", hint ? hint : "");
	bf_error_clear();
}

/* A URL into the cache; a path as it is, against its digest if given. */
static int obtain(struct input *in, const struct bf_fetch_opts *fo)
{
	struct bf_fetch_opts o = *fo;
	struct bf_fetch_result res;
	struct stat st;
	char got[65];
	int r;

	if (bf_fetch_is_url(in->src)) {
		o.sha256 = in->sha256;
		if ((r = bf_fetch(in->src, &o, &res)) < 0)
			return input_fail(in, "download", bf_fetch_exit_code(r), "check the URL and the server"), r;
		snprintf(in->path, sizeof(in->path), "%s", res.path);
		snprintf(in->id, sizeof(in->id), "sha256:%s", res.sha256);
		return 0;
	}
	snprintf(in->path, sizeof(in->path), "%s", in->src);
	if ((r = bf_file_check_input(in->path)) < 0)
		return input_fail(in, "download", BF_EXIT_INPUT, NULL), r;
	if (in->sha256 || in->cfg) {
		/* A bf.cfg is small: its content, not its size and time, keys the journal. */
		if ((r = bf_fetch_file_sha256(in->path, got)) < 0)
			return input_fail(in, "download", BF_EXIT_INPUT, NULL), r;
		if (in->sha256 && strcmp(got, in->sha256)) {
			bf_error_set("%s: SHA-256 %s, expected %s", in->path, got, in->sha256);
			return input_fail(in, "verify", BF_EXIT_INPUT, "get an intact copy of the bundle"), -EBADMSG;
		}
		snprintf(in->id, sizeof(in->id), "sha256:%s", got);
	} else if (stat(in->path, &st) == 0) {
		snprintf(in->id, sizeof(in->id), "%lld:%lld", (long long)st.st_size, (long long)st.st_mtime);
	}
	return 0;
}

static void check_bundle(struct input *in)
{
	struct bf_bfb_summary sum;
	int r;

	memset(&sum, 0, sizeof(sum));
	bf_error_clear();
	r = bf_bfb_file_verify(in->path, &sum);
	bf_print_begin("verify");
	bf_print_string(BF_PRINT_JSON, "file", NULL, in->path);
	bf_print_bool(BF_PRINT_JSON, "ok", NULL, r == 0);
	bf_print_uint(BF_PRINT_JSON, "images", NULL, sum.nimages);
	bf_print_uint(BF_PRINT_JSON, "bytes", NULL, sum.bytes);
	bf_print_end();
	if (r < 0) {
		char why[600];

		snprintf(why, sizeof(why), "%s", bf_error_str(r));
		bf_error_set("%s failed verification: %s", in->src, why);
		input_fail(in, "verify", BF_EXIT_INPUT, "nothing was pushed; get an intact copy of the bundle");
		return;
	}
	bf_print_line("%s: verified, %u images", in->src, sum.nimages);
	{
		/* Its inventory, for every device's platform check. */
		struct bf_bfb_info info;

		if (bf_bfb_info_read(in->path, &info) == 0) {
			if (info.ncomps && (in->comps = calloc(info.ncomps, sizeof(*in->comps)))) {
				memcpy(in->comps, info.comps, info.ncomps * sizeof(*in->comps));
				in->ncomps = info.ncomps;
			}
			bf_bfb_info_free(&info);
		}
		bf_error_clear();
	}
}

static void check_cfg(struct input *in)
{
	int r;

	bf_error_clear();
	if ((r = bf_cfgcheck_install_file(in->path, 0)) < 0) {
		char why[600];

		snprintf(why, sizeof(why), "%s", bf_error_str(r));
		bf_error_set("bf.cfg %s rejected: %s", in->src, why);
		input_fail(in, "verify", BF_EXIT_INPUT, "nothing was pushed");
	}
}

/* The key names the content of each input: a profile or bf.cfg edited
 * between two runs makes the device start over on --resume. */
static void journal_key(struct fleet *f, size_t i, const struct input *b, const struct input *c,
			const char *profile)
{
	snprintf(f->x[i].key, sizeof(f->x[i].key), "bfb=%s;config=%s;profile=%s%s",
		 b ? b->id : "", c ? c->id : "", profile[0] ? "sha256:" : "", profile);
}

/* A profile's digest into out ("" without one): 0, or -errno with a sentence. */
static int profile_digest(const char *path, char out[65])
{
	int r;

	out[0] = '\0';
	if (!path)
		return 0;
	if ((r = bf_file_check_input(path)) < 0)
		return r;
	return bf_fetch_file_sha256(path, out);
}

int bf_fleet_journal_open(struct fleet *f, size_t i)
{
	struct bf_fleet_dev *d = &f->devs[i];
	int r;

	if ((r = bf_journal_open(&f->x[i].journal, d->state_dir, f->x[i].key, f->o->resume, f->o->plan)) < 0) {
		bf_fleet_fail(f, i, BF_EXIT_FAILURE, "check the state directory (--state-dir)", "%s: %s",
			      d->inv->name, bf_error_str(r));
		return r;
	}
	return bf_journal_record(&f->x[i].journal, "download");
}

void bf_fleet_prepare(struct fleet *f)
{
	struct input *in = calloc(2 * f->n + 1, sizeof(*in));
	size_t i, n = 0;

	if (!in) {
		for (i = 0; i < f->n; i++)
			bf_fleet_fail(f, i, BF_EXIT_FAILURE, NULL, "out of memory");
		return;
	}
	for (i = 0; i < f->n && !bf_stop_requested(); i++) {
		struct bf_fleet_dev *d = &f->devs[i];
		struct bf_fetch_opts fo = f->o->fetch;
		struct input *b, *c;
		char pdig[65];

		d->step = "download";
		b = find(in, n, d->inv->bfb ? d->inv->bfb : "", d->inv->sha256, false);
		if (!b && d->inv->bfb) {
			b = &in[n++];
			b->src = d->inv->bfb;
			b->sha256 = d->inv->sha256;
			if (obtain(b, &fo) == 0)
				check_bundle(b);
		}
		c = find(in, n, d->inv->config ? d->inv->config : "", NULL, true);
		if (!c && d->inv->config) {
			c = &in[n++];
			c->src = d->inv->config;
			c->cfg = true;
			if (obtain(c, &fo) == 0)
				check_cfg(c);
		}
		if (b && b->code) {
			d->step = b->step;
			bf_fleet_fail(f, i, b->code, b->hint, "%s: %s", d->inv->name, b->msg);
		} else if (c && c->code) {
			d->step = c->step;
			bf_fleet_fail(f, i, c->code, c->hint, "%s: %s", d->inv->name, c->msg);
		} else if (profile_digest(d->inv->profile, pdig) < 0) {
			d->step = "verify";
			bf_fleet_fail(f, i, BF_EXIT_INPUT, NULL, "%s: %s", d->inv->name, bf_error_get());
			bf_error_clear();
		} else {
			snprintf(d->bfb, sizeof(d->bfb), "%s", b ? b->path : "");
			snprintf(d->config, sizeof(d->config), "%s", c ? c->path : "");
			journal_key(f, i, b, c, pdig);
			if (b && b->ncomps) {
				f->x[i].comps = b->comps;
				f->x[i].ncomps = b->ncomps;
			}
		}
	}
	for (; i < f->n; i++)
		bf_fleet_fail(f, i, BF_EXIT_INTERRUPTED, NULL, "%s: stopped before it started", f->devs[i].inv->name);
	f->inputs = in;
}

void bf_fleet_prepare_free(struct fleet *f)
{
	struct input *in = f->inputs;
	size_t k;

	for (k = 0; in && k < 2 * f->n + 1; k++)
		free(in[k].comps);
	free(in);
	f->inputs = NULL;
}
