/* fuzz_fs4.c - the FS4 image parser on arbitrary bytes (a firmware image is
 * a file from anywhere, and the simulated NIC parses what the host sends):
 * as a file, as a component, and through bf_fw_image_check. What it
 * accepts must lie within the buffer. Seed: an image from the library's
 * writer (bf_fuzz_seed). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/fs4.h"
#include "fw/image.h"
#include "smoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bf_fw_fs4_info fi;
	struct bf_fw_image_hdr h;
	bool digest;

	if (bf_fw_fs4_parse(data, size, 0, &fi) == 0) {
		if ((uint64_t)fi.start + fi.end > size || fi.nhw > 4 || strlen(fi.psid) > 16 ||
		    strlen(fi.description) > 256 || strlen(fi.device_vsd) > 208)
			__builtin_trap();
		if (bf_fw_image_check(data, size, &h) == 0) {
			uint8_t *c;
			size_t n;

			if (h.format == BF_FW_IMAGE_FS4 && bf_fw_image_component(data, size, &h, &c, &n) == 0) {
				/* What a burn would send, the NIC must accept. */
				if (bf_fw_image_component_check(c, n, &h, &digest) != 0)
					__builtin_trap();
				free(c);
			}
		}
	}
	bf_fw_fs4_parse(data, size, BF_FW_FS4_COMPONENT, &fi);
	bf_fw_image_component_check(data, size, &h, &digest);
	return 0;
}

#ifndef BF_FUZZ_LIBFUZZER
/* The make-check seed: an image from the library's writer, whole. */
void bf_fuzz_seed(void)
{
	struct bf_fw_fs4_spec sp = { .hw_dev_id = 0x21c, .fw_ver = { 32, 41, 1000 }, .date_bcd = 0x20240428,
				     .psid = "MT_0000000884", .product = "32.41.1000", .description = "fuzz seed",
				     .payload_len = 3000, .signed_fw = true, .dtoc = true };
	uint8_t *img;
	size_t len;

	if (bf_fw_fs4_make(&sp, &img, &len) == 0) {
		bf_fuzz_add_seed(img, len);
		free(img);
	}
}
#endif
