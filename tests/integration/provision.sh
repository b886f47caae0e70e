#!/bin/bash
# provision.sh - bfctl provision from a blank simulated DPU (sim:0) in
# quick mode: bfsim --net runs the DPU's OS as a real sshd and ovsdb-server
# in the DPU's network namespace, reached over the library's own
# tmfifo_net0. The host key comes from the RShim log (bf.cfg hooks run by
# the simulated installer with bash); state is read back with ssh-keygen,
# stat and ovs-vsctl. Then: a second run is a no-op; a changed host key,
# the device's key refused by the DPU, a missing pin, SSH unreachable, an
# agent failing part way, the link or the sshd session lost and the device
# unplugged during the agent step, each with its own exit code and message.
if [ -z "${PROVISION_TEST_INNER:-}" ]; then
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || ! command -v nsenter >/dev/null || [ ! -x /usr/sbin/sshd ] ||
	   ! command -v ovsdb-server >/dev/null || ! command -v ssh-keygen >/dev/null; then
		echo "1..0 # SKIP needs root, /dev/net/tun, nsenter, sshd (openssh-server), ovsdb-server and ssh-keygen"
		exit 0
	fi
	export PROVISION_TEST_INNER=1
	STATE=$(mktemp -d "${TMPDIR:-/tmp}/bfctl-prov-sim.XXXXXX")
	trap 'rm -rf "$STATE"' EXIT
	export PROVISION_SIM_STATE="$STATE/dev"
	"$top_builddir/src/sim/bfsim" run --state "$STATE/dev" --speed "${BFSIM_TEST_SPEED:-50}" --net -- bash "$0"
	exit $?
fi
. "$(dirname "$0")/lib.sh"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
ROOTFS="$PROVISION_SIM_STATE/rootfs"
export BFCTL_STATE_DIR="$TMP/state"
KEYS="$BFCTL_STATE_DIR/sim_0"
DB="unix:$ROOTFS/run/openvswitch/db.sock"
VSCTL="ovs-vsctl --db=$DB --timeout=10"
trap 'rm -rf "$TMP"' EXIT

# What quick mode can hold: OVS rows. Eswitch mode, VFs, the LAG bond, SFs
# and virtio-net devices are kernel or controller objects (the QEMU test
# bed has them).
cat > "$TMP/quick.yaml" <<'EOF'
profile: quick
description: "OVS rows only: what the quick mode's DPU OS can hold"
firmware:
  SRIOV_EN: True
  NUM_OF_VFS: 8
dpu:
  ovs:
    other_config:
      hw-offload: "true"
    bridges:
      - name: ovsbr1
      - name: ovsbr2
EOF
P() { "$BFCTL" provision -r sim:0 --profile "$TMP/quick.yaml" --timeout 300 "$@"; }

expect_rc 0 "provision from a blank DPU: install, hand-off, agent, verify" P --bfb "$SAMPLE" --ssh-timeout 120
cp "$TMP/rc.out" "$TMP/first.out"
ok "firmware step: NUM_OF_VFS written for the next boot" grep -q "firmware NUM_OF_VFS: 16 -> 8 (next boot)" "$TMP/first.out"
ok "firmware step: it says it resets the NIC for the parameter to take effect" \
	grep -q "resetting the NIC (reset level 3, type 2: NIC only reset.*) so that 1 firmware parameter takes effect" "$TMP/first.out"
ok "... and that the NIC came back with it in effect" grep -q "the NIC reset: the profile's 2 firmware parameters are in effect" "$TMP/first.out"
ok "bfctl fw config query: NUM_OF_VFS 8 in effect and for the next boot (default 16)" - <<CHECK
"$BFCTL" fw config sim:0 query NUM_OF_VFS | grep -Eq 'NUM_OF_VFS +16 +8 +8\b'
CHECK
ok "the install step says it used the library's own tmfifo_net0" grep -q "brought up the library's own tmfifo_net0 (no rshimd)" "$TMP/first.out"
ok "the host key fingerprint came over the RShim log" grep -q 'INFO\[MISC\]: bfctl-hostkey SHA256:' "$TMP/first.out"
ok "the private key is 0600, a regular file" - <<CHECK
[ "\$(stat -c '%a %F' "$KEYS/id_ed25519")" = "600 regular file" ]
CHECK
ok "the pin is the DPU's host key, as ssh-keygen -lf reads it" - <<CHECK
[ "\$(ssh-keygen -lf "$ROOTFS/etc/ssh/ssh_host_ed25519_key.pub" | cut -d' ' -f2)" = "\$(cat "$KEYS/hostkey.pin")" ]
CHECK
ok "the DPU's root holds this host's public key (bfb_modify_os)" - <<CHECK
grep -qxF "\$(cat "$KEYS/id_ed25519.pub")" "$ROOTFS/root/.ssh/authorized_keys"
CHECK
ok "ovs-vsctl on the DPU's ovsdb: both bridges" - <<CHECK
$VSCTL br-exists ovsbr1 && $VSCTL br-exists ovsbr2
CHECK
ok "ovs-vsctl: other_config hw-offload=true" - <<CHECK
[ "\$($VSCTL get Open_vSwitch . other_config:hw-offload)" = '"true"' ]
CHECK
ok "the key never appears in the output" - <<CHECK
! grep -q "PRIVATE KEY" "$TMP/first.out" "$TMP/rc.err"
CHECK

expect_rc 0 "a second provision succeeds" P --bfb "$SAMPLE" --json
ok "second run: firmware unchanged" grep -q '"step":"firmware","status":"unchanged"' "$TMP/rc.out"
ok "second run: no NIC reset" not grep -q 'resetting the NIC' "$TMP/rc.out"
ok "second run: install unchanged (same bundle running)" grep -q '"step":"install","status":"unchanged"' "$TMP/rc.out"
ok "second run: agent unchanged (nothing to apply)" grep -q '"step":"agent","status":"unchanged"' "$TMP/rc.out"
ok "second run: no RShim push" not grep -q 'bytes pushed' "$TMP/rc.out"
ok "agent events tagged stage agent" grep -q '"event":"object".*"stage":"agent","device":"sim:0"' "$TMP/rc.out"
ok "one final result" - <<CHECK
[ "\$(tail -1 "$TMP/rc.out" | grep -c '"event":"result".*"exit_code":0')" = 1 ]
CHECK
expect_rc 0 "bfctl agent status: no drift" "$BFCTL" agent -r sim:0 status --profile "$TMP/quick.yaml"

# A DPU that shows another host key on tmfifo_net is refused.
cp -a "$ROOTFS/etc/ssh" "$TMP/ssh.keep"
rm -f "$ROOTFS/etc/ssh/ssh_host_ed25519_key" "$ROOTFS/etc/ssh/ssh_host_ed25519_key.pub"
ssh-keygen -q -t ed25519 -N '' -f "$ROOTFS/etc/ssh/ssh_host_ed25519_key"
expect_rc 4 "another host key on tmfifo_net: exit 4" P --bfb "$SAMPLE"
ok "... saying it is not the pinned one and what to do" grep -q "is not the one pinned from the RShim log.*--reinstall" "$TMP/rc.err"
expect_rc 4 "bfctl agent refuses it too" "$BFCTL" agent -r sim:0 status
rm -rf "$ROOTFS/etc/ssh" && cp -a "$TMP/ssh.keep" "$ROOTFS/etc/ssh"

# The DPU no longer holds this host's key (its authorized_keys emptied):
# refused with its own message, never a password.
cp "$ROOTFS/root/.ssh/authorized_keys" "$TMP/authorized_keys.keep"
: > "$ROOTFS/root/.ssh/authorized_keys"
expect_rc 4 "the DPU refuses the device's key: exit 4" P
ok "... saying the DPU does not hold this host's key, and --reinstall" \
	grep -q "sim:0: the DPU refused the device's SSH key.*does not hold this host's key.*--reinstall" "$TMP/rc.err"
cp "$TMP/authorized_keys.keep" "$ROOTFS/root/.ssh/authorized_keys"

# No pin and no bundle: nothing to trust.
mv "$KEYS/hostkey.pin" "$TMP/pin.keep"
expect_rc 3 "no pinned host key and no bundle: exit 3" P
ok "... naming the missing pin and --bfb" grep -q "no SSH host key pinned.*give the bundle with --bfb" "$TMP/rc.err"
mv "$TMP/pin.keep" "$KEYS/hostkey.pin"

# A device name too long for a state directory is refused before anything
# is touched, not cut short into another device's directory.
LONG="/dev/$(printf 'r%.0s' $(seq 300))"
expect_rc 2 "a device name too long for a state directory: exit 2" \
	"$BFCTL" provision -r "$LONG" --profile "$TMP/quick.yaml" --bfb "$SAMPLE"
ok "... saying so and naming --state-dir" - <<CHECK
grep -q "the device name is too long for a state directory (309 bytes once encoded, at most 255)" "$TMP/rc.err" &&
grep -q -- "--state-dir" "$TMP/rc.err"
CHECK
ok "... nothing made for it" [ "$(ls "$BFCTL_STATE_DIR")" = sim_0 ]

# SSH unreachable: the DPU's sshd is stopped.
kill "$(cat "$ROOTFS/run/sshd.pid")"
expect_rc 7 "sshd gone: exit 7" P --ssh-timeout 3
ok "... saying SSH did not answer" grep -q "SSH on 192.168.100.2 over tmfifo_net0 did not answer within 3 s" "$TMP/rc.err"

# An sshd that takes each connection and drops it (still starting, or
# restarted with new keys): the handshake is tried 5 times, each retry
# said, then exit 4.
nsenter --net="$BFSIM_DPU_NETNS" python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.100.2", 22))
s.listen(8)
while True:
    c, _ = s.accept()
    c.close()' & dropper=$!
for i in $(seq 100); do nsenter --net="$BFSIM_DPU_NETNS" ss -Hltn 'sport = :22' | grep -q . && break; sleep 0.1; done
expect_rc 4 "sshd dropping every connection: exit 4" P --ssh-timeout 60
ok "... each retry said, then the failure after 5 handshakes" - <<'CHECK'
[ "$(grep -c 'SSH handshake with 192.168.100.2 failed (.*): try [2-5] of 5 in 2 s' "$TMP/rc.out")" = 4 ] &&
grep -q 'SSH handshake with 192.168.100.2 failed (5 tries): ' "$TMP/rc.err"
CHECK
kill "$dropper"; wait "$dropper" 2>/dev/null

# The agent fails part way (OVSDB unreachable), a re-run finishes. The
# reinstall brings sshd back.
cat > "$TMP/more.yaml" <<'EOF'
include: quick.yaml
dpu:
  ovs:
    bridges:
      - name: ovsbr1
      - name: ovsbr2
      - name: ovsbr3
EOF
expect_rc 0 "--reinstall installs again and pins again" P --bfb "$SAMPLE" --reinstall --ssh-timeout 120
ok "install done again" grep -q "install done" "$TMP/rc.out"
mv "$ROOTFS/run/openvswitch/db.sock" "$ROOTFS/run/openvswitch/db.sock.away"
expect_rc 1 "agent fails (OVSDB unreachable): exit 1" "$BFCTL" provision -r sim:0 --profile "$TMP/more.yaml" --bfb "$SAMPLE"
ok "... naming bfagent's failure" grep -q "bfagent apply ended with exit 1" "$TMP/rc.err"
mv "$ROOTFS/run/openvswitch/db.sock.away" "$ROOTFS/run/openvswitch/db.sock"
expect_rc 0 "the re-run finishes" "$BFCTL" provision -r sim:0 --profile "$TMP/more.yaml" --bfb "$SAMPLE"
ok "ovs-vsctl: ovsbr3 is there" $VSCTL br-exists ovsbr3

# The link drops during the agent step (the DPU's tmfifo_net0 goes down
# while bfagent runs): the lost connection is named within the keepalive
# bound, and a re-run once the link is back finishes.
sed 's/ovsbr3$/ovsbr4/' "$TMP/more.yaml" > "$TMP/more4.yaml"
AGENT_REAL="$(cd "$top_builddir" && pwd)/src/agent/bfagent"
cat > "$TMP/slow-bfagent" <<EOF
#!/bin/sh
case " \$* " in *" apply "*) touch "$TMP/agent.started"; sleep 4 ;; esac
exec "$AGENT_REAL" "\$@"
EOF
chmod 755 "$TMP/slow-bfagent"
BFCTL_AGENT="$TMP/slow-bfagent" "$BFCTL" provision -r sim:0 --profile "$TMP/more4.yaml" --bfb "$SAMPLE" --timeout 300 \
	>"$TMP/drop.out" 2>"$TMP/drop.err" &
pid=$!
for i in $(seq 1200); do [ -e "$TMP/agent.started" ] && break; sleep 0.1; done
nsenter --net="$BFSIM_DPU_NETNS" ip link set tmfifo_net0 down
wait $pid
rc=$?
nsenter --net="$BFSIM_DPU_NETNS" ip link set tmfifo_net0 up
ok "link down during the agent step: exit 4" [ "$rc" = 4 ]
ok "... naming the lost connection and the re-run" grep -q "SSH connection over tmfifo_net0 was lost while running.*run the same command again" "$TMP/drop.err"
expect_rc 0 "the re-run once the link is back finishes" "$BFCTL" provision -r sim:0 --profile "$TMP/more4.yaml" --bfb "$SAMPLE" --ssh-timeout 60
ok "ovs-vsctl: ovsbr4 is there" $VSCTL br-exists ovsbr4

# The DPU's sshd session dies during the agent step (killed: the connection
# is reset, the device stays): provision first waits to see whether the
# device went away, then names the lost connection, not a vanished device.
sed 's/ovsbr3$/ovsbr6/' "$TMP/more.yaml" > "$TMP/more6.yaml"
cat > "$TMP/killer-bfagent" <<EOF
#!/bin/bash
case " \$* " in *" apply "*)
	p=\$PPID
	while [ "\$p" -gt 1 ] && [ "\$(cat /proc/\$p/comm)" != sshd ]; do p=\$(awk '{print \$4}' /proc/\$p/stat); done
	[ "\$p" -gt 1 ] && kill -KILL "\$p"
	exit 0 ;;
esac
exec "$AGENT_REAL" "\$@"
EOF
chmod 755 "$TMP/killer-bfagent"
expect_rc 4 "the sshd session killed during the agent step: exit 4" \
	env BFCTL_AGENT="$TMP/killer-bfagent" "$BFCTL" provision -r sim:0 --profile "$TMP/more6.yaml" --bfb "$SAMPLE" --timeout 300
ok "... naming the lost connection and the re-run" \
	grep -q "sim:0: the SSH connection over tmfifo_net0 was lost while running.*run the same command again" "$TMP/rc.err"
ok "... after waiting to see whether the device left" \
	grep -q "the SSH connection over tmfifo_net0 was lost: waiting up to 13 s to see whether the device left the host" "$TMP/rc.out" "$TMP/rc.err"
ok "... not a vanished device (it stayed)" not grep -q "disappeared" "$TMP/rc.err"
expect_rc 0 "the re-run finishes" "$BFCTL" provision -r sim:0 --profile "$TMP/more6.yaml" --bfb "$SAMPLE" --ssh-timeout 60
ok "ovs-vsctl: ovsbr6 is there" $VSCTL br-exists ovsbr6

# The device disappears from the host during the agent step (bfsim run:
# SIGUSR1 unplugs every device, SIGUSR2 plugs them back; the DPU runs on):
# provision names the vanished device, exit 4; once it is back, the re-run
# finishes. bfagent on the DPU waits (up to 120 s) until the test has seen
# provision end.
sed 's/ovsbr3$/ovsbr5/' "$TMP/more.yaml" > "$TMP/more5.yaml"
unplug_during_agent sim:0 "$TMP/more5.yaml"
ok "device unplugged during the agent step: exit 4 (was $UNPLUG_RC)" [ "$UNPLUG_RC" = 4 ]
ok "... saying the device disappeared, to plug it back and run again" \
	grep -q "sim:0: the device disappeared from the host while running .*over tmfifo_net0.*plug it back .*run the same command again" "$TMP/unplug.err"
ok "... not as a lost link" not grep -q "connection over tmfifo_net0 was lost" "$TMP/unplug.err"
expect_rc 0 "the re-run once the device is back finishes" "$BFCTL" provision -r sim:0 --profile "$TMP/more5.yaml" --bfb "$SAMPLE" --ssh-timeout 60
ok "ovs-vsctl: ovsbr5 is there" $VSCTL br-exists ovsbr5
done_testing
