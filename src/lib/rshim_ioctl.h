/* rshim_ioctl.h - the register ioctls of /dev/rshim<N>/rshim, as the
 * upstream rshim daemon defines them and bf-reg issues them (spec
 * rshim.md 7). Packed, host byte order. The address is
 * (channel << 16) | offset, or on BF3 a linear CR-space address. */
#ifndef BF_RSHIM_IOCTL_H
#define BF_RSHIM_IOCTL_H

#include <stdint.h>
#include <sys/ioctl.h>

struct bf_rshim_ioc {          /* 12 bytes */
	uint32_t addr;
	uint64_t data;
} __attribute__((packed));

struct bf_rshim_ioc2 {         /* 13 bytes */
	uint32_t addr;
	uint64_t data;
	uint8_t data_size;     /* 4 or 8 */
} __attribute__((packed));

#define BF_RSHIM_IOC_READ   _IOWR('R', 0, struct bf_rshim_ioc)    /* 0xc00c5200 */
#define BF_RSHIM_IOC_WRITE  _IOWR('R', 1, struct bf_rshim_ioc)    /* 0xc00c5201 */
#define BF_RSHIM_IOC_READ2  _IOWR('R', 0, struct bf_rshim_ioc2)   /* 0xc00d5200 */
#define BF_RSHIM_IOC_WRITE2 _IOWR('R', 1, struct bf_rshim_ioc2)   /* 0xc00d5201 */

#endif
