#!/bin/bash
# bench_provision.sh - bfctl provision from a blank simulated DPU (quick
# mode: sshd and ovsdb-server in bfsim's DPU namespace, through rshimd's
# tmfifo_net0), its steps' seconds, a second (no-op) run, and `bfctl
# install` of the same bundle beside it; then OpenSSH over tmfifo_net0
# with the provisioned key and the pinned host key: round trip of a
# command on one connection, and throughput into the DPU, beside raw TCP
# on the same link. Prints BENCH lines.
set -u
B=${top_builddir:-.}
if [ -z "${BENCH_INNER:-}" ]; then
	export BENCH_INNER=1 top_builddir="$B"
	exec "$B/src/sim/bfsim" run --net --speed 50 -- bash "$0" "$@"
fi
[ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ] && command -v ovsdb-server >/dev/null || {
	echo "BENCH provision skipped=needs_root_sshd_ovsdb"; exit 0; }
T=$(mktemp -d /tmp/bench-prov.XXXXXX)
export BFCTL_RUNDIR="$T/run" BFCTL_RSHIM_ROOT="$T/dev" BFCTL_STATE_DIR="$T/state"
cleanup() { [ -S "$T/ctl" ] && ssh -S "$T/ctl" -O exit x 2>/dev/null; [ -s "$T/pid" ] && kill "$(cat "$T/pid")" 2>/dev/null; sleep 0.5; rm -rf "$T"; }
trap cleanup EXIT
mkdir -p "$T/dev"
cat > "$T/p.yaml" <<'EOF'
profile: bench
dpu:
  ovs:
    other_config: { hw-offload: "true" }
    bridges: [ { name: ovsbr1 }, { name: ovsbr2 } ]
EOF
"$B/src/rshimd/rshimd" --root "$T/dev" -d sim:0 --config "$T/none.conf" --pid-file "$T/pid" || exit 1
now() { date +%s.%N; }
step_s() { sed -n "s/.*\"step\":\"$1\",\"status\":\"[a-z]*\",\"seconds\":\([0-9.]*\).*/\1/p" "$2" | tail -1; }
# bfctl install of the same bundle first (it leaves an OS without this
# host's key: the provision after it installs again).
t0=$(now)
"$B/src/bfctl/bfctl" install -r rshim0 -b "$B/bfb/sample-full.bfb" > /dev/null
t1=$(now)
"$B/src/bfctl/bfctl" provision -r rshim0 --profile "$T/p.yaml" --bfb "$B/bfb/sample-full.bfb" --json > "$T/first.json" || {
	echo "BENCH provision failed=1"; tail -3 "$T/first.json"; exit 1; }
t2=$(now)
"$B/src/bfctl/bfctl" provision -r rshim0 --profile "$T/p.yaml" --bfb "$B/bfb/sample-full.bfb" --json > "$T/second.json"
t3=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v i="$(step_s install "$T/first.json")" \
    -v h="$(step_s handoff "$T/first.json")" -v g="$(step_s agent "$T/first.json")" -v v="$(step_s verify "$T/first.json")" \
    'BEGIN { printf "BENCH provision seconds=%.2f install_s=%.2f handoff_s=%.2f agent_s=%.2f verify_s=%.2f noop_s=%.2f install_only_s=%.2f provision_per_install=%.2f mode=quick link=rshimd backend=sim:0 speed=50\n", c-b, i, h, g, v, d-c, b-a, (c-b)/(b-a) }'

# OpenSSH (an independent client) with the pinned key, over tmfifo_net0.
K="$BFCTL_STATE_DIR/rshim0"
SSHO=(-o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$T/kh" -o BindInterface=tmfifo_net0 -i "$K/id_ed25519")
for i in $(seq 300); do
	python3 - "$T/kh" <<'PY' && break
import socket, sys
s = socket.socket(); s.settimeout(1)
try:
    s.connect(("192.168.100.2", 22)); s.recv(16)
except OSError:
    sys.exit(1)
PY
	sleep 0.1
done
ssh-keyscan -t ed25519 192.168.100.2 2>/dev/null > "$T/kh.scan"
# Only the pinned key goes into known_hosts: the scan is compared with the pin.
[ "$(ssh-keygen -lf "$T/kh.scan" | cut -d' ' -f2)" = "$(cat "$K/hostkey.pin")" ] || { echo "BENCH ssh_over_tmfifo failed=host_key_not_pinned"; exit 1; }
cp "$T/kh.scan" "$T/kh"
ssh "${SSHO[@]}" -o ControlMaster=yes -o ControlPath="$T/ctl" -o ControlPersist=60 -fN root@192.168.100.2 || exit 1
N=20
a=$(now)
for i in $(seq $N); do ssh "${SSHO[@]}" -o ControlPath="$T/ctl" root@192.168.100.2 true; done
b=$(now)
MB=${BENCH_SSH_MB:-8}
head -c $((MB << 20)) /dev/zero > "$T/blob"
c=$(now)
ssh "${SSHO[@]}" -o ControlPath="$T/ctl" root@192.168.100.2 'cat > /dev/null' < "$T/blob"
d=$(now)
# Raw TCP over the same link, the same bytes, for the ratio.
nsenter --net="$BFSIM_DPU_NETNS" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.100.2", 5003)); s.listen(1); c, _ = s.accept()
while c.recv(1 << 16): pass
c.sendall(b"k")' &
srv=$!
tcp=$(python3 - "$T/blob" <<'PY'
import socket, sys, time
data = open(sys.argv[1], "rb").read()
for i in range(100):
    try:
        c = socket.create_connection(("192.168.100.2", 5003), timeout=60); break
    except OSError:
        time.sleep(0.05)
t0 = time.monotonic(); c.sendall(data); c.shutdown(socket.SHUT_WR); c.recv(1)
print("%.2f" % (len(data) * 8 / (time.monotonic() - t0) / 1e6))
PY
)
wait $srv
awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v n=$N -v mb="$MB" -v tcp="$tcp" \
    'BEGIN { m = mb * 8 * 1.048576 / (d-c); printf "BENCH ssh_over_tmfifo rtt_ms=%.1f mbit_s=%.2f tcp_mbit_s=%s ssh_per_tcp=%.2f mb=%d client=openssh link=rshimd backend=sim:0 speed=50\n", (b-a)/n*1000, m, tcp, m/tcp, mb }'
