/* fuzz_vnet.c - the simulated virtio-net controller's state file reader on
 * arbitrary bytes (anyone may hand the simulator a state file). What it
 * accepts must format and read back to the same state. Seeds: a default
 * controller and one with devices, made in code (bf_fuzz_seed). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnet.h"
#ifndef BF_FUZZ_LIBFUZZER
#include "smoke.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bf_vnet_state s, back;
	char *text;

	if (bf_vnet_state_parse((const char *)data, size, &s))
		return 0;
	if (s.ndev > s.ctrl.max_hotplug || bf_vnet_ctrl_check(&s.ctrl))
		abort();
	text = bf_vnet_state_format(&s);
	if (!text || bf_vnet_state_parse(text, strlen(text), &back) || memcmp(&s, &back, sizeof(s)))
		abort();
	free(text);
	return 0;
}

#ifndef BF_FUZZ_LIBFUZZER
void bf_fuzz_seed(void)
{
	static struct bf_vnet_state s;
	struct bf_vnet_req r = { .ib_device = "mlx5_0", .mac = { 2, 0x11, 0x22, 0x33, 0x44, 1 },
				 .mtu = 1500, .queues = 8, .queue_size = 1024, .sf_num = -1 };
	struct bf_vnet_dev *d;
	char *text;

	bf_vnet_state_default(&s);
	text = bf_vnet_state_format(&s);
	bf_fuzz_add_seed(text, strlen(text));
	free(text);
	bf_vnet_hotplug(&s, &r, &d);
	r.mac[5] = 2, r.sf_num = 2100, r.transitional = 1;
	bf_vnet_hotplug(&s, &r, &d);
	text = bf_vnet_state_format(&s);
	bf_fuzz_add_seed(text, strlen(text));
	free(text);
}
#endif
