#!/bin/bash
# bench_fw_mstflint.sh - bfctl fw burn and mstflint -b, side by side in one
# run, on the same FS4 image (32 MiB by default), as whole, unmodified
# processes against the same simulated NIC. Each runs under `bfsim run
# --transport pci` (the sysfs tree of the simulated functions) with
# cfgshim.so preloaded: its config-space accesses reach the NIC's model in
# its own process, each costing BENCH_FW_ACCESS_NS (default 2000) on the
# simulator's virtual clock, and its sleeps and clock follow that clock.
# Both start from the same factory device. Prints
#   BENCH fw_burn_vs_mstflint mib=<MiB> bfctl_s=.. mstflint_s=.. time_ratio=..
#         bfctl_cfg_accesses_per_kib=.. mstflint_cfg_accesses_per_kib=.. access_ratio=..
#         access_ns=.. bfctl_wall_s=.. mstflint_wall_s=..
# where *_s is the burn's time on the virtual clock (what the device and
# the tool's own waits take), *_wall_s the host's time for the process, and
# the ratios bfctl's over mstflint's. BENCH_FW_MIB sets the image size.
# Skips (one line) without mstflint, FUSE, root or the preload library.
set -u
B=${top_builddir:-.}
MIB=${BENCH_FW_MIB:-32}
NS=${BENCH_FW_ACCESS_NS:-2000}
SHIM=$B/tests/bench/cfgshim.so
skip() { echo "BENCH fw_burn_vs_mstflint skipped=$1"; exit 0; }
command -v mstflint >/dev/null || skip no-mstflint
[ "$(id -u)" = 0 ] && [ -e /dev/fuse ] || skip needs-root-and-fuse
[ -e "$SHIM" ] || skip no-cfgshim
if [ -z "${BENCH_INNER:-}" ]; then
	T=$(mktemp -d "$B/bench-fw.XXXXXX") || exit 1
	trap 'rm -rf "$T"' EXIT
	"$B/src/sim/bfsim" fwimage -o "$T/fw.bin" --format fs4 --version 32.43.1020 --psid MT_0000000884 \
		--size "${MIB}M" >/dev/null || exit 1
	BENCH_INNER=1 BENCH_T="$T" top_builddir="$B" \
		"$B/src/sim/bfsim" run --state "$T/state" --transport pci -- bash "$0"
	exit
fi
T=$BENCH_T
# mstflint's lock files, private to this run (the host's /tmp is shared).
mkdir -p /tmp/mstflint_lockfiles && mount -t tmpfs bfsim /tmp/mstflint_lockfiles || exit 1
DEV=0000:03:00.0
kib=$(( $(stat -c %s "$T/fw.bin") / 1024 ))

# shimmed NAME COMMAND...: run it on the shim, its report in $T/NAME.rep and
# its wall time in $T/NAME.wall.
shimmed() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	BFSIM_SHIM_DEV=$DEV BFSIM_SHIM_ACCESS_NS=$NS BFSIM_SHIM_REPORT="$T/$name.rep" LD_PRELOAD="$SHIM" \
		"$@" >"$T/$name.out" 2>&1 || { echo "bench_fw_mstflint: $name failed:" >&2; cat "$T/$name.out" >&2; exit 1; }
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' >"$T/$name.wall"
}
shimmed bfctl "$B/src/bfctl/bfctl" fw burn "$DEV" "$T/fw.bin" -y
shimmed mstflint mstflint -d "$DEV" -i "$T/fw.bin" -y b
grep -q 'Writing Boot image component -   OK' "$T/mstflint.out" || { cat "$T/mstflint.out" >&2; exit 1; }

# A report line: reads=N writes=N virtual_s=S.
field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$T/$1.rep" | tail -n 1; }
awk -v mib="$MIB" -v kib="$kib" -v ns="$NS" \
	-v br="$(field bfctl reads)" -v bw="$(field bfctl writes)" -v bs="$(field bfctl virtual_s)" \
	-v mr="$(field mstflint reads)" -v mw="$(field mstflint writes)" -v ms="$(field mstflint virtual_s)" \
	-v bwall="$(cat "$T/bfctl.wall")" -v mwall="$(cat "$T/mstflint.wall")" 'BEGIN {
	if (bs <= 0 || ms <= 0 || br + bw == 0 || mr + mw == 0) { print "bench_fw_mstflint: no report" > "/dev/stderr"; exit 1 }
	printf "BENCH fw_burn_vs_mstflint mib=%s bfctl_s=%.1f mstflint_s=%.1f time_ratio=%.2f " \
	       "bfctl_cfg_accesses_per_kib=%.0f mstflint_cfg_accesses_per_kib=%.0f access_ratio=%.2f " \
	       "access_ns=%s bfctl_wall_s=%s mstflint_wall_s=%s\n",
	       mib, bs, ms, bs / ms, (br + bw) / kib, (mr + mw) / kib, (br + bw) / (mr + mw), ns, bwall, mwall
}'
