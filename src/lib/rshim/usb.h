/* rshim/usb.h - the USB backend (bf_rshim_usb_*), libusb-1.0.
 *
 * Names: usb:<bus>-<port>[.<port>...] as in sysfs ("usb:1-4", "usb:3-1.2");
 * a bare "usb" is the only BlueField on USB. Registers are reached by
 * vendor control transfers (chip.c gives wValue/wIndex), the boot stream
 * by bulk transfers kept in flight within usbflow's credit, the TM FIFO by
 * its interrupt and bulk endpoints.
 */
#ifndef BF_RSHIM_USB_H
#define BF_RSHIM_USB_H

#include <stddef.h>

#include "rshim.h"
#include "rshim/scan.h"

int bf_rshim_usb_open(const char *arg, struct bf_rshim **out);
/* Up to max BlueField USB devices, sorted by port path; name is
 * "usb:<bus>-<ports>", addr "<bus>-<ports>". Returns the number found or
 * -errno (libusb unavailable). */
int bf_rshim_scan_usb(struct bf_rshim_found *out, size_t max);

/* The push engine (usbpush.h) on libusb transfers (usbpush_libusb.c),
 * used by usb.c; then bf_usbpush_write/flush/free. */
struct libusb_device_handle;
struct libusb_context;
struct bf_usbpush;
int bf_usbpush_new(struct libusb_context *ctx, struct libusb_device_handle *h,
		   const struct bf_chip *chip, unsigned char boot_ep, const char *name,
		   struct bf_usbpush **out);

#endif
