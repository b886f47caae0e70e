/* nic_pci.c - the simulated NIC's functions (0000:03:00.0 and .1 for
 * sim:0, the next odd bus for each further device) on the
 * PCI bus that `bfsim run --transport pci` serves (pcidev.h, pcifs.c). */
#include "config.h"
#include "host.h"
#include "pcidev.h"
#include "nic.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>

static int nic_read(void *ctx, uint32_t off, void *buf, size_t len)
{
	return bf_sim_nic_cfg_read(ctx, off, buf, len);
}

static int nic_write(void *ctx, uint32_t off, const void *buf, size_t len)
{
	return bf_sim_nic_cfg_write(ctx, off, buf, len);
}

int bf_sim_pci_nic_add(struct bf_sim_host *h, struct bf_sim_pcibus *bus)
{
	unsigned fn;
	int r;

	for (fn = 0; fn < BF_SIM_NIC_FUNCS; fn++) {
		struct bf_sim_pcidev d = {
			.cfg_size = BF_SIM_NIC_CFG_SIZE, .cfg_read = nic_read, .cfg_write = nic_write,
		};

		/* The NIC belongs to the simulator (freed by bf_sim_close). */
		d.ctx = bf_sim_nic_get(h->sim, fn);
		if (!d.ctx)
			return bf_error_ret(ENOMEM, "bfsim: cannot make the NIC");
		bf_sim_pci_bdf(h, BF_SIM_PCI_BUS_NIC, fn, d.bdf, sizeof(d.bdf));
		if ((r = bf_sim_pcibus_add(bus, &d)) < 0)
			return bf_error_ret(-r, "bfsim: cannot add the NIC function %s", d.bdf);
	}
	return 0;
}
