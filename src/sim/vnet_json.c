/* vnet_json.c - the simulated virtio-net controller's answers, in the JSON
 * shapes of the controller's CLI (field names as documented: doc/virtnet.md).
 * Like the real one, some numbers come as strings and some as numbers. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vnet.h"

static const struct { int bit; const char *name; } feature_names[] = {
	{ 0, "VIRTIO_NET_F_CSUM" }, { 1, "VIRTIO_NET_F_GUEST_CSUM" },
	{ 3, "VIRTIO_NET_F_MTU" }, { 5, "VIRTIO_NET_F_MAC" },
	{ 11, "VIRTIO_NET_F_HOST_TSO4" }, { 12, "VIRTIO_NET_F_HOST_TSO6" },
	{ 15, "VIRTIO_NET_F_MRG_RXBUF" }, { 16, "VIRTIO_NET_F_STATUS" },
	{ 17, "VIRTIO_NET_F_CTRL_VQ" }, { 18, "VIRTIO_NET_F_CTRL_RX" },
	{ 19, "VIRTIO_NET_F_CTRL_VLAN" }, { 22, "VIRTIO_NET_F_MQ" },
	{ 32, "VIRTIO_F_VERSION_1" }, { 33, "VIRTIO_F_IOMMU_PLATFORM" },
	{ 36, "VIRTIO_F_ORDER_PLATFORM" }, { 37, "VIRTIO_F_SR_IOV" },
	{ 40, "VIRTIO_F_RING_RESET" }, { 41, "VIRTIO_F_ADMIN_VQ" },
	{ 63, "VIRTIO_NET_F_SPEED_DUPLEX" },
};

static json_object *hex(uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	return json_object_new_string(b);
}

static json_object *num_str(uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	return json_object_new_string(b);
}

static json_object *features(uint64_t v)
{
	json_object *o = json_object_new_object();
	char k[8];
	size_t i;

	json_object_object_add(o, "value", hex(v));
	for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
		if (!(v & (1ULL << feature_names[i].bit)))
			continue;
		snprintf(k, sizeof(k), "%d", feature_names[i].bit);
		json_object_object_add(o, k, json_object_new_string(feature_names[i].name));
	}
	return o;
}

static json_object *mac_str(const uint8_t m[6])
{
	char b[24];

	snprintf(b, sizeof(b), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return json_object_new_string(b);
}

static void add_common(json_object *o, const struct bf_vnet_dev *d)
{
	char b[24];

	json_object_object_add(o, "pf_id", json_object_new_int64(d->pf_id));
	json_object_object_add(o, "transitional", json_object_new_int64(d->transitional));
	bf_vnet_vuid(d, b, sizeof(b));
	json_object_object_add(o, "vuid", json_object_new_string(b));
}

json_object *bf_vnet_json_status(int err, const char *msg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "errno", json_object_new_int64(err));
	json_object_object_add(o, "errstr", json_object_new_string(msg));
	return o;
}

json_object *bf_vnet_json_hotplug(const struct bf_vnet_state *s, const struct bf_vnet_dev *d, int ifindex)
{
	json_object *o = json_object_new_object();
	char b[40];

	(void)ifindex;
	bf_vnet_bdf(d, b, sizeof(b));
	json_object_object_add(o, "bdf", json_object_new_string(b));
	bf_vnet_vuid(d, b, sizeof(b));
	json_object_object_add(o, "vuid", json_object_new_string(b));
	json_object_object_add(o, "id", json_object_new_int64(d->pf_id));
	json_object_object_add(o, "transitional", json_object_new_int64(d->transitional));
	bf_vnet_rep_name(s, d, b, sizeof(b));
	json_object_object_add(o, "sf_rep_net_device", json_object_new_string(b));
	json_object_object_add(o, "mac", mac_str(d->mac));
	json_object_object_add(o, "errno", json_object_new_int64(0));
	json_object_object_add(o, "errstr", json_object_new_string("Success"));
	return o;
}

static json_object *list_ctrl(const struct bf_vnet_state *s)
{
	json_object *c = json_object_new_object(), *t;

	json_object_object_add(c, "emulation_manager", json_object_new_string(s->ctrl.emulation_manager));
	json_object_object_add(c, "max_hotplug_devices", num_str(s->ctrl.max_hotplug));
	json_object_object_add(c, "max_virt_net_devices", num_str(s->ctrl.max_hotplug));
	json_object_object_add(c, "max_virt_queues", num_str(s->ctrl.max_virt_queues));
	json_object_object_add(c, "max_tunnel_descriptors", num_str(6));
	json_object_object_add(c, "supported_features", features(BF_VNET_FEATURES_SUPPORTED));
	t = json_object_new_object();
	json_object_object_add(t, "value", hex(1));
	json_object_object_add(t, "0", json_object_new_string("SPLIT"));
	json_object_object_add(c, "supported_virt_queue_types", t);
	t = json_object_new_object();
	json_object_object_add(t, "value", hex(5));
	json_object_object_add(t, "0", json_object_new_string("NO_MSIX_MODE"));
	json_object_object_add(t, "2", json_object_new_string("MSIX_MODE"));
	json_object_object_add(c, "supported_event_modes", t);
	return c;
}

json_object *bf_vnet_json_list(const struct bf_vnet_state *s, const int *ifindex)
{
	json_object *root = json_object_new_object(), *a = json_object_new_array();
	char b[40];
	size_t i;

	json_object_object_add(root, "controller", list_ctrl(s));
	for (i = 0; i < s->ndev; i++) {
		const struct bf_vnet_dev *d = &s->dev[i];
		json_object *o = json_object_new_object();

		add_common(o, d);
		json_object_object_add(o, "function_type", json_object_new_string("hotplug PF"));
		bf_vnet_bdf(d, b, sizeof(b));
		json_object_object_add(o, "bdf", json_object_new_string(b));
		json_object_object_add(o, "sf_num", json_object_new_int64(d->sf_num));
		json_object_object_add(o, "sf_parent_device", json_object_new_string(s->ctrl.emulation_manager));
		json_object_object_add(o, "sf_parent_device_pci_addr", json_object_new_string(s->ctrl.pf_bdf));
		bf_vnet_rep_name(s, d, b, sizeof(b));
		json_object_object_add(o, "sf_rep_net_device", json_object_new_string(b));
		json_object_object_add(o, "sf_rep_net_ifindex", json_object_new_int64(ifindex ? ifindex[i] : 0));
		snprintf(b, sizeof(b), "mlx5_%u", d->pf_id + 2);
		json_object_object_add(o, "sf_rdma_device", json_object_new_string(b));
		json_object_object_add(o, "sf_vhca_id", hex(0x10 + d->pf_id));
		json_object_object_add(o, "msix_config_vector", hex(0));
		json_object_object_add(o, "num_msix", json_object_new_int64(d->queues + 1));
		json_object_object_add(o, "max_queues", num_str(d->queues));
		json_object_object_add(o, "max_queues_size", num_str(d->queue_size));
		json_object_object_add(o, "net_mac", mac_str(d->mac));
		json_object_object_add(o, "net_mtu", json_object_new_int64(d->mtu));
		json_object_array_add(a, o);
	}
	json_object_object_add(root, "devices", a);
	return root;
}

json_object *bf_vnet_json_query(const struct bf_vnet_state *s, const size_t *idx, size_t n, int brief)
{
	json_object *root = json_object_new_object(), *a = json_object_new_array(), *t;
	char b[40];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct bf_vnet_dev *d = &s->dev[idx[i]];
		json_object *o = json_object_new_object();

		add_common(o, d);
		bf_vnet_bdf(d, b, sizeof(b));
		json_object_object_add(o, "pci_bdf", json_object_new_string(b));
		json_object_object_add(o, "pci_dev_id", hex(0x1041));
		json_object_object_add(o, "pci_vendor_id", hex(0x1af4));
		json_object_object_add(o, "pci_class_code", hex(0x20000));
		json_object_object_add(o, "pci_subsys_id", hex(0x1));
		json_object_object_add(o, "pci_subsys_vendor_id", hex(0x1af4));
		json_object_object_add(o, "pci_revision_id", hex(d->transitional ? 0 : 1));
		json_object_object_add(o, "pci_max_vfs", hex(0));
		json_object_object_add(o, "enabled_vfs", hex(0));
		json_object_object_add(o, "device_feature", features(d->features));
		json_object_object_add(o, "driver_feature", features(0));
		/* no host driver in the simulation: the device status stays 0 */
		t = json_object_new_object();
		json_object_object_add(t, "value", hex(0));
		json_object_object_add(o, "status", t);
		if (!brief) {
			json_object_object_add(o, "max_queues", json_object_new_int64(d->queues));
			json_object_object_add(o, "enabled_queues", json_object_new_int64(0));
			json_object_object_add(o, "net_max_queue_pairs", json_object_new_int64(d->queues / 2));
			json_object_object_add(o, "msix_config_vector", hex(0xffff));
			json_object_object_add(o, "num_msix", json_object_new_int64(d->queues + 1));
			json_object_object_add(o, "enabled-queues-info", json_object_new_array());
		}
		json_object_array_add(a, o);
	}
	json_object_object_add(root, "devices", a);
	return root;
}
