/* bench_bundle.c - bundles for the benchmarks, through bf_bfb_pack. */
#include "config.h"
#include "bench_bundle.h"
#include "bfb_pack.h"
#include "bfb_recipe.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

int bench_bundle(const char *path, const uint8_t *ids, const uint64_t *sizes, size_t n)
{
	struct bf_bfb_pack *p = malloc(sizeof(*p));
	char tmp[PATH_MAX];
	size_t i;
	int r = 0;

	if (!p)
		return -ENOMEM;
	bf_bfb_pack_init(p);
	for (i = 0; i < n && r == 0; i++)
		if ((r = bf_bfb_recipe_tmpfile(p, tmp, sizeof(tmp))) == 0 &&
		    (r = bf_bfb_recipe_fill(tmp, sizes[i], 0x9e3779b97f4a7c15ull + i)) == 0)
			r = bf_bfb_pack_add_file(p, ids[i], 0, tmp);
	if (r == 0)
		r = bf_bfb_pack_write(p, path, false, true, false);
	bf_bfb_pack_free(p);
	free(p);
	return r;
}
