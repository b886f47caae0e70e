/* fuzz_misc.c - libFuzzer target: the misc text a daemon (or whatever is
 * at /dev/rshim<N>/misc) hands bfb-install and the daemon backend, looked
 * up for the keys they read. The value is always bounded and terminated.
 * Seeds: tests/fuzz/seeds/misc (rshimd's misc at levels 1 and 2). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rshim/misc.h"
#include "smoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "DEV_INFO", "DEV_NAME", "DROP_MODE", "BOOT_MODE", "", "A" };
	static const size_t caps[] = { 64, 16, 1, 2 };
	char out[64];
	size_t k, c;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			memset(out, 'x', sizeof(out));
			if (bf_rshim_misc_value((const char *)data, size, keys[k], out, caps[c]) < 0 && out[0])
				__builtin_trap();   /* not found: empty */
			if (strnlen(out, caps[c]) >= caps[c])
				__builtin_trap();   /* not terminated within cap */
			if (memchr(out, '\n', caps[c]) && strchr(out, '\n'))
				__builtin_trap();   /* a value never spans lines */
		}
	return 0;
}
