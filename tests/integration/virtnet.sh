#!/bin/bash
# virtnet.sh - bfsim's simulated virtio-net controller behind the virtnet
# CLI: the JSON of hotplug, list, query and unplug, the documented limits
# (hotplug ports, MSI-X per device, SF budget, emulation manager), bad
# arguments, a damaged state file, concurrent callers.
. "$(dirname "$0")/lib.sh"
VN="$top_builddir/src/sim/virtnet"
export BFSIM_VIRTNET_STATE="$TMP/virtnet.json"
jqt() { local f=$1; shift; "$@" >"$TMP/j.out" && jq -e "$f" "$TMP/j.out" >/dev/null; }
hp() { "$VN" hotplug -i mlx5_0 -t 1500 -s 1024 "$@"; }

check "no state file: a started controller with no devices" \
	jqt '.controller.emulation_manager == "mlx5_0" and .controller.max_hotplug_devices == "15" and .devices == []' "$VN" list
check "sim-init sets the limits" "$VN" sim-init --max-hotplug 3 --num-msix 32 --sf-budget 2
check "list shows them" jqt '.controller.max_hotplug_devices == "3"' "$VN" list
check "hotplug answers bdf, vuid, id, SF representor, errno 0" \
	jqt '.vuid == "VNETS1D0F0" and .id == 0 and .sf_rep_net_device == "en3f0pf0sf2000" and .mac == "02:11:22:33:44:01" and .errno == 0' \
	hp -m 02:11:22:33:44:01 -n 8
check "list: a hotplug PF with its SF, MSI-X = queues + 1, MAC, MTU" \
	jqt '.devices | length == 1 and .[0].function_type == "hotplug PF" and .[0].sf_num == 2000 and .[0].num_msix == 9 and .[0].max_queues == "8" and .[0].net_mac == "02:11:22:33:44:01" and .[0].net_mtu == 1500' \
	"$VN" list
expect_rc 1 "32 queues need 33 MSI-X vectors (one per queue, one for config), the device has 32: refused" hp -m 02:11:22:33:44:02 -n 32
check "... with errno and errstr" jq -e '.errno == -22 and (.errstr | test("MSI-X"))' "$TMP/rc.out"
expect_rc 1 "a device on another RDMA device than the emulation manager: refused" \
	"$VN" hotplug -i mlx5_1 -m 02:11:22:33:44:02 -t 1500 -n 8 -s 1024
check "the second device gets the next SF number" jqt '.sf_rep_net_device == "en3f0pf0sf2001"' hp -m 02:11:22:33:44:02 -n 4
expect_rc 1 "the SF budget (2) is spent: refused" hp -m 02:11:22:33:44:03 -n 4
check "... saying so" grep -q 'no SF left' "$TMP/rc.err"
check "query -p 1: the virtio PCI identity and the default features" \
	jqt '.devices[0].pci_dev_id == "0x1041" and .devices[0].pci_vendor_id == "0x1af4" and .devices[0].device_feature.value == "0x103004f182b" and .devices[0].num_msix == 5' \
	"$VN" query -p 1
check "query -b leaves the queues out" jqt '.devices[0] | has("num_msix") | not' "$VN" query -u VNETS1D0F0 -b
check "query -a: both" jqt '.devices | length == 2' "$VN" query -a
check "unplug -u VUID" jqt '.errno == 0' "$VN" unplug -u VNETS1D0F0
check "list: one device left" jqt '[.devices[].vuid] == ["VNETS2D0F0"]' "$VN" list
expect_rc 1 "unplug of a device that is not there: refused" "$VN" unplug -p 5
check "hotplug reuses the free PF id" jqt '.id == 0 and .vuid == "VNETS1D0F0"' hp -m 02:11:22:33:44:05 -n 2

# Bad arguments: exit 2, nothing changed.
cp "$BFSIM_VIRTNET_STATE" "$TMP/before"
expect_rc 2 "hotplug without -s" "$VN" hotplug -i mlx5_0 -m 02:11:22:33:44:06 -t 1500 -n 2
expect_rc 2 "a MAC that is not one" hp -m 02:11:22:33:44 -n 2
expect_rc 2 "a queue count that is not a number" hp -m 02:11:22:33:44:07 -n 8x
expect_rc 2 "an unknown command" "$VN" plug
check "the state file did not change" cmp "$TMP/before" "$BFSIM_VIRTNET_STATE"
expect_rc 1 "queue size not a power of two" hp -m 02:11:22:33:44:08 -n 2 -s 1000
expect_rc 1 "features the controller does not support" hp -m 02:11:22:33:44:08 -n 2 -f 0x4

# A damaged state file: refused with its name, left as it is.
printf '{"controller": {"emulation_manager": "mlx5_0", "pf_bdf": "0000:03:00.0", "max_hotplug_devices": 99, "max_virt_queues": 64, "num_msix": 64, "sf_budget": 4}, "devices": []}' \
	> "$BFSIM_VIRTNET_STATE"
cp "$BFSIM_VIRTNET_STATE" "$TMP/bad"
expect_rc 1 "a state file with max_hotplug_devices 99: refused" "$VN" list
check "... naming the file and the field" grep -q "virtnet.json is damaged: max_hotplug_devices must be 1..31" "$TMP/rc.err"
check "... and left as it was" cmp "$TMP/bad" "$BFSIM_VIRTNET_STATE"
head -c 300000 /dev/zero | tr '\0' ' ' > "$BFSIM_VIRTNET_STATE"
expect_rc 1 "a state file over 256 KiB: refused" "$VN" list

# Concurrent callers: the lock keeps every hotplug.
rm -f "$BFSIM_VIRTNET_STATE"
"$VN" sim-init --max-hotplug 8 >/dev/null
for i in 1 2 3 4 5 6; do hp -m 02:11:22:33:45:0$i -n 2 >/dev/null & done
wait
check "six hotplugs at once: six devices, six SF numbers" \
	jqt '(.devices | length == 6) and ([.devices[].sf_num] | unique | length == 6)' "$VN" list
check "--version" sh -c '"$0" -v | grep -q "^v[0-9]"' "$VN"
done_testing
