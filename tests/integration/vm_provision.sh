#!/bin/bash
# vm_provision.sh - bfctl provision with the DPU's OS as a VM: bfsim serves
# sim:0 with its tmfifo_net0 on a unix socket (--net-socket) and, once the
# DPU is ready, boots the dpu-vm guest (Debian's kernel under QEMU) as its
# OS (--dpu-os): the guest's virtio-net is QEMU's stream netdev on that
# socket, so SSH crosses the simulated TM FIFO; the simulated DPU's root
# file system is the guest's writable 9p share (host key and authorized
# key from the bf.cfg hooks). The guest has the NIC's kernel objects
# (netdevsim in its BlueField layout, the simulated virtio-net controller)
# and a management port, oob_net0, on QEMU's user network.
# Each shipped profile (on netdevsim's devlink names) is provisioned in
# turn from a blank DPU (firmware, install, hand-off, agent, verify): the
# first on the DPU as bfsim starts it, each next one with --reinstall (a
# new OS install, host key and VM boot). After each, the
# profile's objects are read back in the guest over oob_net0 with OpenSSH
# (devlink, ip, /proc/net/bonding, ovs-vsctl, virtnet list) and bfagent
# status shows no drift. For virtio-net-hotplug, the networking is then
# taken back to its post-install state over oob_net0, bfagent fails part
# way (the virtio-net controller refuses hotplug) and a re-run finishes it. The pin is checked against ssh-keygen -lf of the
# host key; the last provision, repeated, changes nothing.
# VM_PROVISION_RSHIMD=1 runs it through rshimd (rshim0, the install through
# its boot file, the hand-off over the tmfifo_net0 it makes),
# VM_PROVISION_FRESH=0 gives each profile after the first emptied
# networking instead of a new install, and VM_PROVISION_PROFILES names the
# profiles, in order (vm_provision_rshimd.sh).
if [ -z "${PROVISION_TEST_INNER:-}" ]; then
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	: "${top_srcdir:=$top_builddir}"
	. "$(dirname "$0")/lib.sh"
	. "$top_srcdir/tests/vm/vmtest.sh"
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || ! command -v ovsdb-tool >/dev/null; then
		skip "provision with a VM as the DPU's OS" "needs root, /dev/net/tun and ovsdb-tool"
		done_testing; exit
	fi
	if [ -n "${VM_PROVISION_RSHIMD:-}" ] && [ ! -c /dev/fuse ]; then
		skip "provision with a VM as the DPU's OS through rshimd" "rshimd needs /dev/fuse"
		done_testing; exit
	fi
	vm_prereq "provision with a VM as the DPU's OS"
	top_builddir=$(cd "$top_builddir" && pwd)
	SRC=$(cd "$top_srcdir" && pwd)
	# The management port: a free TCP port on the host's loopback forwarded
	# to the guest's sshd on oob_net0.
	OOB_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# bfsim runs the test in a network namespace of its own; QEMU (its
	# user network) in this one.
	export PROVISION_TEST_INNER=1 PROVISION_OUT="$TMP" OOB_PORT top_builddir OOB_NETNS=/proc/$$/ns/net
	export BFCTL_VM_QEMU_ARGS="-netdev stream,id=t0,server=off,addr.type=unix,addr.path=$TMP/net.sock -device virtio-net-pci,netdev=t0,mac=00:1a:ca:ff:ff:01 -netdev user,id=m0,net=10.0.2.0/24,restrict=on,hostfwd=tcp:127.0.0.1:$OOB_PORT-10.0.2.15:22 -device virtio-net-pci,netdev=m0,mac=52:54:00:0b:0b:01"
	export BFCTL_VM_PASSENV=BFSIM_DPU_ROOTFS
	"$top_builddir/src/sim/bfsim" run --state "$TMP/dev" --speed "${BFSIM_TEST_SPEED:-50}" --net-socket "$TMP/net.sock" \
		--dpu-os "BFCTL_VM_QEMU_ARGS=\"\$BFCTL_VM_QEMU_ARGS -virtfs local,path=\$BFSIM_DPU_ROOTFS,mount_tag=dpuroot,security_model=none,multidevs=remap\" '$SRC/tests/vm/dpu-vm' run '$SRC/tests/vm/scenarios/dpuos.sh' --timeout 1800 > '$TMP/vm.log' 2>&1" \
		-- bash "$0"
	rc=$?
	[ "$rc" = 0 ] || { echo "# the VM's log:"; tail -30 "$TMP/vm.log" | sed 's/^/# /'; }
	exit $rc
fi
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$top_srcdir" && pwd)
SAMPLE="$top_builddir/bfb/sample-full.bfb"
ROOTFS="$PROVISION_OUT/dev/rootfs"
export BFCTL_STATE_DIR="$TMP/state"
DEV=sim:0 DEVDIR=sim_0
if [ -n "${VM_PROVISION_RSHIMD:-}" ]; then
	DEV=rshim0 DEVDIR=rshim0
	export BFCTL_RSHIM_ROOT="$TMP/dev"
	mkdir -p "$TMP/dev"
	trap 'stop_pidfile "$TMP/rshimd.pid"; [ "$T_FAILED" = 0 ] || sed "s/^/# rshimd: /" "$TMP/rshimd.log" 2>/dev/null | tail -20; rm -rf "$TMP"' EXIT
	expect_rc 0 "rshimd serves sim:0 as rshim0, with its tmfifo_net0" "$top_builddir/src/rshimd/rshimd" --root "$TMP/dev" \
		-d sim:0 --config "$TMP/no-such.conf" --pid-file "$TMP/rshimd.pid" --log-file "$TMP/rshimd.log" -l 4
fi

oob() {  # oob CMD -- CMD in the DPU's OS over oob_net0 (OpenSSH, the pinned host key, the device's key)
	nsenter --net="$OOB_NETNS" ssh -F none -p "$OOB_PORT" -i "$BFCTL_STATE_DIR/$DEVDIR/id_ed25519" -o UserKnownHostsFile="$TMP/known_hosts" \
		-o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=60 -o LogLevel=ERROR root@127.0.0.1 "$@"
}
guest_tap() {  # guest_tap NAME CMD -- the guest's TAP checks (oob CMD) become this test's
	local out line rc
	out=$(oob "$2" 2>&1)
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) T_N=$((T_N + 1)); echo "ok $T_N - ${line#* - }" ;;
		"not ok "*) T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - ${line#* - }" ;;
		"#"*) echo "$line" ;;
		esac
	done <<< "$out"
	if [ "$rc" != 0 ]; then
		T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
		echo "not ok $T_N - $1: the read-back in the guest ended with status $rc"
		printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
	fi
}
steps_are() {  # steps_are JSON-OUT FIRMWARE INSTALL HANDOFF AGENT VERIFY -- each step's final status (A|B: either)
	local s want got
	for s in firmware:$2 install:$3 handoff:$4 agent:$5 verify:$6; do
		want=${s#*:}
		got=$(jq -r -s --arg s "${s%%:*}" \
			'[.[] | select(.event == "step" and .step == $s and .status != "started")][-1].status' "$1")
		[[ "|$want|" == *"|$got|"* ]] || { echo "step ${s%%:*}: $got, wanted $want"; return 1; }
	done
}

# Each shipped profile on the test bed's devlink names; includes are by
# base name, side by side.
mkdir -p "$TMP/prof"
cp "$SRC"/profiles/*.yaml "$TMP/prof/"
read -r -a profiles <<< "${VM_PROVISION_PROFILES:-ovs-switchdev lag sf-apps virtio-net-hotplug}"
for name in "${profiles[@]}"; do
	printf 'include: %s.yaml\nprofile: %s-vm\ndpu:\n  pfs:\n    - devlink: netdevsim/netdevsim0\n    - devlink: netdevsim/netdevsim1\n' \
		"$name" "$name" > "$TMP/prof/$name-vm.yaml"
done

blank_net() {  # blank_net NAME -- the DPU's networking back to its post-install state, over oob_net0
	ok "$1: the DPU's networking back to its post-install state (over oob_net0)" \
		oob "top_builddir='$top_builddir' '$SRC/tests/vm/scenarios/dpuos-nic.sh' blank"
	ok "$1: ... legacy eswitch, no bridge (devlink, ovs-vsctl over oob_net0)" \
		oob "devlink dev eswitch show netdevsim/netdevsim0 | grep -q 'mode legacy' && [ -z \"\$(ovs-vsctl list-br)\" ]"
}
installed_fresh() {  # installed_fresh NAME JSON -- checks after a provision that installed the DPU
	ok "$1: from a blank DPU: install, hand-off, agent and verify done" \
		steps_are "$2" "done|unchanged" done done done done
	ok "$1: SSH reached the VM with the pinned key" grep -q 'host key SHA256:.* as pinned' "$2"
	[ -z "${VM_PROVISION_RSHIMD:-}" ] ||
		ok "$1: the hand-off used rshimd's tmfifo_net0" grep -q 'using tmfifo_net0 from rshimd' "$2"
	ok "$1: the pin is the host key in the DPU's rootfs (ssh-keygen -lf)" - <<CHECK
[ "\$(ssh-keygen -lf "$ROOTFS/etc/ssh/ssh_host_ed25519_key.pub" | cut -d' ' -f2)" = "\$(cat "$BFCTL_STATE_DIR/$DEVDIR/hostkey.pin")" ]
CHECK
	# each install makes a new host key: OpenSSH over oob_net0 pins it too
	echo "[127.0.0.1]:$OOB_PORT $(cut -d' ' -f1,2 "$ROOTFS/etc/ssh/ssh_host_ed25519_key.pub")" > "$TMP/known_hosts"
}
provision() {  # provision DESCRIPTION WANT-RC [ARGS] -- the profile $prof on $DEV
	local desc=$1 want=$2
	shift 2
	expect_rc "$want" "$desc" "$BFCTL" provision -r "$DEV" --profile "$prof" --bfb "$SAMPLE" \
		--json --ssh-timeout 900 --timeout 1500 "$@"
}

# Each profile after the first from a new install (--reinstall: the rootfs
# laid out again, a new host key, the VM booted again); with
# VM_PROVISION_FRESH=0, from the DPU's networking emptied in the running VM
# instead (quicker, one VM boot).
first=1
for name in "${profiles[@]}"; do
	prof="$TMP/prof/$name-vm.yaml"
	fresh=
	if [ -z "$first" ] && [ "${VM_PROVISION_FRESH:-1}" != 0 ]; then
		fresh=--reinstall
	elif [ -z "$first" ]; then
		blank_net "$name"
	fi
	if [ "$name" = virtio-net-hotplug ]; then
		if [ -n "$fresh" ]; then
			provision "$name: provision from a new install" 0 --reinstall
			installed_fresh "$name" "$TMP/rc.out"
			blank_net "$name"
			fresh=
		fi
		# bfagent failing part way: the controller answers list but refuses
		# hotplug, after the eswitch step is done; the loop's provision
		# below is the re-run that finishes.
		ok "$name: the virtio-net controller made to refuse hotplug (over oob_net0)" \
			oob 'mv /usr/local/bin/virtnet /usr/local/bin/virtnet.real &&
			printf "#!/bin/sh\ncase \$1 in hotplug) echo \"hotplug refused\" >&2; exit 1 ;; esac\nexec /usr/local/bin/virtnet.real \"\$@\"\n" > /usr/local/bin/virtnet &&
			chmod 755 /usr/local/bin/virtnet'
		provision "$name: bfagent failing part way: exit 1" 1
		cp "$TMP/rc.out" "$TMP/$name-part.json"
		ok "$name: ... naming bfagent's failure" grep -q 'bfagent apply ended with exit 1' "$TMP/$name-part.json"
		ok "$name: ... the eswitch changed before the failure, each virtio-net device failed" \
			jq -e -s '[.[] | select(.stage == "agent" and .event == "object" and .verdict)] |
				([.[] | select(.kind == "eswitch" and .verdict == "changed")] | length > 0) and
				([.[] | select(.kind == "virtio_net" and .verdict == "failed")] | length == 2)' "$TMP/$name-part.json"
		ok "$name: ... no virtio-net device, the eswitch switchdev already (over oob_net0)" \
			oob "devlink dev eswitch show netdevsim/netdevsim0 | grep -q 'mode switchdev' && virtnet list | jq -e '.devices | length == 0'"
		ok "$name: the controller takes hotplug again" oob 'mv /usr/local/bin/virtnet.real /usr/local/bin/virtnet'
	fi
	provision "$name: provision" 0 $fresh
	cp "$TMP/rc.out" "$TMP/$name.json"
	[ -z "${VM_PROVISION_KEEP:-}" ] || cp "$TMP/rc.out" "$VM_PROVISION_KEEP/$name.json"
	if [ -n "$first" ] || [ -n "$fresh" ]; then
		installed_fresh "$name" "$TMP/$name.json"
		case $name in ovs-switchdev) brs="ovsbr1 ovsbr2" ;; lag) brs="bf-lag" ;; *) brs= ;; esac
		[ -z "$brs" ] || ok "ovsdb-tool reads $brs in the database the VM wrote" - <<CHECK
q=\$(ovsdb-tool query "$ROOTFS/etc/openvswitch/conf.db" '["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name"]}]') &&
	(for b in $brs; do printf '%s' "\$q" | grep -q "\"\$b\"" || exit 1; done)
CHECK
	else
		ok "$name: install unchanged (the same bundle), agent and verify done" \
			steps_are "$TMP/$name.json" "done|unchanged" unchanged done done done
	fi
	if [ "$name" = virtio-net-hotplug ]; then
		ok "$name: the re-run finished: the eswitch unchanged, both virtio-net devices created" \
			jq -e -s '[.[] | select(.stage == "agent" and .event == "object" and .verdict)] |
				([.[] | select(.kind == "eswitch")] | length > 0 and all(.verdict == "unchanged")) and
				([.[] | select(.kind == "virtio_net" and .verdict == "created")] | length == 2)' "$TMP/$name.json"
	fi
	ok "$name: the agent created objects, none failed" \
		jq -e -s '[.[] | select(.stage == "agent" and .event == "agent_summary")][0] | .created > 0 and .failed == 0' "$TMP/$name.json"
	guest_tap "$name" "top_srcdir='$SRC' top_builddir='$top_builddir' '$SRC/tests/vm/scenarios/provisioned.sh' $name"
	first=
done

expect_rc 0 "$name again: a second provision" "$BFCTL" provision -r "$DEV" --profile "$TMP/prof/$name-vm.yaml" \
	--bfb "$SAMPLE" --json --ssh-timeout 900 --timeout 1500
ok "... changes nothing: firmware, install and agent unchanged" steps_are "$TMP/rc.out" unchanged unchanged done unchanged done
done_testing
