#!/bin/bash
# bench_fleet.sh - bfctl provision --inventory with 32 simulated DPUs
# against 1, in one run, at the same --speed, the bundle from a real nginx
# on 127.0.0.1: the wall time of the bfctl process for each, their ratio,
# bfctl's peak RSS (and per device added), and how many times the bundle
# crossed the network in the 32-device run. Prints one BENCH line.
# Goals: wall_ratio <= 1.5, downloads=1, rss_per_device_mib < 4.
set -u
B=${top_builddir:-.}
S=${top_srcdir:-$B}
N=${BENCH_FLEET_DEVICES:-32}
SPEED=${BENCH_FLEET_SPEED:-2}
BFCTL="$B/src/bfctl/bfctl"
BFSIM="$B/src/sim/bfsim"
TMP=$(mktemp -d /tmp/bench-fleet.XXXXXX)
export BFCTL_RUNDIR="$TMP/run"
. "$S/tests/integration/nginx.sh"   # its EXIT trap stops nginx and removes $TMP

if ! nginx_available || ! nginx_start; then
	echo "bench_fleet: nginx is not available (scripts/install-deps)" >&2
	exit 0
fi
cp "$B/bfb/sample-full.bfb" "$NGINX_ROOT/one.bfb"
cp "$B/bfb/sample-full.bfb" "$NGINX_ROOT/many.bfb"

inventory() {  # inventory FILE URL N
	local k
	printf 'defaults:\n  bfb: %s\ndevices:\n' "$2" > "$1"
	for k in $(seq 0 $(($3 - 1))); do printf '  - rshim: sim:%s\n' "$k" >> "$1"; done
}

run() {  # run N NAME -- prints "WALL_S RSS_KIB EXIT"
	inventory "$TMP/$2.yaml" "$(nginx_url "$2.bfb")" "$1"
	"$BFSIM" run --devices "$1" --state "$TMP/dev-$2" --speed "$SPEED" -- \
		/usr/bin/time -f '%e %M' -o "$TMP/$2.time" \
		"$BFCTL" provision --json --inventory "$TMP/$2.yaml" --state-dir "$TMP/st-$2" \
		--cache "$TMP/cache-$2" > "$TMP/$2.json" 2> "$TMP/$2.err"
	echo "$(tail -1 "$TMP/$2.time") $?"
}

read -r w1 r1 e1 <<< "$(run 1 one)"
read -r wn rn en <<< "$(run "$N" many)"
if [ "$e1" != 0 ] || [ "$en" != 0 ]; then
	echo "bench_fleet: a run failed (exit $e1 / $en): $(tail -1 "$TMP/one.json") $(tail -1 "$TMP/many.json")" >&2
	exit 1
fi
downloads=$(nginx_count /many.bfb 200)
awk -v n="$N" -v w1="$w1" -v wn="$wn" -v r1="$r1" -v rn="$rn" -v d="$downloads" -v s="$SPEED" 'BEGIN {
	printf "BENCH fleet devices=%d wall_s=%.2f wall_ratio=%.2f peak_rss_mib=%.1f downloads=%d", n, wn, wn / w1, rn / 1024, d
	printf " wall_1_s=%.2f peak_rss_1_mib=%.1f rss_per_device_mib=%.2f speed=%s\n", w1, r1 / 1024, (rn - r1) / 1024 / (n - 1), s
}'
