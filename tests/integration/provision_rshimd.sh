#!/bin/bash
# provision_rshimd.sh - bfctl provision through rshimd (rshim0): the
# install through the daemon's boot file, the hand-off over the
# tmfifo_net0 rshimd makes (not the library's own), the DPU's OS in quick
# mode (sshd and ovsdb-server in bfsim's DPU namespace). A second run is a
# no-op; bfctl agent reaches the DPU the same way.
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
done_testing
