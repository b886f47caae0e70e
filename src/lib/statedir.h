/* statedir.h - where bfctl keeps what it knows of one device (keys, the
 * pinned host key, journals, upgrade history): a directory per device
 * under a state root, named from the device name (bf_statedir_*). */
#ifndef BF_STATEDIR_H
#define BF_STATEDIR_H

#include <stddef.h>

/* The longest directory name a device name may encode to (NAME_MAX). */
#define BF_STATEDIR_NAME_MAX 255

/* The directory name of device: letters, digits, '-' and '.' (not first)
 * kept, ':' written '_', every other byte (including '_' and '%') written
 * %XX in upper-case hex. The encoding is one to one: two device names
 * never share a directory, and the name decodes back to the device.
 * 0; -EINVAL for an empty name; -ENAMETOOLONG when the name would exceed
 * BF_STATEDIR_NAME_MAX or cap. A sentence is set on error. */
int bf_statedir_name(const char *device, char *out, size_t cap);

/* ROOT/NAME for device: root, else $BFCTL_STATE_DIR when set and not
 * empty, else /var/lib/bfctl. Nothing is made. 0 or -errno as for
 * bf_statedir_name, -ENAMETOOLONG also when the path exceeds cap. */
int bf_statedir_path(const char *root, const char *device, char *out, size_t cap);

#endif
