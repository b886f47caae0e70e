/* fuzz_bfcfg.c - the bf.cfg reader on arbitrary text (bf.cfg is user and
 * device input). Seeds: tests/fuzz/seeds/bfcfg (the shipped examples and
 * shell edge cases). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bfcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bf_bfcfg *c = NULL;
	struct bf_bfcfg_diag d;
	size_t i;

	if (bf_bfcfg_parse_diag((const char *)data, size, &c, &d) == 0) {
		for (i = 0; i < c->nvars; i++)
			if (!c->vars[i].name || !c->vars[i].value || !c->vars[i].pos.line)
				abort();
		for (i = 0; i < c->nfuncs; i++)
			if (c->funcs[i].body[0] != '{')
				abort();
		bf_bfcfg_get(c, "UPDATE_DPU_OS", "yes");
		bf_bfcfg_free(c);
	} else if (c || !d.pos.line || strlen(d.msg) >= sizeof(d.msg)) {
		abort();
	}
	return 0;
}
