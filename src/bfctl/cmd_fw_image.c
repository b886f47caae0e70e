/* cmd_fw_image.c - bfctl fw image FILE: what `flint -i FILE q` prints for a
 * firmware image file (FS4, or the simulator's BFSIMFW1), under flint's
 * labels; --full adds what `q full` adds; --json one fw_image event. The
 * image is verified first (structure and every CRC): a damaged file is
 * reported, not shown. */
#include "config.h"
#include "cli.h"
#include "cmd_fw.h"
#include "error.h"
#include "event.h"
#include "fileio.h"
#include "fw/dev.h"
#include "fw/fs4.h"
#include "fw/image.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IW 23   /* the label column of `flint -i FILE q` */

/* flint's FW version: the subminor (and a minor of 100 or more) as 4 digits. */
static void version(const uint16_t v[3], char *b, size_t n)
{
	snprintf(b, n, v[1] < 100 ? "%u.%u.%04u" : "%u.%04u.%04u", v[0], v[1], v[2]);
}

/* flint's UID line ("Base GUID:  <16 hex>  <count>"); JSON: the hex UID. */
static void uid_line(const char *key, const char *label, const struct bf_fw_fs4_uid *u, bool guid)
{
	char id[24], cnt[24], fmt[48];

	if (key) {
		snprintf(id, sizeof(id), guid ? "%016" PRIx64 : "%012" PRIx64, u->uid);
		bf_print_string(BF_PRINT_JSON, key, NULL, id);
	}
	if (!u->uid)
		snprintf(id, sizeof(id), "%-16s", "N/A");
	else if (guid)
		snprintf(id, sizeof(id), "%016" PRIx64, u->uid);
	else
		snprintf(id, sizeof(id), "%012" PRIx64 "    ", u->uid);
	if (u->count)
		snprintf(cnt, sizeof(cnt), "        %u", u->count);
	else
		snprintf(cnt, sizeof(cnt), "       N/A");
	snprintf(fmt, sizeof(fmt), "%-18s     %%s", label);
	bf_print_string(BF_PRINT_TEXT, NULL, fmt, id);
	bf_print_string(BF_PRINT_TEXT, NULL, "%s\n", cnt);
}

static const char *chip_name(uint32_t hw)
{
	const struct bf_fw_devtype *t = bf_fw_devtype_by_hw((uint16_t)hw);

	return t ? t->long_name : "unknown chip";
}

static void show_fs4(const char *path, const struct bf_fw_fs4_info *fi, bool full)
{
	char v[32], d[32], b[64];
	const char *sec = !fi->is_signed ? "N/A" : fi->secure_fw ? fi->debug_fw ? "secure-fw, debug" : "secure-fw" :
			  fi->debug_fw ? "signed-fw, debug" : "signed-fw";
	unsigned i;

	version(fi->fw_ver, v, sizeof(v));
	snprintf(d, sizeof(d), "%x.%x.%x", fi->rel_day, fi->rel_month, fi->rel_year);
	bf_print_begin("fw_image");
	bf_print_string(BF_PRINT_JSON, "image", NULL, path);
	bf_fw_cli_field(BF_PRINT_ANY, "image_type", "Image type:", IW, "FS4");
	bf_fw_cli_field(BF_PRINT_ANY, "fw_version", "FW Version:", IW, v);
	bf_fw_cli_field(fi->rel_day || fi->rel_month || fi->rel_year ? BF_PRINT_ANY : BF_PRINT_JSON, "release_date",
			"FW Release Date:", IW, d);
	bf_fw_cli_field(full && fi->name[0] ? BF_PRINT_ANY : BF_PRINT_JSON, "part_number", "Part Number:", IW,
			fi->name);
	bf_fw_cli_field(full && fi->description[0] ? BF_PRINT_ANY : BF_PRINT_JSON, "description", "Description:",
			IW, fi->description);
	bf_fw_cli_field(fi->product[0] ? BF_PRINT_ANY : BF_PRINT_JSON, "product_version", "Product Version:", IW,
			fi->product);
	bf_fw_cli_field(BF_PRINT_TEXT, NULL, "Description:", IW, "UID                GuidsNumber");
	uid_line("base_guid", "Base GUID:", &fi->guid, true);
	if (fi->dtoc && (fi->guid.uid != fi->orig_guid.uid || fi->guid.count != fi->orig_guid.count))
		uid_line(NULL, "Orig Base GUID:", &fi->orig_guid, true);
	uid_line("base_mac", "Base MAC:", &fi->mac, false);
	if (fi->dtoc && (fi->mac.uid != fi->orig_mac.uid || fi->mac.count != fi->orig_mac.count))
		uid_line(NULL, "Orig Base MAC:", &fi->orig_mac, false);
	bf_fw_cli_field_na("image_vsd", "Image VSD:", IW, fi->image_vsd);
	bf_fw_cli_field_na("device_vsd", "Device VSD:", IW, fi->device_vsd);
	bf_fw_cli_field(BF_PRINT_ANY, "psid", "PSID:", IW, fi->psid);
	bf_print_string(BF_PRINT_JSON, "orig_psid", NULL, fi->orig_psid);
	if (fi->dtoc && strncmp(fi->psid, fi->orig_psid, 13))
		bf_fw_cli_field(BF_PRINT_TEXT, NULL, "Orig PSID:", IW, fi->orig_psid[0] ? fi->orig_psid : "N/A");
	bf_fw_cli_field(BF_PRINT_ANY, "security_attributes", "Security Attributes:", IW, sec);
	snprintf(b, sizeof(b), "%-*s%%llu\n", IW, "Security Ver:");
	bf_print_uint(BF_PRINT_ANY, "security_version", b, fi->security_version);
	bf_fw_cli_field(full ? BF_PRINT_TEXT : 0, NULL, "Default Update Method:", IW, fi->mcc_en ? "fw_ctrl" : "Legacy");
	bf_print_open_array("supported_hw");
	for (i = 0; i < fi->nhw; i++) {
		bf_print_open_object(NULL);
		bf_print_int(BF_PRINT_JSON, "hw_id", NULL, (int)(fi->hw_ids[i] & 0xffff));
		bf_print_int(BF_PRINT_JSON, "revision", NULL, (int)(fi->hw_ids[i] >> 16 & 0xff));
		bf_print_string(BF_PRINT_JSON, "chip", NULL, chip_name(fi->hw_ids[i] & 0xffff));
		bf_print_close_object();
		if (full) {
			snprintf(b, sizeof(b), "%s (HW id 0x%x, revision %u)", chip_name(fi->hw_ids[i] & 0xffff),
				 fi->hw_ids[i] & 0xffff, fi->hw_ids[i] >> 16 & 0xff);
			bf_fw_cli_field(BF_PRINT_TEXT, NULL, i ? "" : "Supported HW:", IW, b);
		}
	}
	bf_print_close_array();
	bf_print_int(BF_PRINT_JSON, "pci_device_id", NULL, fi->pci_device_id);
	bf_print_uint(BF_PRINT_JSON, "image_start", NULL, fi->start);
	bf_print_uint(BF_PRINT_JSON, "component_bytes", NULL, fi->end);
	bf_print_uint(BF_PRINT_JSON, "itoc_sections", NULL, fi->nsections);
	bf_print_bool(BF_PRINT_JSON, "device_sector", NULL, fi->dtoc);
	bf_print_end();
}

static void show_bfsim(const char *path, const struct bf_fw_image_hdr *h)
{
	char v[16], d[32];

	bf_fw_version_fmt(h->version, v, sizeof(v));
	bf_fw_date_fmt(h->date_bcd, d, sizeof(d));
	bf_print_begin("fw_image");
	bf_print_string(BF_PRINT_JSON, "image", NULL, path);
	bf_fw_cli_field(BF_PRINT_ANY, "image_type", "Image type:", IW, "BFSIMFW1");
	bf_fw_cli_field(BF_PRINT_ANY, "fw_version", "FW Version:", IW, v);
	bf_fw_cli_field(BF_PRINT_ANY, "release_date", "FW Release Date:", IW, d);
	bf_fw_cli_field(h->product[0] ? BF_PRINT_ANY : BF_PRINT_JSON, "product_version", "Product Version:", IW,
			h->product);
	bf_fw_cli_field(BF_PRINT_ANY, "psid", "PSID:", IW, h->psid);
	bf_print_int(BF_PRINT_JSON, "hw_id", NULL, h->hw_dev_id);
	bf_print_string(BF_PRINT_JSON, "chip", NULL, chip_name(h->hw_dev_id));
	snprintf(d, sizeof(d), "%s (HW id 0x%x)", chip_name(h->hw_dev_id), h->hw_dev_id);
	bf_fw_cli_field(BF_PRINT_TEXT, NULL, "Chip:", IW, d);
	bf_print_end();
}

int bf_cmd_fw_image(int argc, char **argv)
{
	enum { OPT_FULL = BF_OPT_FIRST_CMD };
	static const struct option lo[] = { { "full", no_argument, NULL, OPT_FULL }, BF_CLI_LONGOPTS, { 0 } };
	struct bf_fw_fs4_info fi;
	struct bf_fw_image_hdr h;
	const char *path;
	bool full = false;
	char *img;
	size_t len;
	int opt, r;

	while ((opt = bf_cli_getopt(argc, argv, BF_CLI_SHORTOPTS, lo)) != -1) {
		if (opt == OPT_FULL)
			full = true;
		else
			bf_cli_common(opt, bf_fw_cli_usage());
	}
	if (argc - optind != 1)
		bf_cli_usage_error("image takes FILE");
	path = argv[optind];
	if ((r = bf_cli_input(path)))
		return r;
	bf_error_clear();
	if ((r = bf_file_read_all(path, BF_FW_IMAGE_MAX + BF_FW_IMAGE_HDR_SIZE, &img, &len)) < 0)
		return bf_cli_fail(r == -ENOMEM ? BF_EXIT_FAILURE : BF_EXIT_INPUT, r, NULL, "%s", path);
	/* bf_fw_image_check first: it says what the file is not when it is neither. */
	if ((r = bf_fw_image_check((const uint8_t *)img, len, &h)) == 0 && h.format == BF_FW_IMAGE_FS4)
		r = bf_fw_fs4_parse((const uint8_t *)img, len, 0, &fi);
	free(img);
	if (r < 0)
		return bf_cli_fail(BF_EXIT_INPUT, r, NULL, "%s", path);
	if (h.format == BF_FW_IMAGE_FS4)
		show_fs4(path, &fi, full);
	else
		show_bfsim(path, &h);
	return bf_cli_ok();
}
