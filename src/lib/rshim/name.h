/* name.h - is a string a well-formed RShim device name? (bf_rshim_name_*) */
#ifndef BF_RSHIM_NAME_H
#define BF_RSHIM_NAME_H

/* 0 when name has one of the forms bf_rshim_open takes (whether or not
 * such a device exists): sim, sim:N, usb, usb:BUS-PORT[.PORT...], pcie,
 * pcie:DDDD:BB:DD.F, pcie-lf, pcie-lf:DDDD:BB:DD.F, rshimN or a path
 * (rshimd's device directory). -EINVAL with a sentence (bf_error_set)
 * naming the forms otherwise. */
int bf_rshim_name_check(const char *name);

#endif
