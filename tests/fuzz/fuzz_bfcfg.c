/* fuzz_bfcfg.c - the bf.cfg reader on arbitrary text (bf.cfg is user and
 * device input). libFuzzer target; without libFuzzer it is a TAP smoke
 * test over a few built-in inputs and any files given. */
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

#ifndef BF_FUZZ_LIBFUZZER
int main(int argc, char **argv)
{
	static const char *const seeds[] = {
		"A=1\nB='x'\nC=\"$(echo \\\"}\\\")\"\nexport D=$'\\t'\n",
		"f() {\ncat <<-EOF\n\t}\n\tEOF\n}\n", "case x in a) ;; esac\n", "((((", "${${${", "\"",
		"A=(1 2\n", "if\nthen\nfi\n", "a && || b", "x <<", "function", "f(", "$'", "`",
	};
	size_t i;
	int t = 0;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		LLVMFuzzerTestOneInput((const uint8_t *)seeds[i], strlen(seeds[i]));
	printf("ok %d - built-in inputs\n", ++t);
	for (i = 1; i < (size_t)argc; i++) {
		static uint8_t buf[1 << 16];
		FILE *f = fopen(argv[i], "rb");
		size_t len = f ? fread(buf, 1, sizeof(buf), f) : 0;

		if (f)
			fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		printf("ok %d - %s\n", ++t, argv[i]);
	}
	printf("1..%d\n", t);
	return 0;
}
#endif
