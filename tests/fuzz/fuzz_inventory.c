/* fuzz_inventory.c - libFuzzer target: a fleet inventory (YAML) read from
 * a buffer. Every outcome is a parsed inventory whose strings are bounded
 * and terminated, or an error with its kind and a line inside the input.
 * Seeds: tests/fuzz/seeds/inventory (the examples and broken variants). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "inventory.h"
#include "smoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bf_inventory_error err;
	struct bf_inventory inv;
	size_t i, lines = 1;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (bf_inventory_parse((const char *)data, size, "/base", &inv, &err) == 0) {
		if (!inv.n || inv.n > BF_INV_MAX_DEVICES)
			__builtin_trap();
		for (i = 0; i < inv.n; i++) {
			if (!inv.dev[i].rshim || !inv.dev[i].name || strlen(inv.dev[i].name) > BF_INV_NAME_MAX)
				__builtin_trap();
			if (!inv.dev[i].bfb && !inv.dev[i].profile)
				__builtin_trap();
			if (inv.dev[i].sha256 && strlen(inv.dev[i].sha256) != 64)
				__builtin_trap();
		}
		bf_inventory_free(&inv);
	} else if (err.line > lines + 1 || strnlen(err.msg, sizeof(err.msg)) >= sizeof(err.msg) ||
		   !strcmp(bf_inventory_errkind_name(err.kind), "unknown")) {
		__builtin_trap();
	}
	bf_error_clear();
	return 0;
}
