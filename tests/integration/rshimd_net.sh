#!/bin/bash
# rshimd_net.sh - tmfifo_net0 between two network namespaces: the host's
# (rshimd's TAP, in COMMAND's namespace under `bfsim run --net`) and the
# simulated DPU's (192.168.100.2, $BFSIM_DPU_NETNS). ICMP both ways, large
# frames, a TCP stream checked end to end, the upstream MACs, and the
# control exchange (PEER_MAC, PXE_ID, VLAN_ID answered by the DPU).
if [ -z "${RSHIMD_TEST_INNER:-}" ]; then
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ] || [ ! -c /dev/net/tun ] || ! command -v nsenter >/dev/null ||
	   ! command -v ip >/dev/null; then
		echo "1..0 # SKIP needs root, FUSE, /dev/net/tun, nsenter and ip"
		exit 0
	fi
	export RSHIMD_TEST_INNER=1
	# The device in-process (sim:0), or with RSHIMD_TEST_TRANSPORT=usb
	# behind bfsim's USB transport (libusb through umockdev; the *_usb.sh
	# wrappers).
	case "${RSHIMD_TEST_TRANSPORT:=sim}" in
	usb) set -- --transport usb --speed 20 ;;   # speed 20: as usb.sh, room for a loaded host
	sim) set -- --speed "${BFSIM_TEST_SPEED:-50}" ;;
	*) echo "1..0 # SKIP unknown RSHIMD_TEST_TRANSPORT"; exit 0 ;;
	esac
	export RSHIMD_TEST_TRANSPORT
	exec "$top_builddir/src/sim/bfsim" run "$@" --net -- bash "$0"
fi
. "$(dirname "$0")/lib.sh"
DEVNAME=sim:0
DEVNAME_MISC=sim-0
[ "$RSHIMD_TEST_TRANSPORT" = usb ] && DEVNAME=usb:1-4 DEVNAME_MISC=usb-1-4

RSHIMD="$top_builddir/src/rshimd/rshimd"
PING="$top_srcdir/tests/integration/ping.py"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
export BFCTL_RSHIM_ROOT="$TMP/dev"
mkdir -p "$TMP/dev"   # --root must exist
D="$TMP/dev/rshim0"
PIDF="$TMP/rshimd.pid"
DPU="nsenter --net=$BFSIM_DPU_NETNS"
stop_daemon() { stop_pidfile "$PIDF"; }
# On a failure, the daemon's log goes into the TAP output.
trap 'stop_daemon; [ "$T_FAILED" = 0 ] || sed "s/^/# rshimd: /" "$TMP/rshimd.log" 2>/dev/null | tail -40; rm -rf "$TMP"' EXIT

ok "COMMAND's namespace starts without tmfifo_net0" - <<'CHECK'
! ip link show tmfifo_net0 >/dev/null 2>&1
CHECK
expect_rc 0 "rshimd starts with the network" \
	"$RSHIMD" --root "$TMP/dev" -d "$DEVNAME" --config "$TMP/no-such.conf" --pid-file "$PIDF" --log-file "$TMP/rshimd.log" -l 4
ok "tmfifo_net0 has the upstream host MAC 00:1a:ca:ff:ff:02" - <<'CHECK'
ip -br link show tmfifo_net0 | grep -q '00:1a:ca:ff:ff:02'
CHECK
ok "the DPU's tmfifo_net0 is 192.168.100.2/24 in its own namespace" - <<'CHECK'
$DPU ip -br addr show tmfifo_net0 | grep -q '192.168.100.2/24'
CHECK
ok "the DPU's MAC is 00:1a:ca:ff:ff:01" - <<'CHECK'
$DPU ip -br link show tmfifo_net0 | grep -q '00:1a:ca:ff:ff:01'
CHECK
ip addr add 192.168.100.1/24 dev tmfifo_net0

PING_WAIT=2 expect_rc 1 "before the DPU's OS runs, nothing answers" python3 "$PING" 192.168.100.2 1
expect_rc 0 "install through the daemon" "$BFCTL" install -r rshim0 -b "$SAMPLE" --timeout 120
# First contact (neighbour resolution after the failed attempt above) may
# take a while on a loaded host: up to three tries before the real check.
for i in 1 2 3; do python3 "$PING" 192.168.100.2 1 >/dev/null 2>&1 && break; done
expect_rc 0 "ping 192.168.100.2 across tmfifo_net0 (host to DPU)" python3 "$PING" 192.168.100.2 5
ok "5 of 5 echo replies" grep -q '5 packets transmitted, 5 received' "$TMP/rc.out"
expect_rc 0 "ping 192.168.100.1 from the DPU's namespace" $DPU python3 "$PING" 192.168.100.1 3
expect_rc 0 "1400-byte echoes (frames near the MTU)" python3 "$PING" 192.168.100.2 3 1400

# A TCP stream, DPU to host and back, compared byte for byte.
head -c 3000000 /dev/urandom > "$TMP/blob"
$DPU python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.100.2", 5001)); s.listen(1); s.settimeout(60)
c, _ = s.accept(); c.settimeout(60)
data = b""
while True:
    b = c.recv(65536)
    if not b: break
    data += b
c.sendall(data); c.close()' &
srv=$!
python3 - "$TMP/blob" "$TMP/back" <<'PY'
import socket, sys, time
data = open(sys.argv[1], "rb").read()
for i in range(100):
    try:
        c = socket.create_connection(("192.168.100.2", 5001), timeout=60)
        break
    except OSError:
        time.sleep(0.1)
c.sendall(data); c.shutdown(socket.SHUT_WR)
out = b""
while True:
    b = c.recv(65536)
    if not b: break
    out += b
open(sys.argv[2], "wb").write(out)
PY
wait $srv
ok "3 MB over TCP to the DPU and back arrive intact" cmp -s "$TMP/blob" "$TMP/back"

# The control exchange: the DPU answers CTRL_REQ with what it holds.
printf 'DISPLAY_LEVEL 1\n' > "$D/misc"
ok "misc level 1: PEER_MAC is the DPU's MAC, as the DPU answers" grep -qx 'PEER_MAC        00:1a:ca:ff:ff:01 (rw)' "$D/misc"
printf 'PEER_MAC 00:1a:ca:ff:ff:09\n' > "$D/misc"
printf 'PXE_ID 0x1234abcd\n' > "$D/misc"
printf 'VLAN_ID 100 200\n' > "$D/misc"
cat "$D/misc" > "$TMP/misc1"
ok "PEER_MAC, PXE_ID, VLAN_ID written reach the DPU and come back in its answer" - <<'CHECK'
grep -qx 'PEER_MAC        00:1a:ca:ff:ff:09 (rw)' "$TMP/misc1" && grep -qx 'PXE_ID          0x1234abcd (rw)' "$TMP/misc1" &&
	grep -qx 'VLAN_ID         100 200 (rw)' "$TMP/misc1"
CHECK
stop_daemon
ok "a stopped daemon takes tmfifo_net0 away" - <<'CHECK'
! ip link show tmfifo_net0 >/dev/null 2>&1
CHECK
done_testing
