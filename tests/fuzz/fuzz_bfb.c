/* fuzz_bfb.c - libFuzzer target: the BFB streaming parser fed in pieces
 * whose sizes come from the input, the info-image JSON reader, the pack
 * manifest parser, and the bf.cfg key database parser with the checker. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bfb.h"
#include "bfb_info.h"
#include "bfb_pack.h"
#include "cfgcheck.h"
#include "cfgkeys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_data(void *ctx, const struct bf_bfb_image *img, const uint8_t *b, size_t n)
{
	(void)img;
	*(uint64_t *)ctx += n ? b[0] + b[n - 1] : 0;   /* touch the bytes */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bf_bfb_parser_ops ops = { .image_data = on_data };
	struct bf_bfb_component comps[8];
	struct bf_bfb_parser p;
	struct bf_bfb_pack *pk;
	const char *why;
	uint64_t sink = 0;
	size_t o = 0, step, n;
	char *s;

	if (size < 1)
		return 0;
	/* First byte: piece size for the parser (1..256). */
	step = (size_t)data[0] + 1;
	bf_bfb_parser_init(&p, &ops, &sink, data[0] & 1 ? BF_BFB_KEEP_GOING_ON_CRC : 0);
	for (o = 1; o < size; o += step)
		if (bf_bfb_parser_feed(&p, data + o, size - o < step ? size - o : step))
			break;
	bf_bfb_parser_finish(&p);

	bf_bfb_info_components((const char *)data, size, comps, 8, &n, &why);

	s = malloc(size + 1);
	pk = malloc(sizeof(*pk));
	if (s && pk) {
		memcpy(s, data, size);
		s[size] = '\0';
		bf_bfb_pack_init(pk);
		/* Only text items: a manifest must not make us read files here. */
		if (!memmem(s, size, "file", 4) && !memmem(s, size, "from", 4))
			bf_bfb_pack_add_manifest_buf(pk, s, size, "/nonexistent");
		bf_bfb_pack_free(pk);
	}
	free(pk);
	/* The key database parser and the checker over the same bytes. */
	if (s) {
		struct bf_cfgkeys keys;
		struct bf_cfgcheck chk;

		if (bf_cfgkeys_parse(s, size, &keys) == 0) {
			if (bf_cfgcheck_run(&keys, s, size, &chk) == 0)
				bf_cfgcheck_free(&chk);
			bf_cfgkeys_free(&keys);
		}
	}
	free(s);
	return 0;
}
