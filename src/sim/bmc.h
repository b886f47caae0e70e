/* bmc.h - the simulated BlueField BMC (bf_sim_bmc_*): a Redfish service over
 * HTTP and HTTPS (libmicrohttpd) in front of one simulated device. It
 * pulls an image by URL (libcurl) and streams it into the device's RShim
 * boot path with the library's push code, as a host install does; it
 * reports the device's boot progress, holds the RShim against host
 * backends, and reboots itself for a while when its own firmware changes.
 * Facts and what is modelled: doc/bmc.md.
 */
#ifndef BF_SIM_BMC_H
#define BF_SIM_BMC_H

#include <limits.h>
#include <stdbool.h>

#include "host.h"

#define BF_SIM_BMC_MAX_LISTEN 4
#define BF_SIM_BMC_PASSWORD_MAX 128

/* Faults of the BMC (--fault bmc-...). */
enum {
	BF_SIM_BMC_FAULT_AUTH = 1u << 0,           /* every authenticated request: 401 */
	BF_SIM_BMC_FAULT_PWCHANGE = 1u << 1,       /* ... 403 PasswordChangeRequired */
	BF_SIM_BMC_FAULT_BUSY = 1u << 2,           /* SimpleUpdate: 400 "An update is in progress" */
	BF_SIM_BMC_FAULT_REBOOT_XFER = 1u << 3,    /* the BMC reboots halfway through a transfer */
	BF_SIM_BMC_FAULT_REBOOT_BOOT = 1u << 4,    /* ... while the DPU boots what it was sent */
	BF_SIM_BMC_FAULT_PULL_FAIL = 1u << 5,      /* the image URI cannot be reached */
	BF_SIM_BMC_FAULT_IDENTICAL = 1u << 6,      /* the update ends "Component image is identical" */
	BF_SIM_BMC_FAULT_NO_RETURN = 1u << 7,      /* after its next reboot the BMC stays down */
};

struct bf_sim_bmc_opts {
	/* "https://ADDR:PORT" or "http://ADDR:PORT" (ADDR:PORT alone is HTTPS);
	 * device i of N listens on PORT + i. */
	char listen[BF_SIM_BMC_MAX_LISTEN][128];
	unsigned nlisten;
	char password[BF_SIM_BMC_PASSWORD_MAX];   /* of the user "root" */
	unsigned faults;
	/* The self-signed certificate is written here (PEM) for clients to
	 * trust: DIR/bmc-cert.pem. */
	char cert_dir[PATH_MAX];
};

/* "bmc-auth", "bmc-auth=password-change", "bmc-busy",
 * "bmc-reboot-during=transfer|boot", "bmc-pull-fail", "bmc-identical",
 * "bmc-no-return":
 * 1 (a BMC fault, added), 0 (not a BMC fault), -EINVAL with a sentence. */
int bf_sim_bmc_add_fault(struct bf_sim_bmc_opts *o, const char *spec);

struct bf_sim_bmc;

/* Serve the BMC of h (device index i: ports + i). 0 or -errno with a
 * sentence. */
int bf_sim_bmc_start(struct bf_sim_host *h, unsigned i, const struct bf_sim_bmc_opts *o,
		     struct bf_sim_bmc **out);
void bf_sim_bmc_stop(struct bf_sim_bmc *b);

#endif
