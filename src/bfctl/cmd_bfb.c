/* cmd_bfb.c - bfctl bfb: inspect and verify BFB boot bundles. */
#include "config.h"
#include "bfb.h"
#include "bfb_file.h"
#include "bfb_info.h"
#include "bfb_pack.h"
#include "cli.h"
#include "cli_fetch.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "print.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char bfb_usage[] =
	"Usage: bfctl bfb info FILE|URL [--json]\n"
	"       bfctl bfb verify FILE|URL [--sha256 HEX] [--json]\n"
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
	"info and verify take an http(s):// URL too: it is downloaded once into\n"
	"the cache (resumed when cut, checked against --sha256 or URL.sha256).\n"
	"\n"
	"Options:\n"
	BF_CLI_FETCH_USAGE
	"  --json        one JSON event per line (see bfctl(1))\n"
	"  -v            more detail\n"
	"  -h, --help    this help\n";

static int bfb_verify(int argc, char **argv)
{
	static const struct option longopts[] = { BF_CLI_FETCH_LONGOPTS, BF_CLI_LONGOPTS, { 0 } };
	struct bf_cli_fetch fetch;
	const char *file;
	struct bf_bfb_summary sum;
	enum bf_print_to t;
	int opt, r;

	bf_cli_fetch_init(&fetch);
	while ((opt = bf_cli_getopt(argc, argv, BF_CLI_SHORTOPTS, longopts)) != -1)
		if (!bf_cli_fetch_opt(&fetch, opt, optarg))
			bf_cli_common(opt, bfb_usage);
	if (optind + 1 != argc)
		bf_cli_usage_error("verify needs exactly one FILE");

	file = argv[optind];
	if ((r = bf_cli_fetch_input(&fetch, &file, "bundle", true)))
		return r;
	if ((r = bf_cli_input(file)))
		return r;
	memset(&sum, 0, sizeof(sum));
	r = bf_bfb_file_verify(file, &sum);
	t = r == 0 ? BF_PRINT_ANY : BF_PRINT_JSON;    /* text: only the verdict OK */
	bf_print_begin("verify");
	bf_print_string(t, "file", "%s: ", file);
	bf_print_bool(BF_PRINT_JSON, "ok", NULL, r == 0);
	bf_print_uint(t, "images", "OK, %llu images, ", sum.nimages);
	bf_print_uint(t, "bytes", "%llu bytes", sum.bytes);
	bf_print_uint(t, "trailing_bytes", sum.trailing_bytes ? " (plus trailing data)\n" : "\n",
		      sum.trailing_bytes);
	if (r == -EBADMSG) {
		bf_print_uint(BF_PRINT_JSON, "error_offset", NULL, sum.err_offset);
		if (sum.err_id >= 0)
			bf_print_string(BF_PRINT_JSON, "error_image", NULL, sum.err_name);
	}
	bf_print_end();
	if (r == -EBADMSG)
		return bf_cli_fail(BF_EXIT_INPUT, r, "the bundle is damaged: download it again",
				   "%s", file);
	if (r < 0)
		return bf_cli_fail(BF_EXIT_INPUT, r, NULL, "cannot verify %s", file);
	return bf_cli_ok();
}

static void print_images(const struct bf_bfb_info *in)
{
	size_t i;

	bf_print_line("%5s %12s %3s %-16s %3s %10s %-10s %-4s %s", "INDEX", "OFFSET", "ID", "NAME",
		      "VER", "LENGTH", "CRC", "OK", "DESCRIPTION");
	bf_print_open_array("images");
	for (i = 0; i < in->nimages; i++) {
		const struct bf_bfb_image *im = &in->images[i];
		const struct bf_bfb_id *e = bf_bfb_id_find(im->hdr.id);
		char crc[16], unk[32];

		snprintf(crc, sizeof(crc), "0x%08x", im->hdr.crc);
		snprintf(unk, sizeof(unk), "image_id_%u", im->hdr.id);
		bf_print_open_object(NULL);
		bf_print_uint(BF_PRINT_ANY, "index", "%5llu ", im->index);
		bf_print_uint(BF_PRINT_ANY, "offset", "%#12llx ", im->offset);
		bf_print_uint(BF_PRINT_ANY, "id", "%3llu ", im->hdr.id);
		bf_print_string(BF_PRINT_JSON, "name", NULL, e ? e->name : NULL);
		bf_print_string(BF_PRINT_TEXT, NULL, "%-16s ", e ? e->name : unk);
		bf_print_uint(BF_PRINT_ANY, "version", "%3llu ", im->hdr.cur_ver);
		bf_print_uint(BF_PRINT_ANY, "length", "%10llu ", im->hdr.len);
		bf_print_string(BF_PRINT_ANY, "crc", "%s ", crc);
		bf_print_bool(BF_PRINT_JSON, "crc_ok", NULL, im->crc_ok);
		bf_print_string(BF_PRINT_TEXT, NULL, "%-4s ", im->crc_ok ? "ok" : "BAD");
		bf_print_uint(BF_PRINT_JSON, "following", NULL, im->hdr.following);
		bf_print_string(BF_PRINT_JSON, "description", NULL, e ? e->desc : NULL);
		bf_print_string(BF_PRINT_TEXT, NULL, "%s\n", e ? e->desc : "unknown image type");
		bf_print_close_object();
	}
	bf_print_close_array();
}

static void print_info(const char *path, const struct bf_bfb_info *in)
{
	size_t i;

	bf_print_begin("bfb_info");
	bf_print_string(BF_PRINT_ANY, "file", "%s: ", path);
	bf_print_uint(BF_PRINT_TEXT, NULL, "%llu images, ", in->nimages);
	bf_print_uint(BF_PRINT_ANY, "size", "%llu bytes, ", in->size);
	bf_print_string(BF_PRINT_ANY, "kind", "kind %s\n", in->kind);
	print_images(in);
	bf_print_uint(in->trailing_bytes ? BF_PRINT_ANY : BF_PRINT_JSON, "trailing_bytes",
		      "trailing data: %llu bytes ", in->trailing_bytes);
	if (in->trailing_bytes) {
		bf_print_uint(BF_PRINT_ANY, "trailing_offset", "at offset %llu: ", in->trailing_offset);
		bf_print_string(BF_PRINT_ANY, "trailing_head", "\"%s\"\n", in->trailing_head);
	}
	if (in->ncomps)
		bf_print_line("components:");
	bf_print_open_array("components");
	for (i = 0; i < in->ncomps; i++) {
		bf_print_open_object(NULL);
		bf_print_string(BF_PRINT_ANY, "name", "  %-20s ", in->comps[i].name);
		bf_print_string(BF_PRINT_ANY, "version", "%s\n", in->comps[i].version);
		bf_print_close_object();
	}
	bf_print_close_array();
	if (in->info_warning[0])
		bf_print_string(BF_PRINT_JSON, "info_warning", NULL, in->info_warning);
	if (in->status)
		bf_print_string(BF_PRINT_JSON, "error", NULL, in->error);
	bf_print_end();
}

static int bfb_info(int argc, char **argv)
{
	static const struct option longopts[] = { BF_CLI_FETCH_LONGOPTS, BF_CLI_LONGOPTS, { 0 } };
	struct bf_cli_fetch fetch;
	const char *file;
	struct bf_bfb_info in;
	unsigned bad = 0;
	size_t i;
	int opt, r;

	bf_cli_fetch_init(&fetch);
	while ((opt = bf_cli_getopt(argc, argv, BF_CLI_SHORTOPTS, longopts)) != -1)
		if (!bf_cli_fetch_opt(&fetch, opt, optarg))
			bf_cli_common(opt, bfb_usage);
	if (optind + 1 != argc)
		bf_cli_usage_error("info needs exactly one FILE");
	file = argv[optind];
	if ((r = bf_cli_fetch_input(&fetch, &file, "bundle", true)))
		return r;
	if ((r = bf_cli_input(file)))
		return r;
	r = bf_bfb_info_read(file, &in);
	if (r < 0)
		return bf_cli_fail(BF_EXIT_INPUT, r, NULL, "cannot inspect %s", file);
	for (i = 0; i < in.nimages; i++)
		bad += !in.images[i].crc_ok;
	print_info(file, &in);
	if (in.info_warning[0])
		bf_warn("%s: %s", file, in.info_warning);
	if (in.status || bad) {
		bf_error_clear();
		if (in.status)
			bf_error_set("%s", in.error);
		else
			bf_error_set("%u image%s with a bad CRC", bad, bad > 1 ? "s" : "");
		bf_bfb_info_free(&in);
		return bf_cli_fail(BF_EXIT_INPUT, -EBADMSG, "the bundle is damaged", "%s", file);
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
	bool force = false, expert = false, bad_input;
	int opt, r = 0;

	if (!p)
		return bf_cli_fail(BF_EXIT_FAILURE, 0, NULL, "out of memory");
	bf_bfb_pack_init(p);
	bf_error_clear();
	/* Parameters first, wherever they are: they win over manifest defaults. */
	while (r == 0 && (opt = bf_cli_getopt(argc, argv, "-o:" BF_CLI_SHORTOPTS, longopts)) != -1)
		if (opt == OPT_PARAM)
			r = bf_bfb_pack_set_param(p, optarg);
	optind = 1;
	/* Inputs are applied in command-line order: later ones win. */
	while (r == 0 && (opt = bf_cli_getopt(argc, argv, "-o:" BF_CLI_SHORTOPTS, longopts)) != -1) {
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
	/* An input that cannot be read or used is invalid input, as everywhere. */
	bad_input = r < 0 && r != -ENOMEM;
	if (r == 0 && !out)
		bf_cli_usage_error("pack needs -o OUT");
	if (r == 0)
		r = bf_bfb_pack_write(p, out, expert, force, true);
	if (r == 0) {
		bf_print_begin("pack");
		bf_print_string(BF_PRINT_ANY, "file", "%s: ", out);
		bf_print_uint(BF_PRINT_ANY, "images", "%llu images written\n", p->n);
		bf_print_end();
	}
	bf_bfb_pack_free(p);
	free(p);
	if (r == -EEXIST)
		return bf_cli_fail(BF_EXIT_EXISTS, r, "use --force to replace it", "cannot write the bundle");
	if (bad_input || r == -EINVAL || r == -EBADMSG || r == -EFBIG || r == -E2BIG)
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

	while ((opt = bf_cli_getopt(argc, argv, "C:" BF_CLI_SHORTOPTS, longopts)) != -1) {
		switch (opt) {
		case 'C': dir = optarg; break;
		case OPT_FORCE: force = true; break;
		default: bf_cli_common(opt, bfb_usage);
		}
	}
	if (optind + 1 != argc || !dir)
		bf_cli_usage_error("unpack needs FILE and -C DIR");
	if ((r = bf_cli_input(argv[optind])))
		return r;
	bf_error_clear();
	r = bf_bfb_file_unpack(argv[optind], dir, force, &n);
	if (r == -EEXIST)
		return bf_cli_fail(BF_EXIT_EXISTS, r, NULL, "unpacking %s", argv[optind]);
	if (r == -EBADMSG)
		return bf_cli_fail(BF_EXIT_INPUT, r, "nothing was written", "%s is damaged", argv[optind]);
	if (r < 0)
		return bf_cli_fail(bf_cli_exit_for(r), r, NULL, "unpacking %s", argv[optind]);
	bf_print_begin("unpack");
	bf_print_string(BF_PRINT_ANY, "file", "%s: ", argv[optind]);
	bf_print_uint(BF_PRINT_ANY, "files", "%llu files written to ", n);
	bf_print_string(BF_PRINT_ANY, "directory", "%s\n", dir);
	bf_print_end();
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
