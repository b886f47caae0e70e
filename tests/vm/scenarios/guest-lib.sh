# guest-lib.sh - helpers for scenarios that run in the dpu-vm guest.
# Source after tests/integration/lib.sh. Every wait is bounded.

jqt() {  # jqt FILTER CMD... -- CMD's JSON output makes FILTER true
	local f=$1 out
	shift
	out=$("$@") || return 1
	printf '%s\n' "$out" | jq -e "$f" >/dev/null || { printf '%s\n' "$out" | head -c 2000; return 1; }
}

wait_for() {  # wait_for SECONDS CMD... -- CMD succeeds within SECONDS
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

nsim_new() {  # nsim_new ID PORTS -- a netdevsim device, its netdevs present
	echo "$1 $2" > /sys/bus/netdevsim/new_device || return 1
	wait_for 10 test -d "/sys/bus/netdevsim/devices/netdevsim$1/net"
}

netdev_by_port_name() {  # netdev_by_port_name NAME -- the netdev whose phys_port_name is NAME
	local d
	for d in /sys/class/net/*; do
		[ "$(cat "$d/phys_port_name" 2>/dev/null)" = "$1" ] && { basename "$d"; return 0; }
	done
	return 1
}

same_switch_id() {  # same_switch_id NETDEV... -- all have one non-empty phys_switch_id
	local first="" d id
	for d in "$@"; do
		id=$(cat "/sys/class/net/$d/phys_switch_id" 2>/dev/null) || return 1
		[ -n "$id" ] || return 1
		[ -z "$first" ] && first=$id
		[ "$id" = "$first" ] || return 1
	done
}

ovs_start() {  # Open vSwitch from the host's packages, a fresh database
	modprobe openvswitch || return 1
	mkdir -p /etc/openvswitch /run/openvswitch /var/log/openvswitch
	rm -f /etc/openvswitch/conf.db /etc/openvswitch/.conf.db.~lock~
	/usr/share/openvswitch/scripts/ovs-ctl start --system-id=random --no-record-hostname \
		--no-monitor >/tmp/ovs-ctl.log 2>&1 || { cat /tmp/ovs-ctl.log; return 1; }
	ovs-vsctl --timeout=10 show >/dev/null
}

SSH_DIR=/tmp/bfvm-ssh
sshd_start() {  # sshd_start ADDR -- the host's sshd on a veth, a client namespace "mgmt"
	mkdir -p "$SSH_DIR" /run/sshd && chmod 700 "$SSH_DIR" || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/host_key" -C dpu-vm || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/id" -C dpu-vm-client || return 1
	cp "$SSH_DIR/id.pub" "$SSH_DIR/authorized_keys"
	ip netns add mgmt && ip link add mg0 type veth peer name mg0_p && ip link set mg0_p netns mgmt &&
		ip addr add "$1/24" dev mg0 && ip link set mg0 up &&
		ip -n mgmt addr add "${1%.*}.2/24" dev mg0_p && ip -n mgmt link set mg0_p up &&
		ip -n mgmt link set lo up || return 1
	/usr/sbin/sshd -E /tmp/sshd.log -h "$SSH_DIR/host_key" -o ListenAddress="$1" \
		-o AuthorizedKeysFile="$SSH_DIR/authorized_keys" -o UsePAM=no -o StrictModes=no \
		-o PermitRootLogin=prohibit-password || { cat /tmp/sshd.log; return 1; }
}

ssh_guest() {  # ssh_guest ADDR CMD... -- run CMD over ssh from namespace mgmt
	local addr=$1
	shift
	ip netns exec mgmt ssh -F none -i "$SSH_DIR/id" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=20 \
		-o BatchMode=yes "root@$addr" "$@"
}

ssh_prints() {  # ssh_prints ADDR EXPECTED CMD... -- CMD over ssh prints EXPECTED
	local addr=$1 want=$2 got
	shift 2
	got=$(ssh_guest "$addr" "$@") || return 1
	[ "$got" = "$want" ] || { echo "got '$got', wanted '$want'"; return 1; }
}

export -f nsim_new netdev_by_port_name wait_for
