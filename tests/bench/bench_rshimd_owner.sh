#!/bin/bash
# bench_rshimd_owner.sh - rshimd's ownership handover between two daemons
# on one simulated chip (bfsim run --transport usb,pci: usb:1-4 and the
# livefish function): the start-up cost of the access check, and how long
# after FORCE_CMD 1 the requester drives the device and the old owner is
# done, each way, three times. Prints BENCH lines.
set -u
B=${top_builddir:-.}
if [ -z "${BENCH_INNER:-}" ]; then
	export BENCH_INNER=1 top_builddir="$B"
	exec timeout 300 "$B/src/sim/bfsim" run --transport usb,pci --speed 20 -- bash "$0" "$@"
fi
R="$B/src/rshimd/rshimd"
T=$(mktemp -d /tmp/bench-owner.XXXXXX)
export BFCTL_RUNDIR="$T/run"
cleanup() { local p; for p in "$T"/*.pid; do [ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; sleep 0.5; rm -rf "$T"; }
trap cleanup EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b - a}'; }
upto() {  # upto FILE TEXT N -- wait (20 s at most) for the Nth line with TEXT
	local i
	for i in $(seq 2000); do
		[ "$(grep -c -- "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.01
	done
	echo "bench_rshimd_owner: no '$2' in $1" >&2
	exit 1
}
: > "$T/a.conf"
printf 'DROP_MODE 1\n' > "$T/b.conf"
mkdir -p "$T/a" "$T/b"
t=$(now)
"$R" --root "$T/a" -d usb:1-4 -n --config "$T/a.conf" --pid-file "$T/a.pid" --log-file "$T/a.log" || exit 1
check=$(since "$t")
t=$(now)
"$R" --root "$T/b" -d pcie-lf:0000:04:00.0 -n --config "$T/b.conf" --pid-file "$T/b.pid" --log-file "$T/b.log" || exit 1
echo "BENCH rshimd_start access_check_s=$check drop_mode_s=$(since "$t") backend=usb speed=20"
for k in 1 2 3; do
	for dir in b:a a:b; do
		to=${dir%:*} from=${dir#*:}
		t=$(now)
		echo "FORCE_CMD 1" > "$T/$to/rshim0/misc" || exit 1
		upto "$T/$to.log" 'regained ownership successfully' "$k"
		reg=$(since "$t")
		upto "$T/$from.log" 'passed to the requester successfully' "$k"
		name=usb
		[ "$to" = b ] && name=pcie-lf
		echo "BENCH rshimd_handover to=$name regained_s=$reg old_owner_done_s=$(since "$t") round=$k"
	done
done
