#!/bin/bash
# bench_tmfifo_net.sh - TCP throughput over tmfifo_net0 (rshimd's TAP, the
# TM FIFOs, the simulated DPU's TAP under `bfsim run --net`), each way, and
# rshimd's CPU use while idle. Prints BENCH lines.
#   BENCH_NET_MB (default 32): megabytes sent each way.
set -u
B=${top_builddir:-.}
if [ -z "${BENCH_INNER:-}" ]; then
	export BENCH_INNER=1 top_builddir="$B"
	exec "$B/src/sim/bfsim" run --net --speed 50 -- bash "$0" "$@"
fi
MB=${BENCH_NET_MB:-32}
T=$(mktemp -d /tmp/bench-net.XXXXXX)
export BFCTL_RUNDIR="$T/run" BFCTL_RSHIM_ROOT="$T/dev"
DPU="nsenter --net=$BFSIM_DPU_NETNS"
cleanup() { [ -s "$T/pid" ] && kill "$(cat "$T/pid")" 2>/dev/null; sleep 0.5; rm -rf "$T"; }
trap cleanup EXIT
mkdir -p "$T/dev"
"$B/src/rshimd/rshimd" --root "$T/dev" -d sim:0 --config "$T/none.conf" --pid-file "$T/pid" || exit 1
"$B/src/bfctl/bfctl" install -r rshim0 -b "$B/bfb/sample-full.bfb" --timeout 300 >/dev/null || exit 1
ip addr add 192.168.100.1/24 dev tmfifo_net0

# mode send: the client sends MB; mode recv: the server sends MB.
server='
import socket, sys, time
mode, n = sys.argv[1], int(sys.argv[2]) << 20
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.100.2", 5002)); s.listen(1)
c, _ = s.accept()
if mode == "send":
    got = 0
    while got < n:
        b = c.recv(1 << 16)
        if not b: break
        got += len(b)
    c.sendall(b"%d\n" % got)
else:
    buf = b"x" * (1 << 16); left = n
    while left > 0:
        k = c.send(buf[:min(left, len(buf))]); left -= k
c.close()'
client='
import socket, sys, time
mode, n = sys.argv[1], int(sys.argv[2]) << 20
for i in range(200):
    try:
        c = socket.create_connection(("192.168.100.2", 5002), timeout=120); break
    except OSError:
        time.sleep(0.05)
t0 = time.monotonic()
if mode == "send":
    buf = b"x" * (1 << 16); left = n
    while left > 0:
        k = c.send(buf[:min(left, len(buf))]); left -= k
    ack = c.recv(64)
    assert int(ack) == n, ack
else:
    got = 0
    while got < n:
        b = c.recv(1 << 16)
        if not b: break
        got += len(b)
    assert got == n, got
dt = time.monotonic() - t0
print("%.1f" % (n * 8 / dt / 1e6))'
run() {
	$DPU python3 -c "$server" "$1" "$MB" &
	local srv=$! r
	r=$(python3 -c "$client" "$1" "$MB")
	wait $srv
	echo "$r"
}
to=$(run send)
from=$(run recv)
# The simulated TM FIFO has no time model (speed= does not touch its data
# path): this is host-side throughput (rshimd, the tap, the simulator's
# loop), not what a DPU's TM FIFO would carry.
echo "BENCH tmfifo_net measures=host_side_throughput mbit_s=$to to_dpu_mbit_s=$to from_dpu_mbit_s=$from mb=$MB speed=50 backend=sim:0"

# Idle: no traffic, nobody reading; rshimd's CPU time over 5 s.
pid=$(cat "$T/pid")
hz=$(getconf CLK_TCK)
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep 5
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
echo "BENCH rshimd_idle cpu_pct=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN{printf "%.2f", (b - a) * 100 / hz / 5}') seconds=5"
