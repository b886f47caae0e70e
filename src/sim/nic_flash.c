/* nic_flash.c - what the simulated NIC's two flash banks hold: the bytes
 * READ_COMPONENT returns (mstflint's verify reads the boot image back and
 * checks it). A bank holds the image burned into it, with the FS4 magic
 * pattern the host masked written back, as the firmware does when it
 * commits a component; a bank that was never burned (the factory image, or
 * what a BFB install put there) holds an FS4 image made from its version,
 * PSID and date. Burned banks are kept as nic-bank<N>.bin (0600) in the
 * state directory, and are used again only while they still match what
 * nv.json says the bank holds. */
#include "config.h"
#include "nic_int.h"
#include "fileio.h"
#include "fw/fs4.h"
#include "fw/image.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYNTH_PAYLOAD 0x8000   /* MAIN_CODE of a made-up image: reads stay short */

void bf_sim_nic_bank_drop(struct nic_bank *k)
{
	free(k->img);
	k->img = NULL;
	k->img_dirty = false;
}

int bf_sim_nic_bank_synth(struct nic_core *c, struct nic_bank *k)
{
	struct bf_fw_fs4_spec sp = {
		.hw_dev_id = c->chip->hw_dev_id, .date_bcd = k->date_bcd, .psid = k->psid, .product = k->product,
		.description = c->chip->description, .name = "BFSIM-FW", .payload_len = SYNTH_PAYLOAD,
		.signed_fw = true, .dtoc = false,
		.fw_ver = { (uint16_t)(k->version >> 24), (uint16_t)(k->version >> 16 & 0xff), (uint16_t)k->version },
	};
	uint8_t *img;
	size_t len;
	int r;

	bf_sim_nic_bank_drop(k);
	if ((r = bf_fw_fs4_make(&sp, &img, &len)) < 0)
		return r;
	k->img = img;
	k->size = (uint32_t)len;
	return 0;
}

/* The bank's file still holds what nv.json says the bank holds. */
static bool matches(const struct nic_bank *k, const uint8_t *buf, size_t len)
{
	struct bf_fw_image_hdr h;

	return len == k->size && bf_fw_image_check(buf, len, &h) == 0 && h.version == k->version &&
	       !strcmp(h.psid, k->psid);
}

static void bank_path(const struct nic_core *c, int i, char *path, size_t cap)
{
	if (snprintf(path, cap, "%s/nic-bank%d.bin", c->s->cfg.state_dir, i) >= (int)cap)
		path[0] = '\0';
}

void bf_sim_nic_flash_load(struct nic_core *c)
{
	char path[PATH_MAX], *buf = NULL;
	size_t len = 0;
	int i;

	for (i = 0; i < 2; i++) {
		struct nic_bank *k = &c->bank[i];

		if (!k->valid)
			continue;
		bank_path(c, i, path, sizeof(path));
		if (c->s->cfg.state_dir[0] && path[0]) {
			if (bf_file_read_all(path, NIC_MAX_COMPONENT, &buf, &len) == 0 &&
			    matches(k, (const uint8_t *)buf, len)) {
				bf_sim_nic_bank_drop(k);
				k->img = (uint8_t *)buf;
				continue;
			}
			free(buf);
			buf = NULL;
		}
		bf_sim_nic_bank_synth(c, k);
	}
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
	char tmp[PATH_MAX + 8];
	int fd, r;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = bf_file_write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

void bf_sim_nic_flash_save(struct nic_core *c)
{
	char path[PATH_MAX];
	int i;

	if (!c->s->cfg.state_dir[0])
		return;
	for (i = 0; i < 2; i++) {
		struct nic_bank *k = &c->bank[i];

		if (!k->img_dirty || !k->img)
			continue;
		bank_path(c, i, path, sizeof(path));
		if (path[0] && write_file(path, k->img, k->size) == 0)
			k->img_dirty = false;
	}
}

/* VERIFY_COMPONENT passed: the component becomes the bank's contents. */
void bf_sim_nic_flash_commit(struct nic_core *c, struct nic_bank *k, uint8_t *comp, uint32_t len)
{
	uint32_t start;
	unsigned i;

	(void)c;
	bf_sim_nic_bank_drop(k);
	if (len >= BF_FW_FS4_MAGIC_LEN && bf_fw_fs4_find(comp, len, &start) < 0) {
		for (i = 0; i < BF_FW_FS4_MAGIC_LEN && comp[i] == 0xff; i++)
			;
		if (i == BF_FW_FS4_MAGIC_LEN)
			for (i = 0; i < 4; i++)
				bf_fw_put32(comp, 4 * i, bf_fw_fs4_magic[i]);
	}
	k->img = comp;
	k->size = len;
	k->img_dirty = true;
}
