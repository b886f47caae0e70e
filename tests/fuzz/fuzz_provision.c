/* fuzz_provision.c - libFuzzer target: what the DPU sends bfctl provision.
 * RShim log text searched for the host key fingerprint (a result is always
 * "SHA256:" and 43 base64 characters, terminated), and bfagent's output
 * lines read for its verdict. Seeds: tests/fuzz/seeds/provision. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "provision_int.h"
#include "smoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { BF_PROV_FP_MAX, 51, 50, 8 };
	struct bf_prov_tally t = { 0 };
	char *text = malloc(size + 1), fp[BF_PROV_FP_MAX];
	size_t c;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		memset(fp, 'x', sizeof(fp));
		if (bf_prov_fp_from_log(text, fp, caps[c]) &&
		    (strnlen(fp, caps[c]) >= caps[c] || !bf_prov_fp_valid(fp)))
			__builtin_trap();
	}
	bf_prov_tally_line(&t, text);
	free(text);
	return 0;
}
