/* fuzz_profile.c - the DPU profile validator on arbitrary bytes (a profile
 * is user input, and a site profile may include anything). Every include
 * resolves to the same input again, so include chains, cycles and the
 * depth bound are exercised too. Seeds: tests/fuzz/seeds/profile (the
 * shipped profiles and broken ones) and a few made here. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgkeys.h"
#include "fileio.h"
#include "fw/params.h"
#include "profile.h"
#ifndef BF_FUZZ_LIBFUZZER
#include "smoke.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *cur;
static size_t cur_len;
static unsigned loads;

static int self_loader(void *ctx, const char *path, char **buf, size_t *len, char **canon)
{
	(void)ctx;
	if (++loads > 64)
		return -24;
	*buf = malloc(cur_len + 1);
	*canon = strdup(strlen(path) & 1 ? "odd" : path);
	if (!*buf || !*canon) {
		free(*buf);
		free(*canon);
		return -12;
	}
	memcpy(*buf, cur, cur_len);
	(*buf)[cur_len] = 0;
	*len = cur_len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bf_fw_params db;
	static struct bf_cfgkeys keys;
	static int loaded;
	struct bf_profile_ctx ctx = { NULL, NULL, self_loader, NULL };
	struct bf_profile_result res;
	struct bf_profile p;
	size_t i;

	if (!loaded) {
		loaded = bf_fw_params_load(&db) == 0 && bf_cfgkeys_load(&keys) == 0 ? 1 : -1;
		if (loaded < 0)
			abort();
	}
	ctx.params = &db;
	ctx.keys = &keys;
	cur = data;
	cur_len = size;
	loads = 0;
	if (bf_profile_parse(&ctx, "fuzz.yaml", (const char *)data, size, &p, &res) == 0) {
		if (res.errors > res.n + 100000 || res.n > res.cap)
			abort();
		for (i = 0; i < res.n; i++)
			if (strlen(res.d[i].msg) >= sizeof(res.d[i].msg) || !res.d[i].pos.file)
				abort();
		if (!res.errors)
			for (i = 0; i < p.nbridges; i++)
				if (!p.bridges[i].name[0])
					abort();
	}
	bf_profile_free(&p);
	bf_profile_result_free(&res);
	return 0;
}

#ifndef BF_FUZZ_LIBFUZZER
void bf_fuzz_seed(void)
{
	static const char *const seeds[] = {
		"", "[", "a: &x [*x]", "include: x.yaml\n", "include: [a, b, c]\ndpu: {eswitch: switchdev}\n",
		"dpu:\n  ovs:\n    bridges:\n      - {name: br0, ports: [a, {rep: pf0vf0}, {rep: 'c1pf0sf3'}]}\n",
		"a: &a [1,2]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c]\ne: [*d,*d,*d,*d]\n",
		"firmware: {PF_TOTAL_SF: 0x10, LAG_RESOURCE_ALLOCATION: \"\\0\"}\ndpu: {sfs: [{pf: 0, sfnum: 1}]}\n",
		"bfcfg: {UPDATE_DPU_OS: \"yes'\", BOOT0: DISK}\n", "dpu: {virtio_net: [{type: hotplug}]}\n",
	};
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		bf_fuzz_add_seed(seeds[i], strlen(seeds[i]));
}
#endif
