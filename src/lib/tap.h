/* tap.h - TAP interfaces for the tmfifo network (bf_tap_*): the host's
 * tmfifo_net<N> in rshimd, the DPU's end in bfsim. Linux /dev/net/tun. */
#ifndef BF_TAP_H
#define BF_TAP_H

#include <stdint.h>

#define BF_TAP_FRAME_MAX 1536   /* ETH_PKT_SIZE upstream: longest frame carried */

/* Default MACs (spec rshim.md 4): the host's tmfifo_net<N> is
 * 00:1a:ca:ff:ff:02 with 2*N added to the last byte; the DPU's is
 * 00:1a:ca:ff:ff:01. */
void bf_tap_host_mac(unsigned index, uint8_t mac[6]);
void bf_tap_dpu_mac(uint8_t mac[6]);

/* Create (or attach to) TAP interface name in the current network
 * namespace with IFF_TAP | IFF_NO_PI, non-blocking, close-on-exec; set its
 * MAC (when mac is not NULL) and bring it up. Returns the fd or -errno
 * with a sentence. */
int bf_tap_open(const char *name, const uint8_t mac[6]);

/* Give name an IPv4 address ("192.168.100.2") with a prefix length. */
int bf_tap_set_ipv4(const char *name, const char *addr, unsigned prefix);

/* Bring the loopback interface of the current namespace up. */
int bf_tap_lo_up(void);

#endif
