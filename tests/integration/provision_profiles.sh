#!/bin/bash
# provision_profiles.sh - each shipped profile provisioned from a blank
# simulated DPU (a new bfsim per profile) in quick mode. Quick mode's DPU
# OS is sshd and ovsdb-server in a network namespace: it has no devlink
# devices, so each profile is included with what needs kernel or
# controller objects removed: dpu.eswitch and dpu.pfs (devlink eswitch
# mode, VFs), dpu.lag (the bond), dpu.sfs, dpu.virtio_net, and the
# representor ports of the bridges ({rep: ...}); the bridges are kept by
# name, with their netdev-name ports (bond0). The firmware: layer is the
# shipped one. The full dpu: layers run in the QEMU test bed (tests/vm).
# Each profile twice: through sim:0 (the library's own tmfifo_net0) and
# through rshimd (rshim0, the daemon's boot file and tmfifo_net0; needs
# FUSE). Through sim:0 the sf-apps DPU boots from its eMMC instead of the
# first stream (bfsim --fault emmc-boot): provision pushes once more.
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
if [ -z "${PROVISION_TEST_INNER:-}" ]; then
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || [ ! -x /usr/sbin/sshd ] ||
	   ! command -v ovsdb-server >/dev/null || ! command -v ssh-keygen >/dev/null; then
		echo "1..0 # SKIP needs root, /dev/net/tun, sshd (openssh-server), ovsdb-server and ssh-keygen"
		exit 0
	fi
	export PROVISION_TEST_INNER=1
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/bfctl-prov-profiles.XXXXXX")
	trap 'rm -rf "$OUT"' EXIT
	export PROVISION_COUNT="$OUT/count"
	echo "0 0" > "$PROVISION_COUNT"
	vias=(sim:0)
	[ -c /dev/fuse ] && vias+=(rshim0) || echo "# no /dev/fuse: not through rshimd"
	for via in "${vias[@]}"; do
		for prof in ovs-switchdev lag sf-apps virtio-net-hotplug; do
			fault=()
			[ "$prof" = sf-apps ] && [ "$via" = sim:0 ] && fault=(--fault emmc-boot)
			st="$OUT/$prof-${via%%[0-9:]*}"
			"$top_builddir/src/sim/bfsim" run --state "$st" --speed "${BFSIM_TEST_SPEED:-50}" --net "${fault[@]}" -- \
				bash "$0" "$prof" "$via" "$st" || echo "# $prof via $via: bfsim run ended with $?"
		done
	done
	read -r n failed < "$PROVISION_COUNT"
	echo "1..$n"
	[ "$failed" = 0 ]
	exit $?
fi
. "$(dirname "$0")/lib.sh"
read -r T_N T_FAILED < "$PROVISION_COUNT"
PROF=$1 DEV=$2 ST=$3
L="$PROF ($DEV)"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
# Includes relative to the including file: the profile's files are copied
# to the DPU side by side.
cp "$top_srcdir"/profiles/*.yaml "$TMP/"

export BFCTL_STATE_DIR="$TMP/state"
trap 'stop_pidfile "$TMP/rshimd.pid"; echo "$T_N $T_FAILED" > "$PROVISION_COUNT"; rm -rf "$TMP"' EXIT
if [ "$DEV" = rshim0 ]; then
	export BFCTL_RSHIM_ROOT="$TMP/dev"
	mkdir -p "$TMP/dev"
	expect_rc 0 "$L: rshimd starts with the network" "$top_builddir/src/rshimd/rshimd" --root "$TMP/dev" -d sim:0 \
		--config "$TMP/no-such.conf" --pid-file "$TMP/rshimd.pid" --log-file "$TMP/rshimd.log" -l 4
fi

case $PROF in
lag) bridges='      - name: bf-lag
        ports: [bond0]' ;;
*) bridges='      - name: ovsbr1
      - name: ovsbr2' ;;
esac
cat > "$TMP/$PROF-quick.yaml" <<EOF
include: $PROF.yaml
dpu:
  eswitch: ~
  pfs: ~
  lag: ~
  sfs: ~
  virtio_net: ~
  ovs:
    bridges:
$bridges
EOF
expect_rc 0 "$L: the quick-mode variant checks" "$BFCTL" profile check "$TMP/$PROF-quick.yaml"
expect_rc 0 "$L: provision from a blank DPU" \
	"$BFCTL" provision -r "$DEV" --profile "$TMP/$PROF-quick.yaml" --bfb "$SAMPLE" --timeout 300 --ssh-timeout 120 --json
if [ "$PROF" = sf-apps ] && [ "$DEV" = sim:0 ]; then
	ok "$L: the DPU booted from eMMC instead of the stream: pushed again" \
		grep -q 'booted from its eMMC without running the pushed installer.*pushing again (try 2 of 2)' "$TMP/rc.out"
fi
want="brought up the library's own tmfifo_net0"
[ "$DEV" = rshim0 ] && want="using tmfifo_net0 from rshimd"
ok "$L: the hand-off says: $want" grep -q "$want" "$TMP/rc.out"
ok "$L: every step ended done or unchanged" - <<CHECK
[ "\$(grep -c '"event":"step".*"status":"\(done\|unchanged\)"' "$TMP/rc.out")" = 5 ]
CHECK
DB="unix:$ST/rootfs/run/openvswitch/db.sock"
ok "$L: ovs-vsctl reads the bridges on the DPU" - <<CHECK
for b in \$(sed -n 's/^ *- name: //p' "$TMP/$PROF-quick.yaml"); do
	ovs-vsctl --db="$DB" --timeout=10 br-exists "\$b" || exit 1
done
CHECK
ok "$L: ovs-vsctl: the profile's other_config" - <<CHECK
[ "\$(ovs-vsctl --db="$DB" --timeout=10 get Open_vSwitch . other_config:hw-offload)" = '"true"' ]
CHECK
expect_rc 0 "$L: a second provision changes nothing" \
	"$BFCTL" provision -r "$DEV" --profile "$TMP/$PROF-quick.yaml" --bfb "$SAMPLE" --timeout 300 --json
ok "$L: second run: install and agent unchanged" - <<CHECK
grep -q '"step":"install","status":"unchanged"' "$TMP/rc.out" && grep -q '"step":"agent","status":"unchanged"' "$TMP/rc.out"
CHECK
