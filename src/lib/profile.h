/* profile.h - DPU profiles (bf_profile_*): one YAML document describing the
 * desired state of a DPU across three layers: `firmware:` NV parameters
 * (firmware/params.yaml names), `bfcfg:` install-time keys (bfcfg/keys.yaml)
 * and `dpu:` (eswitch, VFs, LAG, SFs, OVS, virtio-net), applied on the DPU by
 * bfagent. The schema is documented in doc/profiles.md.
 *
 * One validator serves `bfctl profile check` and `bfagent check`: it parses
 * a buffer, follows `include:` through a loader callback, merges, checks
 * every layer and the rules between layers, and reports typed diagnostics
 * with file:line:column. */
#ifndef BF_PROFILE_H
#define BF_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "cfgkeys.h"
#include "fw/params.h"

#define BF_PROFILE_MAX_BYTES (1u << 20)   /* one file */
#define BF_PROFILE_MAX_INCLUDE_DEPTH 8
#define BF_PROFILE_MAX_ITEMS 1024          /* entries in any one list */
#define BF_PROFILE_NAME_MAX 16             /* IFNAMSIZ, with the NUL */
#define BF_PROFILE_MAX_LAG_MEMBERS 2       /* switchdev LAG: exactly two ports */

/* Diagnostic classes: stable names in JSON ("class"). */
enum bf_profile_class {
	BF_PDIAG_SYNTAX,        /* not YAML, or not the expected node kind */
	BF_PDIAG_UNKNOWN_KEY,   /* a key the schema does not have (with did-you-mean) */
	BF_PDIAG_TYPE,          /* a value of the wrong type or format */
	BF_PDIAG_RANGE,         /* a number out of its range */
	BF_PDIAG_MISSING,       /* a required key is absent */
	BF_PDIAG_DUPLICATE,     /* two objects with the same identity */
	BF_PDIAG_CROSS_LAYER,   /* the dpu: layer needs a firmware: setting */
	BF_PDIAG_CONFLICT,      /* objects that contradict each other */
	BF_PDIAG_INCLUDE,       /* an include that cannot be read, a cycle, too deep */
};

enum bf_profile_sev { BF_PSEV_ERROR, BF_PSEV_WARNING };

struct bf_profile_pos {
	const char *file;       /* owned by the profile (files[]) */
	unsigned line, col;     /* 1-based */
};

struct bf_profile_diag {
	enum bf_profile_sev sev;
	enum bf_profile_class cls;
	struct bf_profile_pos pos;
	char path[96];          /* the key path, e.g. dpu.ovs.bridges[1].name */
	char msg[320];
};

struct bf_profile_kv {
	char *key, *value;
	struct bf_profile_pos pos;
};

/* A devlink device the DPU's eswitch belongs to, e.g. pci/0000:03:00.0. */
struct bf_profile_pf {
	char devlink[64];
	int vfs;                /* -1: not managed */
	struct bf_profile_pos pos;
};

struct bf_profile_lag {
	bool set;
	char name[BF_PROFILE_NAME_MAX];        /* bond0 */
	char mode[16];                         /* 802.3ad | active-backup | balance-xor */
	char hash[16];                         /* layer2 | layer2+3 | layer3+4 | encap2+3 | encap3+4 */
	unsigned miimon;                       /* ms */
	unsigned mtu;                          /* 0: leave */
	char members[BF_PROFILE_MAX_LAG_MEMBERS][32];   /* phys_port_name of the uplinks: p0, p1 */
	unsigned nmembers;
	struct bf_profile_pos pos;
};

struct bf_profile_sf {
	unsigned pf, sfnum;
	char mac[18];           /* "" = leave */
	bool trust;
	struct bf_profile_pos pos;
};

/* An OVS port: a netdev by name (bond0), or a representor by its
 * phys_port_name (p0, pf0hpf as "pf0", pf0vf3, pf0sf88) on the eswitch. */
struct bf_profile_port {
	char name[BF_PROFILE_NAME_MAX];
	char rep[32];
	struct bf_profile_pos pos;
};

struct bf_profile_bridge {
	char name[BF_PROFILE_NAME_MAX];
	char datapath_type[16];             /* "" (system) | netdev */
	struct bf_profile_port *ports;
	size_t nports;
	struct bf_profile_pos pos;
};

enum bf_virtio_kind { BF_VIRTIO_HOTPLUG, BF_VIRTIO_STATIC_PF, BF_VIRTIO_STATIC_VF };

struct bf_profile_virtio {
	enum bf_virtio_kind kind;
	unsigned pf, vf;        /* static: the function; hotplug: pf is the port */
	char ib_device[32];     /* hotplug: mlx5_0 / mlx5_bond_0 ("" = from the port) */
	char mac[18];
	unsigned mtu, queues, queue_size;
	char bridge[BF_PROFILE_NAME_MAX];   /* add its SF representor to this bridge */
	struct bf_profile_pos pos;
};

struct bf_profile {
	char *name, *description;
	char **files;           /* every file read, the top one first */
	size_t nfiles;
	struct bf_profile_kv *firmware;
	size_t nfirmware;
	struct bf_profile_kv *bfcfg;
	size_t nbfcfg;
	/* dpu: */
	char eswitch[16];       /* "" | legacy | switchdev */
	struct bf_profile_pf *pfs;
	size_t npfs;
	struct bf_profile_lag lag;
	struct bf_profile_sf *sfs;
	size_t nsfs;
	struct bf_profile_bridge *bridges;
	size_t nbridges;
	struct bf_profile_kv *ovs_other_config;
	size_t nother;
	struct bf_profile_virtio *virtio;
	size_t nvirtio;
};

/* Reads an included file. path is the include as written, joined to the
 * including file's directory. 0 with a malloc'd NUL-terminated buffer and
 * *canon set to a malloc'd name that is the same for the same file (for
 * cycle detection; the file loader uses realpath), or -errno. */
typedef int (*bf_profile_loader)(void *ctx, const char *path, char **buf, size_t *len, char **canon);

struct bf_profile_ctx {
	const struct bf_fw_params *params;   /* NULL: firmware names are not checked */
	const struct bf_cfgkeys *keys;       /* NULL: bfcfg keys are not checked */
	bf_profile_loader load;              /* NULL: include: is an error */
	void *load_ctx;
};

struct bf_profile_result {
	struct bf_profile_diag *d;
	size_t n, cap;
	unsigned errors, warnings;
};

/* Parse and check a profile held in buf (name: its file name, for the
 * positions and for resolving includes). The profile is filled as far as
 * it could be read; it is usable when res->errors == 0. Returns 0 (even with
 * diagnostics), or -ENOMEM. Free both with the functions below. */
int bf_profile_parse(const struct bf_profile_ctx *ctx, const char *name, const char *buf, size_t len,
		     struct bf_profile *p, struct bf_profile_result *res);
/* The same from a file, reading includes from the file system relative to
 * the including file. -errno with a sentence when path cannot be read. */
int bf_profile_load_file(const struct bf_profile_ctx *ctx, const char *path, struct bf_profile *p,
			 struct bf_profile_result *res);
/* bf_profile_load_file with the installed parameter and key databases. */
int bf_profile_open(const char *path, struct bf_profile *p, struct bf_profile_result *res);
void bf_profile_free(struct bf_profile *p);
void bf_profile_result_free(struct bf_profile_result *res);

const char *bf_profile_class_name(enum bf_profile_class c);
const char *bf_profile_sev_name(enum bf_profile_sev s);

/* Print the diagnostics (text lines, or "profile_diag" JSON events) and a
 * summary line. */
void bf_profile_report(const char *path, const struct bf_profile_result *res);

/* A firmware: value of the profile, or NULL. */
const char *bf_profile_firmware(const struct bf_profile *p, const char *name);

#endif
