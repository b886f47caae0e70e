/* fwimage.c - `bfsim fwimage`: write a NIC firmware image the simulated NIC
 * accepts: the BFSIMFW1 format of fw/image.h, or a minimal FS4 image
 * (fw/fs4.h) as NVIDIA ships them. */
#include "config.h"
#include "cli.h"
#include "error.h"
#include "event.h"
#include "fileio.h"
#include "nic.h"
#include "fw/fs4.h"
#include "fw/image.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char fwimage_usage[] =
	"Usage: bfsim fwimage -o FILE --version X.Y.Z --psid PSID [--chip bf2|bf3]\n"
	"                     [--size BYTES] [--date D.M.YYYY] [--product TEXT] [--force]\n"
	"                     [--format bfsim|fs4] [--description TEXT]\n"
	"\n"
	"Write a NIC firmware image for the simulated NIC. --format bfsim (the\n"
	"default): a 128-byte BFSIMFW1 header (magic, chip, version, release date,\n"
	"PSID, product version, payload length and CRC, header CRC) and a payload.\n"
	"--format fs4: a minimal FS4 image, the format of NVIDIA's fw-*.bin files\n"
	"(magic pattern, HW pointers, tools area, BOOT2, ITOC with IMAGE_INFO and\n"
	"the payload as MAIN_CODE, past 16 MiB in further code sections, the\n"
	"device sector with MFG_INFO and DEV_INFO, every CRC right), signed-fw\n"
	"but without a real signature. The payload is BYTES (default 1M; K and M\n"
	"suffixes; at most 64M less 128 bytes, 63M for fs4). The simulated\n"
	"NIC checks all of it when the image is verified (bfctl fw burn). --date\n"
	"defaults to today, --product to the version. See bfsim(1).\n";

static int parse_size(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	n = strtoull(s, &end, 0);
	if (*end == 'K' || *end == 'k')
		n <<= 10, end++;
	else if (*end == 'M')
		n <<= 20, end++;
	if (*end || n == 0 || n > BF_FW_IMAGE_MAX - BF_FW_IMAGE_HDR_SIZE)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

/* "d.m.yyyy" -> BCD year [31:16], month [15:8], day [7:0]. */
static int parse_date(const char *s, uint32_t *bcd)
{
	unsigned d, m, y;
	char tail;

	if (sscanf(s, "%u.%u.%u%c", &d, &m, &y, &tail) != 3 || !d || d > 31 || !m || m > 12 ||
	    y < 2000 || y > 2099)
		return -EINVAL;
	*bcd = (uint32_t)((y / 1000) << 28 | (y / 100 % 10) << 24 | (y / 10 % 10) << 20 | (y % 10) << 16 |
			  (m / 10) << 12 | (m % 10) << 8 | (d / 10) << 4 | (d % 10));
	return 0;
}

struct fwimage_args {
	struct bf_fw_image_hdr h;
	const char *out, *ver, *psid, *product, *descr;
	char date[40];
	bool fs4, force;
};

enum { OPT_VERSION = BF_OPT_FIRST_CMD, OPT_PSID, OPT_CHIP, OPT_SIZE, OPT_DATE, OPT_PRODUCT, OPT_FORCE,
       OPT_FORMAT, OPT_DESCRIPTION };

/* One option that takes a checked value. */
static void parse_value(struct fwimage_args *a, int opt)
{
	switch (opt) {
	case OPT_FORMAT:
		if (!strcmp(optarg, "fs4"))
			a->fs4 = true;
		else if (strcmp(optarg, "bfsim"))
			bf_cli_usage_error("--format takes bfsim or fs4");
		break;
	case OPT_CHIP:
		if (!strcmp(optarg, "bf2"))
			a->h.hw_dev_id = 0x214;
		else if (!strcmp(optarg, "bf3"))
			a->h.hw_dev_id = 0x21c;
		else
			bf_cli_usage_error("--chip takes bf2 or bf3");
		break;
	case OPT_SIZE:
		if (parse_size(optarg, &a->h.payload_len) < 0)
			bf_cli_usage_error("--size takes bytes (K and M suffixes), from 1 to 64M less 128 (the header)");
		break;
	case OPT_DATE:
		snprintf(a->date, sizeof(a->date), "%s", optarg);
		break;
	default: bf_cli_common(opt, fwimage_usage);
	}
}

static void parse_args(struct fwimage_args *a, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "version", required_argument, NULL, OPT_VERSION },
		{ "psid", required_argument, NULL, OPT_PSID },
		{ "chip", required_argument, NULL, OPT_CHIP },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "date", required_argument, NULL, OPT_DATE },
		{ "product", required_argument, NULL, OPT_PRODUCT },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "description", required_argument, NULL, OPT_DESCRIPTION },
		BF_CLI_LONGOPTS, { 0 } };
	int opt;

	while ((opt = getopt_long(argc, argv, "o:" BF_CLI_SHORTOPTS, lo, NULL)) != -1) {
		switch (opt) {
		case 'o': a->out = optarg; break;
		case OPT_VERSION: a->ver = optarg; break;
		case OPT_PSID: a->psid = optarg; break;
		case OPT_PRODUCT: a->product = optarg; break;
		case OPT_FORCE: a->force = true; break;
		case OPT_DESCRIPTION: a->descr = optarg; break;
		default: parse_value(a, opt);
		}
	}
	if (!a->out || !a->ver || !a->psid || optind != argc)
		bf_cli_usage_error("fwimage needs -o FILE, --version X.Y.Z and --psid PSID");
}

/* The header's fields from the options (today when no --date). */
static void check_args(struct fwimage_args *a)
{
	struct bf_fw_image_hdr *h = &a->h;

	if (bf_fw_version_parse(a->ver, &h->version) < 0)
		bf_cli_usage_error("--version takes MAJOR.MINOR.SUBMINOR (255.255.65535 at most), e.g. 32.41.1000");
	if (!*a->psid || strlen(a->psid) > 16)
		bf_cli_usage_error("--psid takes 1 to 16 characters, e.g. MT_0000000884");
	if (a->product && strlen(a->product) > 16)
		bf_cli_usage_error("--product takes at most 16 characters");
	if (!a->date[0]) {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		snprintf(a->date, sizeof(a->date), "%d.%d.%d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
	}
	if (parse_date(a->date, &h->date_bcd) < 0)
		bf_cli_usage_error("--date takes D.M.YYYY, e.g. 28.4.2024");
	snprintf(h->psid, sizeof(h->psid), "%s", a->psid);
	snprintf(h->product, sizeof(h->product), "%s", a->product ? a->product : a->ver);
	if (a->descr && (!a->fs4 || strlen(a->descr) > 255))
		bf_cli_usage_error("--description goes with --format fs4, 255 characters at most");
	if (a->fs4 && h->payload_len > BF_FW_FS4_MAX_PAYLOAD)
		bf_cli_usage_error("--size takes at most 63M with --format fs4 (the image must stay "
				   "under the 64 MiB the NIC takes as one component)");
}

static int make_image(const struct fwimage_args *a, uint8_t **img, size_t *len)
{
	const struct bf_fw_image_hdr *h = &a->h;
	struct bf_fw_fs4_spec sp = {
		.hw_dev_id = h->hw_dev_id, .date_bcd = h->date_bcd, .psid = h->psid, .product = h->product,
		.description = a->descr ? a->descr : h->hw_dev_id == 0x214 ? "BlueField-2 NIC firmware (bfsim)" :
		"BlueField-3 NIC firmware (bfsim)", .name = "BFSIM-FW", .payload_len = h->payload_len,
		.signed_fw = true, .dtoc = true,
		.fw_ver = { (uint16_t)(h->version >> 24), (uint16_t)(h->version >> 16 & 0xff), (uint16_t)h->version },
	};

	return a->fs4 ? bf_fw_fs4_make(&sp, img, len) : bf_fw_image_make(h, img, len);
}

/* --force replaces the entry (never writing through a link, never
 * truncating a file another process may be reading). */
static int write_image(const struct fwimage_args *a, const uint8_t *img, size_t len)
{
	int fd = bf_file_create(a->out, 0644, a->force), r;

	if (fd == -EEXIST)
		return bf_cli_fail(BF_EXIT_EXISTS, fd, "use --force to replace it", "cannot write %s", a->out);
	if (fd < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, fd, NULL, "cannot write %s", a->out);
	r = bf_file_write_all(fd, img, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot write %s", a->out);
	return 0;
}

int bf_sim_cmd_fwimage(int argc, char **argv)
{
	struct fwimage_args a = { .h = { .hw_dev_id = 0x21c, .payload_len = 1u << 20 } };
	uint8_t *img;
	size_t len;
	int r;

	parse_args(&a, argc, argv);
	check_args(&a);
	if ((r = make_image(&a, &img, &len)) < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot make the image");
	r = write_image(&a, img, len);
	free(img);
	if (r)
		return r;
	bf_event_say("%s: %sfirmware %s for %s (PSID %s, %zu bytes)", a.out, a.fs4 ? "FS4 " : "", a.ver,
		     a.h.hw_dev_id == 0x214 ? "BlueField-2" : "BlueField-3", a.h.psid, len);
	return bf_cli_ok();
}
