#!/bin/bash
# bench_fw_mstflint.sh - bfctl fw burn and mstflint -b, side by side in one
# run, on the same FS4 image, as whole processes against the simulated NIC
# under `bfsim run --transport pci` (every config access a pread/pwrite on
# the FUSE-served sysfs config file). Counts the config reads and writes
# the simulator's PCI config server served to each (bfsim_config_accesses)
# and times each burn. Prints
#   BENCH fw_burn_vs_mstflint mib=<image MiB> bfctl_s=.. mstflint_s=.. time_ratio=..
#         bfctl_cfg_accesses_per_kib=.. mstflint_cfg_accesses_per_kib=.. access_ratio=..
# Each access is a FUSE round trip (tens of microseconds here), so the
# default image is 256 KiB; BENCH_FW_KIB=32768 burns the full 32 MiB (about
# an hour per tool). Skips (one line) without mstflint, FUSE or root.
set -u
B=${top_builddir:-.}
KIB=${BENCH_FW_KIB:-256}
if ! command -v mstflint >/dev/null; then
	echo "BENCH fw_burn_vs_mstflint skipped=no-mstflint"
	exit 0
fi
if [ "$(id -u)" != 0 ] || [ ! -e /dev/fuse ]; then
	echo "BENCH fw_burn_vs_mstflint skipped=needs-root-and-fuse"
	exit 0
fi
if [ -z "${BENCH_INNER:-}" ]; then
	T=$(mktemp -d /tmp/bench-fw.XXXXXX)
	trap 'rm -rf "$T"' EXIT
	"$B/src/sim/bfsim" fwimage -o "$T/fw.bin" --format fs4 --version 32.43.1020 --psid MT_0000000884 \
		--size "${KIB}K" >/dev/null || exit 1
	BENCH_INNER=1 BENCH_T="$T" top_builddir="$B" \
		"$B/src/sim/bfsim" run --state "$T/state" --transport pci -- bash "$0"
	exit
fi
T=$BENCH_T
# mstflint's lock files, private to this run (the host's /tmp is shared).
mkdir -p /tmp/mstflint_lockfiles && mount -t tmpfs bfsim /tmp/mstflint_lockfiles || exit 1
DEV=0000:03:00.0
acc() { awk '{ print $1 + $2 }' "/sys/bus/pci/devices/$DEV/bfsim_config_accesses"; }
now() { date +%s.%N; }
kib=$(( $(stat -c %s "$T/fw.bin") / 1024 ))

a0=$(acc); t0=$(now)
"$B/src/bfctl/bfctl" fw burn "$DEV" "$T/fw.bin" -y >"$T/bfctl.out" 2>&1 || { cat "$T/bfctl.out" >&2; exit 1; }
t1=$(now); a1=$(acc)
"$B/src/bfctl/bfctl" fw reset "$DEV" -y >/dev/null 2>&1 || exit 1
a2=$(acc); t2=$(now)
mstflint -d "$DEV" -i "$T/fw.bin" -y b >"$T/mst.out" 2>&1 || { cat "$T/mst.out" >&2; exit 1; }
t3=$(now); a3=$(acc)
awk -v mib="$(awk -v k="$KIB" 'BEGIN { print k / 1024 }')" -v kib="$kib" -v bs="$t1-$t0" -v ms="$t3-$t2" -v ba=$((a1 - a0)) -v ma=$((a3 - a2)) 'BEGIN {
	split(bs, b, "-"); split(ms, m, "-"); bs = b[1] - b[2]; ms = m[1] - m[2]
	printf "BENCH fw_burn_vs_mstflint mib=%s bfctl_s=%.1f mstflint_s=%.1f time_ratio=%.2f " \
	       "bfctl_cfg_accesses_per_kib=%.0f mstflint_cfg_accesses_per_kib=%.0f access_ratio=%.2f\n",
	       mib, bs, ms, bs / ms, ba / kib, ma / kib, ba / ma
}'
