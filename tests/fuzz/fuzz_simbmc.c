/* fuzz_simbmc.c - libFuzzer target: what any client on the network may
 * send bfsim's simulated BMC, past HTTP and authentication: the request
 * handler (bf_sim_bmc_handle) with the method and URL from the input's
 * first line ("METHOD URL") and the rest as the body, against one
 * simulated device in this process and a BMC with no listener. The
 * bmc-busy fault is on, so a SimpleUpdate is parsed and checked but never
 * starts pulling its ImageURI. Every answer is a JSON object with an HTTP
 * status. Without libFuzzer a smoke test (smoke.c). */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmc_int.h"
#include "host.h"
#include "sim.h"
#include "smoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bf_sim_host dev;
static struct bf_sim_bmc *bmc;

static void setup(void)
{
	struct bf_sim_bmc_opts o;
	struct bf_sim_config c;

	if (bmc)
		return;
	bf_sim_config_defaults(&c);
	c.virtual_access_ns = 1000;   /* nothing waits on the real clock */
	c.idle_real_min_s = 0;
	pthread_mutex_init(&dev.lock, NULL);
	if (bf_sim_open(&c, &dev.sim) < 0)
		abort();
	memset(&o, 0, sizeof(o));
	snprintf(o.password, sizeof(o.password), "fuzz");
	if (bf_sim_bmc_add_fault(&o, "bmc-busy") != 1 || bf_sim_bmc_start(&dev, 0, &o, &bmc) < 0)
		abort();
}

/* The input's first line up to the first space, then up to the end of the
 * line, each NUL-terminated; the body after it (NUL-terminated as the
 * HTTP layer hands it over). */
static char *field(const uint8_t **p, const uint8_t *end, const char *stops)
{
	size_t n = 0;
	char *s;

	while (*p + n < end && !strchr(stops, (*p)[n]))
		n++;
	if (!(s = malloc(n + 1)))
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += n + (*p + n < end);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *method, *url, *body, location[256];
	json_object *out;
	unsigned status = 0;
	size_t len;

	setup();
	method = field(&p, end, " \n");
	url = field(&p, end, "\n");
	len = (size_t)(end - p);
	if (len > BMC_BODY_MAX)
		len = BMC_BODY_MAX;
	if (!(body = malloc(len + 1)))
		abort();
	memcpy(body, p, len);
	body[len] = '\0';
	out = bf_sim_bmc_handle(bmc, method, url, body, len, &status, location, sizeof(location));
	if (!out || !json_object_is_type(out, json_type_object) || status < 200 || status > 599 ||
	    strnlen(location, sizeof(location)) == sizeof(location) || !json_object_to_json_string(out))
		abort();
	json_object_put(out);
	free(method);
	free(url);
	free(body);
	return 0;
}

#ifndef BF_FUZZ_LIBFUZZER
/* The make-check seeds: every resource read, and each action and PATCH
 * with a body it accepts. */
void bf_fuzz_seed(void)
{
	static const char *const seeds[] = {
		"GET /redfish/v1/",
		"GET /redfish/v1/Systems/Bluefield",
		"GET /redfish/v1/UpdateService/FirmwareInventory",
		"GET /redfish/v1/UpdateService/FirmwareInventory/DPU_OS",
		"GET /redfish/v1/TaskService/Tasks/0",
		"GET /redfish/v1/Chassis/Bluefield_ERoT",
		"GET /redfish/v1/Managers/Bluefield_BMC/Oem/Nvidia",
		"POST /redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate\n"
		"{\"ImageURI\":\"127.0.0.1:8099/img.bfb\",\"TransferProtocol\":\"HTTP\","
		"\"Targets\":[\"/redfish/v1/UpdateService/FirmwareInventory/DPU_OS\"]}",
		"POST /redfish/v1/Systems/Bluefield/Actions/ComputerSystem.Reset\n{\"ResetType\":\"On\"}",
		"POST /redfish/v1/Systems/Bluefield/Oem/Nvidia/Actions/Mode.Set\n{\"Mode\":\"DpuMode\"}",
		"POST /redfish/v1/Systems/Bluefield/Oem/Nvidia/Actions/HostRshim.Set\n{\"HostRshim\":\"Enabled\"}",
		"PATCH /redfish/v1/Managers/Bluefield_BMC/Oem/Nvidia\n{\"BmcRShim\":{\"BmcRShimEnabled\":true}}",
		"PATCH /redfish/v1/Systems/Bluefield\n{\"x\":1}",
		"DELETE /redfish/v1/UpdateService\n",
		"POST /redfish/v1/Managers/Bluefield_BMC/Actions/Manager.Reset\n{\"ResetType\":[1,{}]}",
	};
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		bf_fuzz_add_seed(seeds[i], strlen(seeds[i]));
}
#endif
