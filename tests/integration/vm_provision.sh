#!/bin/bash
# vm_provision.sh - bfctl provision with the DPU's OS as a VM: bfsim serves
# sim:0 with its tmfifo_net0 on a unix socket (--net-socket) and, once the
# DPU is ready, boots the dpu-vm guest (Debian's kernel under QEMU) as its
# OS (--dpu-os): the guest's virtio-net is QEMU's stream netdev on that
# socket, so SSH crosses the simulated TM FIFO; the simulated DPU's root
# file system is the guest's writable 9p share (host key and authorized
# key from the bf.cfg hooks). Read back: the pin against ssh-keygen -lf of
# the host key, and the OVS database the guest wrote, with ovsdb-tool.
if [ -z "${PROVISION_TEST_INNER:-}" ]; then
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	: "${top_srcdir:=$top_builddir}"
	. "$(dirname "$0")/lib.sh"
	. "$top_srcdir/tests/vm/vmtest.sh"
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || ! command -v ovsdb-tool >/dev/null; then
		skip "provision with a VM as the DPU's OS" "needs root, /dev/net/tun and ovsdb-tool"
		done_testing; exit
	fi
	vm_prereq "provision with a VM as the DPU's OS"
	export PROVISION_TEST_INNER=1 PROVISION_OUT="$TMP"
	SRC=$(cd "$top_srcdir" && pwd)
	export BFCTL_VM_QEMU_ARGS="-netdev stream,id=t0,server=off,addr.type=unix,addr.path=$TMP/net.sock -device virtio-net-pci,netdev=t0,mac=00:1a:ca:ff:ff:01"
	export BFCTL_VM_PASSENV=BFSIM_DPU_ROOTFS
	"$top_builddir/src/sim/bfsim" run --state "$TMP/dev" --speed "${BFSIM_TEST_SPEED:-50}" --net-socket "$TMP/net.sock" \
		--dpu-os "BFCTL_VM_QEMU_ARGS=\"\$BFCTL_VM_QEMU_ARGS -virtfs local,path=\$BFSIM_DPU_ROOTFS,mount_tag=dpuroot,security_model=none,multidevs=remap\" '$SRC/tests/vm/dpu-vm' run '$SRC/tests/vm/scenarios/dpuos.sh' --timeout 900 > '$TMP/vm.log' 2>&1" \
		-- bash "$0"
	rc=$?
	[ "$rc" = 0 ] || { echo "# the VM's log:"; tail -30 "$TMP/vm.log" | sed 's/^/# /'; }
	exit $rc
fi
. "$(dirname "$0")/lib.sh"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
ROOTFS="$PROVISION_OUT/dev/rootfs"
export BFCTL_STATE_DIR="$TMP/state"
cat > "$TMP/quick.yaml" <<'EOF'
profile: vm
dpu:
  ovs:
    other_config: { hw-offload: "true" }
    bridges: [ { name: ovsbr1 }, { name: ovsbr2 } ]
EOF
expect_rc 0 "provision with the VM as the DPU's OS" "$BFCTL" provision -r sim:0 --profile "$TMP/quick.yaml" \
	--bfb "$SAMPLE" --ssh-timeout 600 --timeout 900
ok "SSH reached the VM with the pinned key" grep -q "host key SHA256:.* as pinned" "$TMP/rc.out"
ok "the pin is the host key in the DPU's rootfs (ssh-keygen -lf)" - <<CHECK
[ "\$(ssh-keygen -lf "$ROOTFS/etc/ssh/ssh_host_ed25519_key.pub" | cut -d' ' -f2)" = "\$(cat "$BFCTL_STATE_DIR/sim_0/hostkey.pin")" ]
CHECK
ok "ovsdb-tool reads both bridges in the database the VM wrote" - <<CHECK
ovsdb-tool query "$ROOTFS/etc/openvswitch/conf.db" '["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name"]}]' |
	grep -q '"ovsbr1"' &&
ovsdb-tool query "$ROOTFS/etc/openvswitch/conf.db" '["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name"]}]' |
	grep -q '"ovsbr2"'
CHECK
expect_rc 0 "a second provision changes nothing" "$BFCTL" provision -r sim:0 --profile "$TMP/quick.yaml" \
	--bfb "$SAMPLE" --json --ssh-timeout 600 --timeout 900
ok "... install and agent unchanged" - <<CHECK
grep -q '"step":"install","status":"unchanged"' "$TMP/rc.out" && grep -q '"step":"agent","status":"unchanged"' "$TMP/rc.out"
CHECK
done_testing
