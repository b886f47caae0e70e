#!/bin/bash
# cfgshim.sh - tests/bench/cfgshim.so, the preload library on which make
# bench runs bfctl and mstflint side by side (bench_fw_mstflint.sh): the
# NIC it serves inside the program's process must be the NIC bfsim serves
# over FUSE with `bfsim run --transport pci`. On both chips: mstflint q
# through the shim shows what bfctl fw query shows through bfsim; mstflint
# burns an FS4 image through the shim (the device kept in a bfsim state
# directory), and bfctl through bfsim finds it pending while mstflint v
# through bfsim reads it back; bfctl burns through the shim and mstflint q
# through bfsim finds that. Each shimmed run reports its config accesses
# and a time on the virtual clock. Small images: the 32 MiB burns are
# make bench's.
. "$(dirname "$0")/lib.sh"

SHIM="$top_builddir/tests/bench/cfgshim.so"
DEV=0000:03:00.0
if ! command -v mstflint >/dev/null; then
	skip "mstflint through cfgshim.so" "no mstflint here"
	done_testing
	exit
fi
if ! have_root_fuse || ! unshare -m true 2>/dev/null || [ ! -d /sys/bus/pci/devices ]; then
	skip "mstflint through cfgshim.so" "needs root, FUSE and mount namespaces (bfsim --transport pci)"
	done_testing
	exit
fi
expect_rc 0 "the preload library is built" test -e "$SHIM"

# mstflint's lock files live in /tmp/mstflint_lockfiles, shared with whatever
# else on the host runs it: each run gets its own.
pcirun() {  # pcirun STATE CHIP COMMAND...: under bfsim run --transport pci
	local st=$1 chip=$2
	shift 2
	"$BFSIM" run --state "$st" --chip "$chip" --transport pci -- sh -c \
		'mkdir -p /tmp/mstflint_lockfiles && mount -t tmpfs bfsim /tmp/mstflint_lockfiles && exec "$@"' sh "$@"
}
# shim CHIP COMMAND...: COMMAND on the shim, its device in $ST, inside a bfsim
# run that only provides the sysfs tree (its own state elsewhere). bfctl
# built with ASan wants its runtime first; the shim has none.
shim() {
	local chip=$1
	shift
	pcirun "$TMP/host-$chip" "$chip" env BFSIM_SHIM_DEV=$DEV BFSIM_SHIM_CHIP="$chip" BFSIM_SHIM_STATE="$ST" \
		BFSIM_SHIM_ACCESS_NS=1000 BFSIM_SHIM_REPORT="$TMP/report" \
		ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 LD_PRELOAD="$SHIM" "$@"
}
fields='FW Version|FW Release Date|Product Version|Base GUID|Base MAC|PSID|Security Attributes'
# same_fields A B N: the lines of these fields (and, with rom, the ROMs) agree.
same_fields() {
	grep -E "^($fields):" "$1" | tr -s ' ' >"$TMP/a.f" && grep -E "^($fields):" "$2" | tr -s ' ' >"$TMP/b.f" &&
		diff "$TMP/a.f" "$TMP/b.f" >&2 && [ "$(wc -l <"$TMP/a.f")" = 7 ] &&
		grep -A3 '^Rom Info' "$1" | tr -s ' ' >"$TMP/a.r" && grep -A3 '^Rom Info' "$2" | tr -s ' ' >"$TMP/b.r" &&
		diff "$TMP/a.r" "$TMP/b.r" >&2 && [ "$(wc -l <"$TMP/a.r")" = 4 ]
}
# The last report: config reads and writes served, a time on the virtual clock.
reported() {
	tail -n 1 "$TMP/report" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END { exit !(v["reads"] > 0 && v["writes"] > 0 && v["virtual_s"] > 0) }'
}

for chip in bf3 bf2; do
	ST="$TMP/state-$chip"
	mkdir -p "$ST"
	case $chip in
	bf3) fwv=32.40.1000 psid=MT_0000000884 hw= ;;
	*) fwv=24.40.1000 psid=MT_0000000540 hw="--chip bf2" ;;
	esac
	maj=${fwv%%.*}
	# shellcheck disable=SC2086
	check "$chip: FS4 images" sh -c "
		'$BFSIM' fwimage -o '$TMP/m-$chip.bin' --format fs4 $hw --version $maj.43.2002 --psid $psid --size 16K &&
		'$BFSIM' fwimage -o '$TMP/b-$chip.bin' --format fs4 $hw --version $maj.43.3004 --psid $psid --size 16K" 
	expect_rc 0 "$chip: mstflint q through the shim" shim "$chip" mstflint -d $DEV q
	cp "$TMP/rc.out" "$TMP/mq.out"
	ok "$chip: the factory version and PSID" - <<CHECK
grep -qE '^FW Version: +$fwv\$' "$TMP/mq.out" && grep -qE '^PSID: +$psid\$' "$TMP/mq.out"
CHECK
	ok "$chip: the run reports its accesses and its virtual time" reported
	expect_rc 0 "$chip: bfctl fw query through bfsim, the same device" pcirun "$ST" "$chip" "$BFCTL" fw query $DEV
	ok "$chip: the same versions, date, GUID, MAC, PSID, security and ROMs" same_fields "$TMP/mq.out" "$TMP/rc.out"

	expect_rc 0 "$chip: mstflint burns through the shim" shim "$chip" mstflint -d $DEV -i "$TMP/m-$chip.bin" -y b
	ok "$chip: mstflint's progress to OK" grep -q 'Writing Boot image component -   OK' "$TMP/rc.out"
	ok "$chip: the burn reports its accesses and its virtual time" reported
	expect_rc 0 "$chip: bfctl fw query through bfsim after it" pcirun "$ST" "$chip" "$BFCTL" fw query $DEV
	ok "$chip: mstflint's image pending, the factory one running" - <<CHECK
grep -qE '^FW Version: +$maj\.43\.2002\$' "$TMP/rc.out" && grep -qE '^FW Version\(Running\): +$fwv\$' "$TMP/rc.out"
CHECK
	expect_rc 0 "$chip: mstflint v through bfsim reads back what it burned" pcirun "$ST" "$chip" mstflint -d $DEV v
	ok "$chip: verified" grep -q 'FW image verification succeeded' "$TMP/rc.out"

	expect_rc 0 "$chip: bfctl fw reset through the shim" shim "$chip" "$BFCTL" fw reset $DEV -y
	expect_rc 0 "$chip: bfctl burns through the shim" shim "$chip" "$BFCTL" fw burn $DEV "$TMP/b-$chip.bin" -y
	ok "$chip: its burn reports its accesses and its virtual time" reported
	expect_rc 0 "$chip: mstflint q through bfsim after it" pcirun "$ST" "$chip" mstflint -d $DEV q
	ok "$chip: bfctl's image pending, mstflint's running after the reset" - <<CHECK
grep -qE '^FW Version: +$maj\.43\.3004\$' "$TMP/rc.out" && grep -qE '^FW Version\(Running\): +$maj\.43\.2002\$' "$TMP/rc.out"
CHECK
done
done_testing
