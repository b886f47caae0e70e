/* rshim.c - opening a device by the name the user gave (the backend table). */
#include "config.h"
#include "rshim.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct backend {
	const char *prefix;     /* "sim" matches "sim" and "sim:ARG" */
	int (*open)(const char *arg, struct bf_rshim **out);
};

static const struct backend backends[] = {
	{ "sim", bf_rshim_sim_open },
	{ "pcie", bf_rshim_pcie_open },
	{ "pcie-lf", bf_rshim_pcie_lf_open },
};

double bf_rshim_device_speed(void)
{
	const char *v = getenv("BFSIM_SPEED");
	double d;
	char *end;

	if (!getenv("BFSIM_TRANSPORT") || !v || !*v)
		return 1.0;
	d = strtod(v, &end);
	return *end || !(d >= 1.0) || d > 1e6 ? 1.0 : d;
}

int bf_rshim_open(const char *name, struct bf_rshim **out)
{
	size_t i;

	*out = NULL;
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		size_t n = strlen(backends[i].prefix);
		const char *arg;
		int r;

		if (strncmp(name, backends[i].prefix, n) != 0)
			continue;
		if (name[n] == '\0')
			arg = NULL;
		else if (name[n] == ':')
			arg = name + n + 1;
		else
			continue;
		r = backends[i].open(arg, out);
		if (r < 0)
			return r;
		snprintf((*out)->name, sizeof((*out)->name), "%s", name);
		bf_info("%s: opened %s (%s)", name, (*out)->dev_name, (*out)->chip->name);
		return 0;
	}
	return bf_error_ret(ENODEV, "no RShim device named '%s' (known forms: sim:N, pcie:DDDD:BB:DD.F, pcie-lf:DDDD:BB:DD.F)", name);
}

void bf_rshim_close(struct bf_rshim *r)
{
	if (r && r->ops->close)
		r->ops->close(r);
}
