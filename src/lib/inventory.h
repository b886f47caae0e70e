/* inventory.h - a fleet inventory (bf_inventory_*): the devices one
 * `bfctl provision --inventory` run drives, read from YAML:
 *
 *	defaults:                 # every device, unless it sets its own
 *	  bfb: http://host/b.bfb  # a path (relative: to the inventory) or a URL
 *	  sha256: 9f86d0...       # optional, for the defaults' bfb only
 *	  config: site.cfg        # optional bf.cfg (not with profile)
 *	  profile: p.yaml         # optional DPU profile (bfctl provision)
 *	devices:
 *	  - rshim: usb:1-4        # required: any device name bfctl takes
 *	    name: rack7-dpu0      # optional label (default: the rshim name)
 *	  - rshim: sim:1
 *	    bfb: other.bfb        # overrides; sha256 then comes with it
 *
 * Every problem is reported with its kind and line; nothing is partial. */
#ifndef BF_INVENTORY_H
#define BF_INVENTORY_H

#include <stddef.h>

#define BF_INV_MAX_BYTES   (1u << 20)
#define BF_INV_MAX_DEVICES 1024
#define BF_INV_NAME_MAX    64
#define BF_INV_VALUE_MAX   2048

struct bf_inventory_device {
	char *name;       /* label for events and the summary */
	char *rshim;      /* device name */
	char *bfb;        /* path or URL; NULL: none */
	char *sha256;     /* 64 lower-case hex digits; NULL: none given */
	char *config;     /* bf.cfg path or URL; NULL: none */
	char *profile;    /* profile path; NULL: none */
	unsigned line;    /* where the device is declared */
};

struct bf_inventory {
	struct bf_inventory_device *dev;
	size_t n;
};

enum bf_inventory_errkind {
	BF_INV_ESYNTAX,      /* not YAML */
	BF_INV_ETYPE,        /* a mapping where a list belongs, ... */
	BF_INV_EUNKNOWN,     /* a key the inventory does not have */
	BF_INV_EMISSING,     /* a required key (devices, rshim, bfb or profile) */
	BF_INV_EDUPLICATE,   /* a key twice, two devices with one name or rshim */
	BF_INV_EVALUE,       /* a malformed value (sha256, device name, ...) */
	BF_INV_ELIMIT,       /* too large, too many devices, too long */
};

struct bf_inventory_error {
	enum bf_inventory_errkind kind;
	unsigned line, col;   /* 1-based; 0: the whole file */
	char msg[256];
};

/* "syntax", "type", "unknown-key", "missing", "duplicate", "value", "limit". */
const char *bf_inventory_errkind_name(enum bf_inventory_errkind k);

/* Parse buf (len bytes, any content). Relative paths are taken from
 * base_dir (NULL: as they are). 0, or -EINVAL with *err filled and the
 * sentence "LINE:COL: msg" in bf_error_get(). */
int bf_inventory_parse(const char *buf, size_t len, const char *base_dir,
		       struct bf_inventory *inv, struct bf_inventory_error *err);
/* The same for a file (relative paths from its directory). -errno when it
 * cannot be read (err->kind BF_INV_ELIMIT for a file too large). */
int bf_inventory_load(const char *path, struct bf_inventory *inv, struct bf_inventory_error *err);
void bf_inventory_free(struct bf_inventory *inv);

#endif
