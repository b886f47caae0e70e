#!/bin/bash
# provision_rshimd.sh - bfctl provision through rshimd (rshim0): the
# install through the daemon's boot file, the hand-off over the
# tmfifo_net0 rshimd makes (not the library's own), the DPU's OS in quick
# mode (sshd and ovsdb-server in bfsim's DPU namespace). A second run is a
# no-op; bfctl agent reaches the DPU the same way; the device unplugged
# while bfagent runs ends with its own message, and once it is back the
# re-run finishes.
if [ -z "${PROVISION_TEST_INNER:-}" ]; then
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ] || [ ! -c /dev/net/tun ] || [ ! -x /usr/sbin/sshd ] ||
	   ! command -v ovsdb-server >/dev/null || ! command -v ssh-keygen >/dev/null; then
		echo "1..0 # SKIP needs root, FUSE, /dev/net/tun, sshd (openssh-server), ovsdb-server and ssh-keygen"
		exit 0
	fi
	export PROVISION_TEST_INNER=1
	STATE=$(mktemp -d "${TMPDIR:-/tmp}/bfctl-prov-rshimd.XXXXXX")
	trap 'rm -rf "$STATE"' EXIT
	export PROVISION_SIM_STATE="$STATE/dev"
	"$top_builddir/src/sim/bfsim" run --state "$STATE/dev" --speed "${BFSIM_TEST_SPEED:-50}" --net -- bash "$0"
	exit $?
fi
. "$(dirname "$0")/lib.sh"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
ROOTFS="$PROVISION_SIM_STATE/rootfs"
RSHIMD="$top_builddir/src/rshimd/rshimd"
export BFCTL_RSHIM_ROOT="$TMP/dev" BFCTL_STATE_DIR="$TMP/state"
mkdir -p "$TMP/dev"
PIDF="$TMP/rshimd.pid"
trap 'stop_pidfile "$PIDF"; [ "$T_FAILED" = 0 ] || sed "s/^/# rshimd: /" "$TMP/rshimd.log" 2>/dev/null | tail -20; rm -rf "$TMP"' EXIT
cat > "$TMP/quick.yaml" <<'EOF'
profile: quick
dpu:
  ovs:
    other_config:
      hw-offload: "true"
    bridges:
      - name: ovsbr1
EOF
expect_rc 0 "rshimd starts with the network" \
	"$RSHIMD" --root "$TMP/dev" -d sim:0 --config "$TMP/no-such.conf" --pid-file "$PIDF" --log-file "$TMP/rshimd.log" -l 4
expect_rc 0 "provision through rshimd (rshim0)" \
	"$BFCTL" provision -r rshim0 --profile "$TMP/quick.yaml" --bfb "$SAMPLE" --timeout 300 --ssh-timeout 120
ok "the hand-off used rshimd's tmfifo_net0" grep -q "using tmfifo_net0 from rshimd" "$TMP/rc.out"
ok "the pin is the DPU's host key (ssh-keygen -lf)" - <<CHECK
[ "\$(ssh-keygen -lf "$ROOTFS/etc/ssh/ssh_host_ed25519_key.pub" | cut -d' ' -f2)" = "\$(cat "$BFCTL_STATE_DIR/rshim0/hostkey.pin")" ]
CHECK
ok "ovs-vsctl: the bridge on the DPU" ovs-vsctl --db="unix:$ROOTFS/run/openvswitch/db.sock" --timeout=10 br-exists ovsbr1
expect_rc 0 "a second provision through rshimd" \
	"$BFCTL" provision -r rshim0 --profile "$TMP/quick.yaml" --bfb "$SAMPLE" --timeout 300 --json
ok "... changes nothing" - <<CHECK
grep -q '"step":"install","status":"unchanged"' "$TMP/rc.out" && grep -q '"step":"agent","status":"unchanged"' "$TMP/rc.out"
CHECK
expect_rc 0 "bfctl agent status through rshimd" "$BFCTL" agent -r rshim0 status --profile "$TMP/quick.yaml"

# The device disappears from the host while bfagent runs (bfsim run:
# SIGUSR1 unplugs, SIGUSR2 plugs back): rshimd removes its files and its
# tmfifo_net0 once the device has not answered for its grace period (10 s),
# before SSH's keepalive bound (16 s) would call it a lost link; provision
# names the vanished device, exit 4. Plugged back, rshimd makes them again
# and the re-run finishes.
sed 's/ovsbr1$/ovsbr1\n      - name: ovsbr5/' "$TMP/quick.yaml" > "$TMP/more5.yaml"
unplug_during_agent rshim0 "$TMP/more5.yaml"
ok "device unplugged during the agent step: exit 4 (was $UNPLUG_RC)" [ "$UNPLUG_RC" = 4 ]
ok "... saying the device disappeared, to plug it back and run again" \
	grep -q "rshim0: the device disappeared from the host while running .*over tmfifo_net0.*plug it back .*run the same command again" "$TMP/unplug.err"
for i in $(seq 600); do [ -e "$TMP/dev/rshim0/rshim" ] && ip link show tmfifo_net0 >/dev/null 2>&1 && break; sleep 0.1; done
expect_rc 0 "the re-run once the device is back finishes" "$BFCTL" provision -r rshim0 --profile "$TMP/more5.yaml" --bfb "$SAMPLE" --ssh-timeout 60
ok "ovs-vsctl: ovsbr5 is there" ovs-vsctl --db="unix:$ROOTFS/run/openvswitch/db.sock" --timeout=10 br-exists ovsbr5
done_testing
