/* fwbundle.c - the versions of the bundles `bfsim bundle` makes: named
 * version sets ("current": what the shipped recipes install; "next": every
 * component one release newer), one component set by hand, the PSID of the
 * NIC firmware, and the NIC firmware image itself (a BFSIMFW1 image the
 * simulated NIC checks, in the nicfw image of the bundle; "bad": one whose
 * payload fails the firmware's digest check). */
#include "config.h"
#include "bfb_pack.h"
#include "error.h"
#include "sim_bundle.h"
#include "fw/image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct vset {
	const char *name;
	const char *atf, *uefi, *bsp, *nic_bf2, *nic_bf3, *bmc, *cec, *doca, *release;
};

static const struct vset sets[] = {
	{ "current", "4.7.0-13127", "4.7.0-13127", "4.7.0.13127", "24.41.1000", "32.41.1000",
	  "24.04-5", "00.02.0182.0000", "2.7.0", "bf-fwbundle-2.7.0-33_24.04-prod" },
	{ "next", "4.8.0-13249", "4.8.0-13249", "4.8.0.13249", "24.42.1000", "32.42.1010",
	  "24.07-2", "00.02.0195.0000", "2.8.0", "bf-fwbundle-2.8.0-96_24.07-prod" },
};

/* Component names as the user gives them, and the recipe parameter. */
static const struct { const char *comp, *param; } comps[] = {
	{ "ATF", "atf" }, { "UEFI", "uefi" }, { "BSP", "bsp" }, { "NIC", "nic_fw" },
	{ "BMC", "bmc_fw" }, { "CEC", "cec_fw" }, { "DOCA", "doca" },
};

void bf_sim_bundle_init(struct bf_sim_bundle *b)
{
	memset(b, 0, sizeof(*b));
	b->set = "current";
	b->nic_image = "good";
}

static int find_set(const char *name, const struct vset **out)
{
	size_t i;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (!strcmp(sets[i].name, name)) {
			*out = &sets[i];
			return 0;
		}
	return bf_error_ret(EINVAL, "unknown version set '%s' (current, next)", name);
}

int bf_sim_bundle_version(struct bf_sim_bundle *b, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t i, n = eq ? (size_t)(eq - kv) : 0;

	if (!eq || !eq[1] || strlen(eq + 1) > 40 || strpbrk(eq + 1, " \t\"\\$"))
		return bf_error_ret(EINVAL, "--version takes COMPONENT=VERSION (no blanks, quotes or $), e.g. NIC=32.42.1010");
	for (i = 0; i < sizeof(comps) / sizeof(comps[0]); i++)
		if (strlen(comps[i].comp) == n && !strncasecmp(kv, comps[i].comp, n))
			break;
	if (i == sizeof(comps) / sizeof(comps[0]))
		return bf_error_ret(EINVAL, "--version: unknown component '%.*s' (ATF, UEFI, BSP, NIC, BMC, CEC, DOCA)",
				    (int)n, kv);
	if (b->nover == BF_SIM_BUNDLE_MAX_OVER)
		return bf_error_ret(E2BIG, "--version given more than %d times", BF_SIM_BUNDLE_MAX_OVER);
	snprintf(b->over[b->nover], sizeof(b->over[0]), "%s=%s", comps[i].param, eq + 1);
	b->nover++;
	return 0;
}

static int param(struct bf_bfb_pack *p, const char *k, const char *v)
{
	char kv[128];

	snprintf(kv, sizeof(kv), "%s=%s", k, v);
	return bf_bfb_pack_set_param(p, kv);
}

/* The override for param k, or def. */
static const char *value(const struct bf_sim_bundle *b, const char *k, const char *def)
{
	size_t i, n = strlen(k);

	for (i = b->nover; i-- > 0;)
		if (!strncmp(b->over[i], k, n) && b->over[i][n] == '=')
			return b->over[i] + n + 1;
	return def;
}

int bf_sim_bundle_params(const struct bf_sim_bundle *b, bool bf2, struct bf_bfb_pack *p)
{
	const struct vset *v = NULL;
	size_t i;
	int r;

	if ((r = find_set(b->set, &v)) < 0)
		return r;
	/* The first setting of a parameter wins: the last --version first,
	 * then the set, then (in the recipe) its defaults. */
	for (i = b->nover; i-- > 0;)
		if ((r = bf_bfb_pack_set_param(p, b->over[i])) < 0)
			return r;
	if ((r = param(p, "atf", v->atf)) < 0 || (r = param(p, "uefi", v->uefi)) < 0 ||
	    (r = param(p, "bsp", v->bsp)) < 0 || (r = param(p, "nic_fw", bf2 ? v->nic_bf2 : v->nic_bf3)) < 0 ||
	    (r = param(p, "bmc_fw", v->bmc)) < 0 || (r = param(p, "cec_fw", v->cec)) < 0 ||
	    (r = param(p, "doca", v->doca)) < 0 || (r = param(p, "release", v->release)) < 0)
		return r;
	if (b->psid[0] && (r = param(p, "psid", b->psid)) < 0)
		return r;
	return 0;
}

int bf_sim_bundle_nicfw(const struct bf_sim_bundle *b, bool bf2, struct bf_bfb_pack *p)
{
	const struct vset *v = NULL;
	struct bf_fw_image_hdr h = { .hw_dev_id = bf2 ? 0x214 : 0x21c, .payload_len = 16384,
				     .date_bcd = 0x20240204 };
	const char *ver;
	uint8_t *img;
	size_t len;
	int r;

	if ((r = find_set(b->set, &v)) < 0)
		return r;
	ver = value(b, "nic_fw", bf2 ? v->nic_bf2 : v->nic_bf3);
	if (bf_fw_version_parse(ver, &h.version) < 0)
		return bf_error_ret(EINVAL, "NIC=%s: a NIC firmware version is MAJOR.MINOR.SUBMINOR", ver);
	snprintf(h.psid, sizeof(h.psid), "%s", b->psid[0] ? b->psid : bf2 ? "MT_0000000540" : "MT_0000000884");
	snprintf(h.product, sizeof(h.product), "%s", ver);
	if ((r = bf_fw_image_make(&h, &img, &len)) < 0)
		return r;
	if (!strcmp(b->nic_image, "bad"))
		img[len - 1] ^= 0x5a;   /* the payload no longer matches its digest */
	r = bf_bfb_pack_add_data(p, 41, 0, img, len);
	free(img);
	return r;
}
