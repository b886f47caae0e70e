#!/bin/bash
# agent_virtnet.sh - bfagent's virtio-net path: hotplug through the
# controller's CLI (here bfsim's simulated virtnet, src/sim/virtnet, with
# the documented JSON), the SF representors joining the bridge through a
# real ovsdb-server; a second apply changes nothing; a device dropped from
# the profile is unplugged and its port removed; one hot-plugged by hand is
# left alone. Read back with `virtnet list` and ovs-vsctl.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
AGENT="$top_builddir/src/agent/bfagent"
VIRTNET="$top_builddir/src/sim/virtnet"
schema=/usr/share/openvswitch/vswitch.ovsschema
if ! command -v ovsdb-server >/dev/null || [ ! -r "$schema" ] || [ ! -x "$VIRTNET" ]; then
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - ovsdb-server ($schema) and src/sim/virtnet are needed"; exit 1
	fi
	echo "1..0 # SKIP ovsdb-server or src/sim/virtnet missing"; exit 0
fi
export BFSIM_VIRTNET_STATE="$TMP/virtnet.json"
"$VIRTNET" sim-init >/dev/null || exit 1
ovsdb-tool create conf.db "$schema" || exit 1
ovsdb-server conf.db --remote="punix:$TMP/db.sock" --unixctl="$TMP/ovsdb.ctl" --pidfile="$TMP/ovsdb.pid" \
	--detach --no-chdir --log-file="$TMP/ovsdb.log" || exit 1
trap 'kill "$(cat "$TMP/ovsdb.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$TMP"' EXIT
VSCTL="ovs-vsctl --db=unix:$TMP/db.sock --no-wait"
$VSCTL init
A() { "$AGENT" --state "$TMP/state.json" --ovsdb "$TMP/db.sock" --virtnet "$VIRTNET" "$@"; }
o="$TMP/rc.out"
# devices: MAC/MTU/representor of every device in `virtnet list`.
cat > "$TMP/devices" <<SH
#!/bin/sh
"$VIRTNET" list | python3 -c 'import json,sys; print(" ".join(sorted("%s/%s/%s" % (d["net_mac"], d["net_mtu"], d["sf_rep_net_device"]) for d in json.load(sys.stdin)["devices"])))'
SH
chmod +x "$TMP/devices"
PATH="$TMP:$PATH"

cat > v.yaml <<'YAML'
firmware: { VIRTIO_NET_EMULATION_ENABLE: True, PCI_SWITCH_EMULATION_ENABLE: True, PF_TOTAL_SF: 64 }
dpu:
  ovs:
    bridges:
      - { name: br-vn, ports: [] }
  virtio_net:
    - { type: hotplug, pf: 0, mac: "02:11:22:33:44:01", mtu: 1500, queues: 8, queue_size: 1024, bridge: br-vn }
    - { type: hotplug, pf: 0, mac: "02:11:22:33:44:02", mtu: 9000, queues: 16, queue_size: 1024, bridge: br-vn }
YAML
expect_rc 0 "apply: exit 0" A apply v.yaml
check "5 created" grep -q "^apply: 5 created, 0 changed, 0 removed, 0 failed" "$o"
check "virtnet list: both devices, MTUs as asked" \
	sh -c "[ \"\$(devices)\" = '02:11:22:33:44:01/1500/en3f0pf0sf2000 02:11:22:33:44:02/9000/en3f0pf0sf2001' ]"
check "their representors are ports of br-vn" \
	sh -c "[ \"\$($VSCTL list-ports br-vn | tr '\n' ' ')\" = 'en3f0pf0sf2000 en3f0pf0sf2001 ' ]"
expect_rc 0 "apply again" A apply v.yaml
check "nothing to change" grep -q "^apply: nothing to change (5 objects in sync)" "$o"
check "no second hotplug" sh -c "[ \"\$(\"$VIRTNET\" list | grep -c net_mac)\" = 2 ]"

# One device hot-plugged by hand; the profile drops 02 and changes 01's MTU.
"$VIRTNET" hotplug -i mlx5_0 -m 02:11:22:33:44:99 -t 1500 -n 4 -s 256 >/dev/null
sed -i -e '/44:02/d' -e 's/mtu: 1500/mtu: 4000/' v.yaml
expect_rc 0 "apply the changed profile" A apply v.yaml
check "01 changed (unplug + hotplug), 02 removed with its port" \
	grep -q "^apply: .* 1 changed, 2 removed, 0 failed" "$o"
check "virtnet list: 01 at 4000, 99 (by hand) kept, 02 gone" \
	sh -c "devices | grep -q '02:11:22:33:44:01/4000/' && devices | grep -q '44:99' && ! devices | grep -q '44:02'"
check "br-vn holds the new representor of 01 only" \
	sh -c "[ \"\$($VSCTL list-ports br-vn | wc -l)\" = 1 ] && $VSCTL list-ports br-vn | grep -qx \"\$(\"$VIRTNET\" list | python3 -c 'import json,sys; print([d[\"sf_rep_net_device\"] for d in json.load(sys.stdin)[\"devices\"] if d[\"net_mac\"].endswith(\"01\")][0])')\""
expect_rc 0 "status: in sync" A status v.yaml
check "status: no drift" sh -c "! grep -q '^drift' '$o'"
done_testing
