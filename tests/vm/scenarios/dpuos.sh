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
R=${BFSIM_DPU_ROOTFS:?}
mkdir -p /run/dpuroot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 dpuroot /run/dpuroot 2>/dev/null && R=/run/dpuroot
modprobe virtio_net 2>/dev/null
for i in $(seq 50); do ls /sys/class/net | grep -qv lo && break; sleep 0.1; done
for d in /sys/class/net/*; do
	[ "$(cat "$d/address" 2>/dev/null)" = 00:1a:ca:ff:ff:01 ] && dev=$(basename "$d")
done
[ -n "${dev:-}" ] || { echo "dpuos: no virtio-net with the DPU's MAC" >&2; exit 1; }
ip link set "$dev" name tmfifo_net0 && ip addr add 192.168.100.2/30 dev tmfifo_net0 && ip link set tmfifo_net0 up || exit 1
mkdir -p /run/openvswitch   # a unix socket: not on 9p
for d in root opt var/lib etc/openvswitch; do
	mkdir -p "$R/$d" "/$d" && mount --bind "$R/$d" "/$d" || exit 1
done
mkdir -p /run/sshd
k=$R/etc/ssh/ssh_host_ed25519_key
[ -s "$k" ] || { k=/run/ssh_host_ed25519_key; ssh-keygen -q -t ed25519 -N '' -f "$k"; }
cat > /run/sshd_config <<EOF
ListenAddress 192.168.100.2
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
fi
echo "dpuos: tmfifo_net0 up, sshd starting" >&2
exec /usr/sbin/sshd -D -e -f /run/sshd_config
