#!/bin/bash
# bench_upgrade.sh - bfctl upgrade against bfsim, whole processes:
#  upgrade_skip: the wall time of `bfctl upgrade --bundle CURRENT` (plan,
#    then skip: nothing pushed) on an up-to-date device (goal < 2 s);
#  upgrade_deferred: the simulated data-path downtime (NIC resets, as bfsim
#    counts it) of a deferred NIC firmware upgrade activated by live patch
#    (level 0) against one activated at level 3, side by side.
# Prints one BENCH line each.
set -u
B=${top_builddir:-.}
SPEED=${BENCH_UPGRADE_SPEED:-50}
BFCTL="$B/src/bfctl/bfctl"
BFSIM="$B/src/sim/bfsim"
TMP=$(mktemp -d /tmp/bench-upgrade.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export BFCTL_RUNDIR="$TMP/run" BFCTL_STATE_DIR="$TMP/state"

downtime() {  # downtime STATE: the NIC's data-path downtime so far (simulated s)
	"$BFSIM" status --state "$1" --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline()).get("nic_downtime_s", 0))'
}

prepare() {  # prepare STATE [BFSIM OPTIONS]: installed, rebooted, versions published
	local st=$1 i
	shift
	"$BFSIM" run --state "$st" --speed "$SPEED" "$@" -- "$BFCTL" install -r sim:0 -b "$B/bfb/sample-full.bfb" >/dev/null 2>&1 &&
	"$BFSIM" run --state "$st" --speed "$SPEED" "$@" -- "$BFCTL" reset -r sim:0 >/dev/null 2>&1 || return 1
	for i in $(seq 1 100); do
		"$BFSIM" run --state "$st" --speed "$SPEED" "$@" -- "$BFCTL" log -r sim:0 2>/dev/null | grep -q 'Running versions' && return 0
		sleep 0.2
	done
	return 1
}

"$BFSIM" bundle -o "$TMP/cur.bfb" --kind fw >/dev/null &&
"$BFSIM" bundle -o "$TMP/nic.bfb" --kind fw --version NIC=32.42.1010 >/dev/null || exit 1

# --- plan + skip on an up-to-date device -------------------------------------
prepare "$TMP/skip" || { echo "bench_upgrade: setup failed" >&2; exit 1; }
t0=$(date +%s.%N)
"$BFSIM" run --state "$TMP/skip" --speed "$SPEED" -- "$BFCTL" upgrade -r sim:0 --bundle "$TMP/cur.bfb" > "$TMP/skip.out" 2>&1
rc=$?
t1=$(date +%s.%N)
grep -q 'result: skipped' "$TMP/skip.out" || { echo "bench_upgrade: not skipped (rc $rc)" >&2; cat "$TMP/skip.out" >&2; exit 1; }
python3 -c 'import sys; print("BENCH upgrade_skip seconds=%.3f goal_s=2 includes=bfsim_run_startup" % (float(sys.argv[2]) - float(sys.argv[1])))' "$t0" "$t1"

# --- deferred: live patch against level 3 ------------------------------------
prepare "$TMP/lfwp" --nic-lfwp yes && prepare "$TMP/l3" || { echo "bench_upgrade: setup failed" >&2; exit 1; }
d0=$(downtime "$TMP/lfwp"); e0=$(downtime "$TMP/l3")
"$BFSIM" run --state "$TMP/lfwp" --speed "$SPEED" --nic-lfwp yes -- "$BFCTL" upgrade -r sim:0 --bundle "$TMP/nic.bfb" \
	--deferred --apply-lfwp >/dev/null 2>&1 || { echo "bench_upgrade: lfwp run failed" >&2; exit 1; }
"$BFSIM" run --state "$TMP/l3" --speed "$SPEED" -- "$BFCTL" upgrade -r sim:0 --bundle "$TMP/nic.bfb" --deferred >/dev/null 2>&1 &&
"$BFSIM" run --state "$TMP/l3" --speed "$SPEED" -- "$BFCTL" upgrade -r sim:0 --activate --level 3 -y >/dev/null 2>&1 ||
	{ echo "bench_upgrade: level 3 run failed" >&2; exit 1; }
d1=$(downtime "$TMP/lfwp"); e1=$(downtime "$TMP/l3")
python3 -c 'import sys
l=float(sys.argv[2])-float(sys.argv[1]); t=float(sys.argv[4])-float(sys.argv[3])
print("BENCH upgrade_deferred downtime_lfwp_s=%.3f downtime_l3_s=%.3f ratio=%.3f clock=simulated" % (l, t, l / t if t else 0))' \
	"$d0" "$d1" "$e0" "$e1"
