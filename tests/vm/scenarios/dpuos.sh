#!/bin/bash
# dpuos.sh - the simulated DPU's OS as a VM (bfsim run --dpu-os): runs in
# the dpu-vm guest. Its virtio-net with the DPU's MAC 00:1a:ca:ff:ff:01 is
# QEMU's stream netdev on bfsim's --net-socket, so its frames cross the
# simulated TM FIFO: it becomes tmfifo_net0, 192.168.100.2/30. What the
# install wrote in the simulated DPU's root file system ($BFSIM_DPU_ROOTFS:
# the host key, root's authorized_keys, /opt, /var/lib) is bound in place;
# sshd and ovsdb-server run until bfsim stops the VM. The rootfs comes as
# the 9p share "dpuroot" (writable: what the OS writes stays in the
# simulated DPU's state), else at its host path.
# The NIC's kernel objects are there as after an install (dpuos-nic.sh up:
# netdevsim in its BlueField layout, the simulated virtio-net controller),
# and Open vSwitch runs whole (ovsdb-server and ovs-vswitchd, its database
# in the rootfs), so bfagent can apply a shipped profile. A second
# virtio-net with MAC 52:54:00:0b:0b:01, when QEMU gives one, becomes the
# management port oob_net0 (10.0.2.15/24, QEMU's user network), where sshd
# listens too: tests read the DPU's state back through it.
R=${BFSIM_DPU_ROOTFS:?}
mkdir -p /run/dpuroot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 dpuroot /run/dpuroot 2>/dev/null && R=/run/dpuroot
modprobe virtio_net 2>/dev/null
by_mac() {  # by_mac MAC -- the interface with MAC, waiting up to 5 s
	local d i
	for i in $(seq 50); do
		for d in /sys/class/net/*; do
			[ "$(cat "$d/address" 2>/dev/null)" = "$1" ] && { basename "$d"; return 0; }
		done
		sleep 0.1
	done
	return 1
}
dev=$(by_mac 00:1a:ca:ff:ff:01) || { echo "dpuos: no virtio-net with the DPU's MAC" >&2; exit 1; }
ip link set "$dev" name tmfifo_net0 && ip addr add 192.168.100.2/30 dev tmfifo_net0 && ip link set tmfifo_net0 up || exit 1
listen="ListenAddress 192.168.100.2"
if grep -qi 52:54:00:0b:0b:01 /sys/class/net/*/address 2>/dev/null && dev=$(by_mac 52:54:00:0b:0b:01); then
	ip link set "$dev" name oob_net0 && ip addr add 10.0.2.15/24 dev oob_net0 && ip link set oob_net0 up || exit 1
	listen="$listen
ListenAddress 10.0.2.15"
fi
mkdir -p /run/openvswitch   # a unix socket: not on 9p
for d in root opt var/lib etc/openvswitch; do
	mkdir -p "$R/$d" "/$d" && mount --bind "$R/$d" "/$d" || exit 1
done
mkdir -p /run/sshd
k=$R/etc/ssh/ssh_host_ed25519_key
[ -s "$k" ] || { k=/run/ssh_host_ed25519_key; ssh-keygen -q -t ed25519 -N '' -f "$k"; }
cat > /run/sshd_config <<EOF
$listen
HostKey $k
PidFile /run/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
EOF
if [ -r /usr/share/openvswitch/vswitch.ovsschema ]; then
	[ -e /etc/openvswitch/conf.db ] || ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
	ovsdb-server /etc/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock \
		--unixctl=/run/openvswitch/ovsdb-server.ctl --pidfile=/run/openvswitch/ovsdb-server.pid --detach
	ovs-vsctl --timeout=10 --no-wait init
	if modprobe openvswitch 2>/dev/null; then
		ovs-vswitchd unix:/run/openvswitch/db.sock --pidfile=/run/openvswitch/ovs-vswitchd.pid \
			--log-file=/run/openvswitch/ovs-vswitchd.log --detach || exit 1
	fi
fi
"$(dirname "$0")/dpuos-nic.sh" up || echo "dpuos: no simulated NIC objects (netdevsim, virtnet)" >&2
echo "dpuos: tmfifo_net0 up, sshd starting" >&2
exec /usr/sbin/sshd -D -e -f /run/sshd_config
