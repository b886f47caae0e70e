/* cmd_bfb.c - bfctl bfb: inspect and verify BFB boot bundles. */
#include "config.h"
#include "bfb.h"
#include "bfb_file.h"
#include "bfb_info.h"
#include "bfb_pack.h"
#include "cli.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char bfb_usage[] =
	"Usage: bfctl bfb info FILE [--json]\n"
	"       bfctl bfb verify FILE [--json]\n"
	"       bfctl bfb pack -o OUT [--force] [--expert] [--from BFB]... [--manifest YAML]\n"
	"                      [--param KEY=VALUE]...\n"
	"                      [NAME=FILE | NAME==TEXT]...\n"
	"       bfctl bfb unpack FILE -C DIR [--force]\n"
	"\n"
	"Commands:\n"
	"  info FILE     every image (offset, id, name, description, version,\n"
	"                length, CRC status), trailing data, bundle kind (full,\n"
	"                fw, flat, boot, custom), component versions (info image)\n"
	"  verify FILE   check every image header and CRC, streaming; exit 0 when\n"
	"                the bundle is intact, 3 with the offset and name of the\n"
	"                first bad image otherwise\n"
	"  pack          build a BFB as mlx-mkbfb does: NAME is the mlx-mkbfb option\n"
	"                name (bl2, bl31, bl33, info, initramfs, nicfw, boot-args,\n"
	"                capsule, ...) with an optional -vN version (N <= 2);\n"
	"                NAME==TEXT takes TEXT literally. Images of --from BFBs come\n"
	"                first; later images replace earlier ones of the same name\n"
	"                and version. Canonical order unless --expert (order given).\n"
	"                --manifest reads the list (or a recipe with generated\n"
	"                content, see bfb/README.md) from YAML; --param sets its\n"
	"                ${KEY} parameters.\n"
	"  unpack FILE   one file per image in DIR, named NAME-vN, trailing data as\n"
	"                trailing.bin; a damaged bundle writes nothing\n"
	"\n"
	"Options:\n"
	"  --json        one JSON event per line (see bfctl(1))\n"
	"  -v            more detail\n"
	"  -h, --help    this help\n";

static int bfb_verify(int argc, char **argv)
{
	static const struct option longopts[] = { BF_CLI_LONGOPTS, { 0 } };
	struct bf_bfb_summary sum;
	int opt, r;

	while ((opt = getopt_long(argc, argv, BF_CLI_SHORTOPTS, longopts, NULL)) != -1)
		bf_cli_common(opt, bfb_usage);
	if (optind + 1 != argc)
		bf_cli_usage_error("verify needs exactly one FILE");

	r = bf_bfb_file_verify(argv[optind], &sum);
	if (bf_event_json()) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "file", json_object_new_string(argv[optind]));
		json_object_object_add(o, "ok", json_object_new_boolean(r == 0));
		json_object_object_add(o, "images", json_object_new_int((int)sum.nimages));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)sum.bytes));
		json_object_object_add(o, "trailing_bytes", json_object_new_int64((int64_t)sum.trailing_bytes));
		if (r == -EBADMSG) {
			json_object_object_add(o, "error_offset", json_object_new_int64((int64_t)sum.err_offset));
			if (sum.err_id >= 0)
				json_object_object_add(o, "error_image",
					json_object_new_string(sum.err_name));
		}
		bf_event_emit("verify", o);
	}
	if (r == -EBADMSG)
		return bf_cli_fail(BF_EXIT_INPUT, r, "the bundle is damaged: download it again",
				   "%s", argv[optind]);
	if (r < 0)
		return bf_cli_fail(bf_cli_exit_for(r), r, NULL, "cannot read %s", argv[optind]);
	bf_event_say("%s: OK, %u images, %llu bytes%s", argv[optind], sum.nimages,
		     (unsigned long long)sum.bytes,
		     sum.trailing_bytes ? " (plus trailing data)" : "");
	return bf_cli_ok();
}

static void json_images(struct json_object *o, const struct bf_bfb_info *in)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < in->nimages; i++) {
		const struct bf_bfb_image *im = &in->images[i];
		const struct bf_bfb_id *e = bf_bfb_id_find(im->hdr.id);
		struct json_object *j = json_object_new_object();
		char crc[16];

		snprintf(crc, sizeof(crc), "0x%08x", im->hdr.crc);
		json_object_object_add(j, "index", json_object_new_int((int)im->index));
		json_object_object_add(j, "offset", json_object_new_int64((int64_t)im->offset));
		json_object_object_add(j, "id", json_object_new_int(im->hdr.id));
		json_object_object_add(j, "name", e ? json_object_new_string(e->name) : NULL);
		json_object_object_add(j, "description", e ? json_object_new_string(e->desc) : NULL);
		json_object_object_add(j, "version", json_object_new_int(im->hdr.cur_ver));
		json_object_object_add(j, "length", json_object_new_int64(im->hdr.len));
		json_object_object_add(j, "crc", json_object_new_string(crc));
		json_object_object_add(j, "crc_ok", json_object_new_boolean(im->crc_ok));
		json_object_object_add(j, "following", json_object_new_uint64(im->hdr.following));
		json_object_array_add(arr, j);
	}
	json_object_object_add(o, "images", arr);
}

static int bfb_info(int argc, char **argv)
{
	static const struct option longopts[] = { BF_CLI_LONGOPTS, { 0 } };
	struct bf_bfb_info in;
	unsigned bad = 0;
	size_t i;
	int opt, r;

	while ((opt = getopt_long(argc, argv, BF_CLI_SHORTOPTS, longopts, NULL)) != -1)
		bf_cli_common(opt, bfb_usage);
	if (optind + 1 != argc)
		bf_cli_usage_error("info needs exactly one FILE");
	r = bf_bfb_info_read(argv[optind], &in);
	if (r < 0)
		return bf_cli_fail(bf_cli_exit_for(r), r, NULL, "cannot read %s", argv[optind]);
	for (i = 0; i < in.nimages; i++)
		bad += !in.images[i].crc_ok;
	if (bf_event_json()) {
		struct json_object *o = json_object_new_object(), *comps = json_object_new_array();

		json_object_object_add(o, "file", json_object_new_string(argv[optind]));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)in.size));
		json_object_object_add(o, "kind", json_object_new_string(in.kind));
		json_images(o, &in);
		json_object_object_add(o, "trailing_bytes", json_object_new_int64((int64_t)in.trailing_bytes));
		if (in.trailing_bytes) {
			json_object_object_add(o, "trailing_offset", json_object_new_int64((int64_t)in.trailing_offset));
			json_object_object_add(o, "trailing_head", json_object_new_string(in.trailing_head));
		}
		for (i = 0; i < in.ncomps; i++) {
			struct json_object *c = json_object_new_object();

			json_object_object_add(c, "name", json_object_new_string(in.comps[i].name));
			json_object_object_add(c, "version", json_object_new_string(in.comps[i].version));
			json_object_array_add(comps, c);
		}
		json_object_object_add(o, "components", comps);
		if (in.info_warning[0])
			json_object_object_add(o, "info_warning", json_object_new_string(in.info_warning));
		if (in.status)
			json_object_object_add(o, "error", json_object_new_string(in.error));
		bf_event_emit("bfb_info", o);
	} else {
		bf_event_say("%s: %zu images, %llu bytes, kind %s", argv[optind], in.nimages,
			     (unsigned long long)in.size, in.kind);
		bf_event_say("%5s %12s %3s %-16s %3s %10s %-10s %-4s %s", "INDEX", "OFFSET", "ID", "NAME",
			     "VER", "LENGTH", "CRC", "OK", "DESCRIPTION");
		for (i = 0; i < in.nimages; i++) {
			const struct bf_bfb_image *im = &in.images[i];
			const struct bf_bfb_id *e = bf_bfb_id_find(im->hdr.id);
			char unk[32];

			snprintf(unk, sizeof(unk), "image_id_%u", im->hdr.id);
			bf_event_say("%5u %#12llx %3u %-16s %3u %10u 0x%08x %-4s %s", im->index,
				     (unsigned long long)im->offset, im->hdr.id, e ? e->name : unk,
				     im->hdr.cur_ver, im->hdr.len, im->hdr.crc, im->crc_ok ? "ok" : "BAD",
				     e ? e->desc : "unknown image type");
		}
		if (in.trailing_bytes)
			bf_event_say("trailing data: %llu bytes at offset %llu: \"%s\"",
				     (unsigned long long)in.trailing_bytes,
				     (unsigned long long)in.trailing_offset, in.trailing_head);
		if (in.ncomps) {
			bf_event_say("components:");
			for (i = 0; i < in.ncomps; i++)
				bf_event_say("  %-20s %s", in.comps[i].name, in.comps[i].version);
		}
	}
	if (in.info_warning[0])
		bf_warn("%s: %s", argv[optind], in.info_warning);
	if (in.status || bad) {
		bf_error_clear();
		if (in.status)
			bf_error_set("%s", in.error);
		else
			bf_error_set("%u image%s with a bad CRC", bad, bad > 1 ? "s" : "");
		bf_bfb_info_free(&in);
		return bf_cli_fail(BF_EXIT_INPUT, -EBADMSG, "the bundle is damaged", "%s", argv[optind]);
	}
	bf_bfb_info_free(&in);
	return bf_cli_ok();
}

static int bfb_pack(int argc, char **argv)
{
	enum { OPT_FORCE = BF_OPT_FIRST_CMD, OPT_EXPERT, OPT_FROM, OPT_MANIFEST, OPT_PARAM };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "param", required_argument, NULL, OPT_PARAM },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "expert", no_argument, NULL, OPT_EXPERT },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "manifest", required_argument, NULL, OPT_MANIFEST },
		BF_CLI_LONGOPTS, { 0 } };
	struct bf_bfb_pack *p = malloc(sizeof(*p));
	const char *out = NULL;
	bool force = false, expert = false;
	int opt, r = 0;

	if (!p)
		return bf_cli_fail(BF_EXIT_FAILURE, -ENOMEM, NULL, "out of memory");
	bf_bfb_pack_init(p);
	bf_error_clear();
	/* Parameters first, wherever they are: they win over manifest defaults. */
	opterr = 0;
	while (r == 0 && (opt = getopt_long(argc, argv, "-o:" BF_CLI_SHORTOPTS, longopts, NULL)) != -1)
		if (opt == OPT_PARAM)
			r = bf_bfb_pack_set_param(p, optarg);
	opterr = 1;
	optind = 1;
	/* Inputs are applied in command-line order: later ones win. */
	while (r == 0 && (opt = getopt_long(argc, argv, "-o:" BF_CLI_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case OPT_FORCE: force = true; break;
		case OPT_EXPERT: expert = true; break;
		case OPT_FROM: r = bf_bfb_pack_add_bfb(p, optarg); break;
		case OPT_MANIFEST: r = bf_bfb_pack_add_manifest(p, optarg); break;
		case OPT_PARAM: break;
		case 1: r = bf_bfb_pack_add_arg(p, optarg); break;
		default: bf_cli_common(opt, bfb_usage);
		}
	}
	if (r == 0 && !out)
		bf_cli_usage_error("pack needs -o OUT");
	if (r == 0)
		r = bf_bfb_pack_write(p, out, expert, force, true);
	if (r == 0) {
		if (bf_event_json()) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "file", json_object_new_string(out));
			json_object_object_add(o, "images", json_object_new_int((int)p->n));
			bf_event_emit("pack", o);
		}
		bf_event_say("%s: %zu images written", out, p->n);
	}
	bf_bfb_pack_free(p);
	free(p);
	if (r == -EEXIST)
		return bf_cli_fail(BF_EXIT_EXISTS, r, "use --force to replace it", "cannot write the bundle");
	if (r == -EINVAL || r == -EBADMSG || r == -EFBIG || r == -E2BIG)
		return bf_cli_fail(BF_EXIT_INPUT, r, NULL, "nothing written");
	if (r < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "nothing written");
	return bf_cli_ok();
}

static int bfb_unpack(int argc, char **argv)
{
	enum { OPT_FORCE = BF_OPT_FIRST_CMD };
	static const struct option longopts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "force", no_argument, NULL, OPT_FORCE },
		BF_CLI_LONGOPTS, { 0 } };
	const char *dir = NULL;
	bool force = false;
	unsigned n = 0;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "C:" BF_CLI_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'C': dir = optarg; break;
		case OPT_FORCE: force = true; break;
		default: bf_cli_common(opt, bfb_usage);
		}
	}
	if (optind + 1 != argc || !dir)
		bf_cli_usage_error("unpack needs FILE and -C DIR");
	bf_error_clear();
	r = bf_bfb_file_unpack(argv[optind], dir, force, &n);
	if (r == -EEXIST)
		return bf_cli_fail(BF_EXIT_EXISTS, r, NULL, "unpacking %s", argv[optind]);
	if (r == -EBADMSG)
		return bf_cli_fail(BF_EXIT_INPUT, r, "nothing was written", "%s is damaged", argv[optind]);
	if (r < 0)
		return bf_cli_fail(bf_cli_exit_for(r), r, NULL, "unpacking %s", argv[optind]);
	if (bf_event_json()) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "file", json_object_new_string(argv[optind]));
		json_object_object_add(o, "directory", json_object_new_string(dir));
		json_object_object_add(o, "files", json_object_new_int((int)n));
		bf_event_emit("unpack", o);
	}
	bf_event_say("%s: %u files written to %s", argv[optind], n, dir);
	return bf_cli_ok();
}

int bf_cmd_bfb(int argc, char **argv)
{
	if (argc < 2)
		bf_cli_usage_exit(bfb_usage, true);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		bf_cli_usage_exit(bfb_usage, false);
	{
		static const struct { const char *name; int (*fn)(int, char **); } subs[] = {
			{ "info", bfb_info }, { "verify", bfb_verify },
			{ "pack", bfb_pack }, { "unpack", bfb_unpack },
		};
		size_t i;
		char name[64];

		for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
			if (strcmp(argv[1], subs[i].name))
				continue;
			snprintf(name, sizeof(name), "bfctl bfb %s", subs[i].name);
			bf_cli_set_cmdname(name);
			return subs[i].fn(argc - 1, argv + 1);
		}
	}
	bf_cli_usage_error("unknown bfb command '%s'", argv[1]);
}
