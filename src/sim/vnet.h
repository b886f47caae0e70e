/* vnet.h - the simulated virtio-net emulation controller behind bfsim's
 * `virtnet` program (doc/virtnet.md): its limits, its hot-plugged devices,
 * the state file that keeps them between invocations, and the JSON answers
 * of the controller's CLI (hotplug, unplug, list, query).
 *
 * The state file is input like any other (a test or a user may hand it
 * over damaged): bf_vnet_state_parse takes a buffer, bounds every length
 * and range, and refuses anything it would not write itself. */
#ifndef BF_VNET_H
#define BF_VNET_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define BF_VNET_MAX_DEVICES 64       /* array bound; the limit is max_hotplug */
#define BF_VNET_MAX_HOTPLUG 31       /* hotplug PFs on a BlueField-3 */
#define BF_VNET_STATE_MAX (256 * 1024) /* bytes of state file read at most */
#define BF_VNET_NAME_MAX 32          /* RDMA device names, rep netdev names */
#define BF_VNET_SF_MIN 1000          /* the controller uses SF numbers >= 1000 */
#define BF_VNET_SF_HOTPLUG 2000      /* first SF number of hotplug PFs */
#define BF_VNET_MTU_MIN 68
#define BF_VNET_MTU_MAX 9216
#define BF_VNET_QSIZE_MAX 32768      /* virtio split ring maximum */

/* Supported virtio-net feature bits (virtio numbering) and the default
 * feature set of a hot-plugged device. */
#define BF_VNET_FEATURES_SUPPORTED 0x80000333004f982bULL
#define BF_VNET_FEATURES_DEFAULT   0x103004f182bULL

struct bf_vnet_ctrl {
	char emulation_manager[BF_VNET_NAME_MAX]; /* e.g. mlx5_0 or mlx5_bond_0 */
	char pf_bdf[16];           /* PCI address of the SFs' parent, 0000:03:00.0 */
	unsigned max_hotplug;      /* hotplug PFs (switch ports available) */
	unsigned max_virt_queues;  /* per device */
	unsigned num_msix;         /* VIRTIO_NET_EMULATION_NUM_MSIX */
	unsigned sf_budget;        /* SFs left for virtio (PF_TOTAL_SF less others) */
	int rep_netdevs;           /* create each SF representor as a dummy netdev */
};

struct bf_vnet_dev {
	unsigned pf_id;            /* 0.. max_hotplug - 1 */
	unsigned sf_num;
	uint8_t mac[6];
	unsigned mtu;
	unsigned queues;           /* virtqueues (-n) */
	unsigned queue_size;       /* -s */
	uint64_t features;
	int transitional;
};

struct bf_vnet_state {
	struct bf_vnet_ctrl ctrl;
	size_t ndev;
	struct bf_vnet_dev dev[BF_VNET_MAX_DEVICES];
};

/* A controller with the documented defaults of a BlueField-3 set up for
 * hotplug (doc/virtnet.md). */
void bf_vnet_state_default(struct bf_vnet_state *s);
/* 0, or -EINVAL with bf_error_set naming the field at fault. */
int bf_vnet_state_parse(const char *buf, size_t len, struct bf_vnet_state *s);
/* The state as the JSON text bf_vnet_state_parse reads; caller frees. */
char *bf_vnet_state_format(const struct bf_vnet_state *s);
int bf_vnet_ctrl_check(const struct bf_vnet_ctrl *c);

/* Parse "aa:bb:cc:dd:ee:ff" (exactly); 0 or -EINVAL. */
int bf_vnet_mac_parse(const char *text, uint8_t mac[6]);
/* Parse a decimal or 0x-hex unsigned number within [min, max]. */
int bf_vnet_num_parse(const char *text, uint64_t min, uint64_t max, uint64_t *out);

/* The names and numbers the controller derives for a device. */
void bf_vnet_rep_name(const struct bf_vnet_state *s, const struct bf_vnet_dev *d,
		      char *buf, size_t len);
void bf_vnet_vuid(const struct bf_vnet_dev *d, char *buf, size_t len);
void bf_vnet_bdf(const struct bf_vnet_dev *d, char *buf, size_t len);

/* Hotplug request, checked against the limits. On success the device is
 * added to s and *out points at it; else a negative errno and a sentence. */
struct bf_vnet_req {
	const char *ib_device;
	uint8_t mac[6];
	unsigned mtu, queues, queue_size;
	int sf_num;                /* -1: the controller picks */
	uint64_t features;         /* 0: default */
	int transitional;
};
int bf_vnet_hotplug(struct bf_vnet_state *s, const struct bf_vnet_req *r,
		    struct bf_vnet_dev **out);
/* Index of the device with this pf_id or VUID, or -ENODEV. */
int bf_vnet_find(const struct bf_vnet_state *s, int pf_id, const char *vuid);
void bf_vnet_remove(struct bf_vnet_state *s, size_t idx);

/* JSON answers, as the controller's CLI prints them. */
json_object *bf_vnet_json_hotplug(const struct bf_vnet_state *s, const struct bf_vnet_dev *d,
				  int ifindex);
json_object *bf_vnet_json_list(const struct bf_vnet_state *s, const int *ifindex);
json_object *bf_vnet_json_query(const struct bf_vnet_state *s, const size_t *idx, size_t n,
				int brief);
json_object *bf_vnet_json_status(int err, const char *msg);

#endif
