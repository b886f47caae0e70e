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

static void line(const char *label, const char *value)
{
	bf_event_say("%-23s%s", label, value);
}

/* flint's FW version: the subminor (and a minor of 100 or more) as 4 digits. */
static void version(const uint16_t v[3], char *b, size_t n)
{
	snprintf(b, n, v[1] < 100 ? "%u.%u.%04u" : "%u.%04u.%04u", v[0], v[1], v[2]);
}

static void uid_line(const char *label, const struct bf_fw_fs4_uid *u, bool guid)
{
	char id[24], cnt[24];

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
	bf_event_say("%-18s     %s%s", label, id, cnt);
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
	if (bf_event_json()) {
		json_object *o = json_object_new_object(), *hw = json_object_new_array();

		json_object_object_add(o, "image", json_object_new_string(path));
		json_object_object_add(o, "image_type", json_object_new_string("FS4"));
		json_object_object_add(o, "fw_version", json_object_new_string(v));
		json_object_object_add(o, "release_date", json_object_new_string(d));
		json_object_object_add(o, "part_number", json_object_new_string(fi->name));
		json_object_object_add(o, "description", json_object_new_string(fi->description));
		json_object_object_add(o, "product_version", json_object_new_string(fi->product));
		json_object_object_add(o, "psid", json_object_new_string(fi->psid));
		json_object_object_add(o, "orig_psid", json_object_new_string(fi->orig_psid));
		json_object_object_add(o, "image_vsd", json_object_new_string(fi->image_vsd));
		json_object_object_add(o, "device_vsd", json_object_new_string(fi->device_vsd));
		snprintf(b, sizeof(b), "%016" PRIx64, fi->guid.uid);
		json_object_object_add(o, "base_guid", json_object_new_string(b));
		snprintf(b, sizeof(b), "%012" PRIx64, fi->mac.uid);
		json_object_object_add(o, "base_mac", json_object_new_string(b));
		json_object_object_add(o, "security_attributes", json_object_new_string(sec));
		json_object_object_add(o, "security_version", json_object_new_int64(fi->security_version));
		for (i = 0; i < fi->nhw; i++) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "hw_id", json_object_new_int((int)(fi->hw_ids[i] & 0xffff)));
			json_object_object_add(x, "revision", json_object_new_int((int)(fi->hw_ids[i] >> 16 & 0xff)));
			json_object_object_add(x, "chip", json_object_new_string(chip_name(fi->hw_ids[i] & 0xffff)));
			json_object_array_add(hw, x);
		}
		json_object_object_add(o, "supported_hw", hw);
		json_object_object_add(o, "pci_device_id", json_object_new_int(fi->pci_device_id));
		json_object_object_add(o, "image_start", json_object_new_int64(fi->start));
		json_object_object_add(o, "component_bytes", json_object_new_int64(fi->end));
		json_object_object_add(o, "itoc_sections", json_object_new_int((int)fi->nsections));
		json_object_object_add(o, "device_sector", json_object_new_boolean(fi->dtoc));
		bf_event_emit("fw_image", o);
		return;
	}
	line("Image type:", "FS4");
	line("FW Version:", v);
	if (fi->rel_day || fi->rel_month || fi->rel_year)
		line("FW Release Date:", d);
	if (full && fi->name[0])
		line("Part Number:", fi->name);
	if (full && fi->description[0])
		line("Description:", fi->description);
	if (fi->product[0])
		line("Product Version:", fi->product);
	line("Description:", "UID                GuidsNumber");
	uid_line("Base GUID:", &fi->guid, true);
	if (fi->dtoc && (fi->guid.uid != fi->orig_guid.uid || fi->guid.count != fi->orig_guid.count))
		uid_line("Orig Base GUID:", &fi->orig_guid, true);
	uid_line("Base MAC:", &fi->mac, false);
	if (fi->dtoc && (fi->mac.uid != fi->orig_mac.uid || fi->mac.count != fi->orig_mac.count))
		uid_line("Orig Base MAC:", &fi->orig_mac, false);
	line("Image VSD:", fi->image_vsd[0] ? fi->image_vsd : "N/A");
	line("Device VSD:", fi->device_vsd[0] ? fi->device_vsd : "N/A");
	line("PSID:", fi->psid);
	if (fi->dtoc && strncmp(fi->psid, fi->orig_psid, 13))
		line("Orig PSID:", fi->orig_psid[0] ? fi->orig_psid : "N/A");
	line("Security Attributes:", sec);
	snprintf(b, sizeof(b), "%u", fi->security_version);
	line("Security Ver:", b);
	if (full) {
		line("Default Update Method:", fi->mcc_en ? "fw_ctrl" : "Legacy");
		for (i = 0; i < fi->nhw; i++) {
			snprintf(b, sizeof(b), "%s (HW id 0x%x, revision %u)", chip_name(fi->hw_ids[i] & 0xffff),
				 fi->hw_ids[i] & 0xffff, fi->hw_ids[i] >> 16 & 0xff);
			line(i ? "" : "Supported HW:", b);
		}
	}
}

static void show_bfsim(const char *path, const struct bf_fw_image_hdr *h)
{
	char v[16], d[32];

	bf_fw_version_fmt(h->version, v, sizeof(v));
	bf_fw_date_fmt(h->date_bcd, d, sizeof(d));
	if (bf_event_json()) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "image", json_object_new_string(path));
		json_object_object_add(o, "image_type", json_object_new_string("BFSIMFW1"));
		json_object_object_add(o, "fw_version", json_object_new_string(v));
		json_object_object_add(o, "release_date", json_object_new_string(d));
		json_object_object_add(o, "product_version", json_object_new_string(h->product));
		json_object_object_add(o, "psid", json_object_new_string(h->psid));
		json_object_object_add(o, "hw_id", json_object_new_int(h->hw_dev_id));
		json_object_object_add(o, "chip", json_object_new_string(chip_name(h->hw_dev_id)));
		bf_event_emit("fw_image", o);
		return;
	}
	line("Image type:", "BFSIMFW1");
	line("FW Version:", v);
	line("FW Release Date:", d);
	if (h->product[0])
		line("Product Version:", h->product);
	line("PSID:", h->psid);
	snprintf(d, sizeof(d), "%s (HW id 0x%x)", chip_name(h->hw_dev_id), h->hw_dev_id);
	line("Chip:", d);
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

	while ((opt = getopt_long(argc, argv, BF_CLI_SHORTOPTS, lo, NULL)) != -1) {
		if (opt == OPT_FULL)
			full = true;
		else
			bf_cli_common(opt, bf_fw_cli_usage());
	}
	if (argc - optind != 1)
		bf_cli_usage_error("image takes FILE");
	path = argv[optind];
	bf_error_clear();
	if ((r = bf_file_read_all(path, BF_FW_IMAGE_MAX + BF_FW_IMAGE_HDR_SIZE, &img, &len)) < 0)
		return bf_cli_fail(r == -ENOENT ? BF_EXIT_INPUT : bf_cli_exit_for(r), r, NULL, "cannot read %s", path);
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
