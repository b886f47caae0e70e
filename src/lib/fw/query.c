/* fw/query.c - the fields of `flint q` from the registers (spec 5.1). */
#include "config.h"
#include "fw/query.h"
#include "fw/image.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *rom_type(unsigned t)
{
	switch (t) {
	case 1: return "PXE";
	case 2: return "UEFI";
	case 3: return "UEFI CLP";
	case 4: return "NVMe";
	case 5: return "FCODE";
	case 6: return "UEFI Virtio net";
	case 7: return "UEFI Virtio blk";
	case 8: return "PXE Virtio net";
	default: return "unknown";
	}
}

static const char *rom_arch(unsigned a)
{
	switch (a) {
	case 1: return "AMD64";
	case 2: return "AARCH64";
	case 3: return "AMD64,AARCH64";
	case 4: return "IA32";
	default: return "unknown";
	}
}

static void add_rom(struct bf_fw_query *q, unsigned type, unsigned arch, uint32_t ver)
{
	if (!type || q->nrom >= BF_FW_QUERY_ROMS)
		return;
	snprintf(q->rom[q->nrom].type, sizeof(q->rom[0].type), "%s", rom_type(type));
	snprintf(q->rom[q->nrom].version, sizeof(q->rom[0].version), "%u.%u.%u", ver >> 24, (ver >> 16) & 0xff,
		 ver & 0xffff);
	snprintf(q->rom[q->nrom].cpu, sizeof(q->rom[0].cpu), "%s", rom_arch(arch));
	q->nrom++;
}

static void version_fields(const struct bf_fw_mcqi_version *v, char *ver, size_t vlen, char *date, size_t dlen,
			   char *product, size_t plen)
{
	size_t n = v->version_string_length, i;

	bf_fw_version_fmt(v->version, ver, vlen);
	if (date) {
		if (v->build_time_valid)
			bf_fw_date_fmt((uint32_t)v->bt_year << 16 | (uint32_t)v->bt_month << 8 | v->bt_day, date, dlen);
		else
			snprintf(date, dlen, "N/A");
	}
	if (product) {
		product[0] = '\0';
		if (n >= 1 && n <= 16 && n < plen) {
			for (i = 0; i < n; i++)
				product[i] = v->version_string[i] >= 0x20 && v->version_string[i] < 0x7f ?
					     v->version_string[i] : '?';
			product[n] = '\0';
		}
	}
}

int bf_fw_query(struct bf_fw_dev *d, struct bf_fw_query *q)
{
	struct bf_fw_mgir m;
	struct bf_fw_mcqi_version run, pend;
	uint64_t mac;
	size_t i;
	int r;

	memset(q, 0, sizeof(*q));
	if ((r = bf_fw_dev_mgir(d, &m)) < 0)
		return r;
	q->pci_devid = m.device_id ? m.device_id : d->pci->device;
	q->hw_id = m.hw_dev_id ? m.hw_dev_id : d->hw_id;
	q->uptime = m.uptime;
	q->ini_revision = m.ini_file_version;
	snprintf(q->device_type, sizeof(q->device_type), "%s", d->type ? d->type->name : "unknown");
	/* FS5 from ConnectX-8 / BlueField-4 on, FS4 before (spec 1.10). */
	snprintf(q->image_type, sizeof(q->image_type), "%s",
		 q->hw_id == 0x21e || q->hw_id == 0x224 || q->hw_id == 0x220 ? "FS5" : "FS4");
	for (i = 0; i < 16 && m.psid[i]; i++)
		q->psid[i] = m.psid[i] >= 0x20 && m.psid[i] < 0x7f ? m.psid[i] : '?';
	if (!d->mcc)
		return bf_error_ret(ENOTSUP, "%s does not offer the firmware-control registers (MCQS/MCQI/MCC, "
				    "or MLOCK is locked): bfctl cannot query it", d->name);
	if ((r = bf_fw_dev_version(d, false, &run)) < 0)
		return r;
	version_fields(&run, q->fw_running, sizeof(q->fw_running), q->release_date, sizeof(q->release_date),
		       q->product_version, sizeof(q->product_version));
	if ((r = bf_fw_dev_version(d, true, &pend)) < 0)
		return r;
	if (r == 0) {
		q->pending = true;
		version_fields(&pend, q->fw_version, sizeof(q->fw_version), q->release_date, sizeof(q->release_date),
			       q->product_version, sizeof(q->product_version));
	} else {
		snprintf(q->fw_version, sizeof(q->fw_version), "%s", q->fw_running);
	}
	/* The ROMs of the running image, rom3 first (as flint lists them). */
	add_rom(q, m.rom3_type, m.rom3_arch, m.rom3_version);
	add_rom(q, m.rom2_type, m.rom2_arch, m.rom2_version);
	add_rom(q, m.rom1_type, m.rom1_arch, m.rom1_version);
	add_rom(q, m.rom0_type, m.rom0_arch, m.rom0_version);
	/* The base MAC of manufacturing; its GUID as the devices form it
	 * (MAC[0:3] 03 00 MAC[3:6]). */
	mac = (uint64_t)m.mfg_base_mac_47_32 << 32 | m.mfg_base_mac_31_0;
	snprintf(q->base_mac, sizeof(q->base_mac), "%012llx", (unsigned long long)mac);
	snprintf(q->base_guid, sizeof(q->base_guid), "%06llx0300%06llx", (unsigned long long)(mac >> 24),
		 (unsigned long long)(mac & 0xffffff));
	if ((r = bf_fw_dev_mqis(d, BF_FW_MQIS_IMAGE_VSD, q->image_vsd, sizeof(q->image_vsd))) < 0 ||
	    (r = bf_fw_dev_mqis(d, BF_FW_MQIS_DEVICE_VSD, q->device_vsd, sizeof(q->device_vsd))) < 0 ||
	    (r = bf_fw_dev_mqis(d, BF_FW_MQIS_MODEL_NAME, q->model, sizeof(q->model))) < 0 ||
	    (r = bf_fw_dev_mqis(d, BF_FW_MQIS_MODEL_DESCRIPTION, q->description, sizeof(q->description))) < 0)
		return r;
	/* Security attributes: MGIR bits, then the tokens present (MCQS). */
	snprintf(q->security, sizeof(q->security), "%s", m.secured ? "secure-fw" : m.signed_fw ? "signed-fw" : "N/A");
	if (m.debug)
		strncat(q->security, ", debug", sizeof(q->security) - strlen(q->security) - 1);
	if (m.dev)
		strncat(q->security, ", dev", sizeof(q->security) - strlen(q->security) - 1);
	{
		static const struct { uint16_t id; const char *text; } tokens[] = {
			{ BF_FW_COMP_CS_TOKEN, ", cs-token" }, { BF_FW_COMP_DBG_TOKEN, ", dbg-token" },
			{ BF_FW_COMP_CRYPTO_TO_COMM, ", crypto-to-commissioning" },
			{ BF_FW_COMP_RMCS_TOKEN, ", rmcs-token" }, { BF_FW_COMP_RMDT_TOKEN, ", rmdt-token" },
		};
		size_t t, c;

		for (t = 0; t < sizeof(tokens) / sizeof(tokens[0]); t++)
			for (c = 0; c < d->ncomps; c++)
				if (d->comps[c].id == tokens[t].id && d->comps[c].status != BF_FW_CS_NOT_PRESENT)
					strncat(q->security, tokens[t].text, sizeof(q->security) - strlen(q->security) - 1);
	}
	return 0;
}
