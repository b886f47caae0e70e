#!/bin/bash
# inputs.sh - mistakes in what the user gives are answered, not ignored:
# a --param the manifest does not use, a misaligned register address; a
# device name that does not open leaves no lock file; a user who may not
# write the lock directory is told about BFCTL_RUNDIR; unplug-after=N with
# N not a multiple of 8 unplugs.
. "$(dirname "$0")/lib.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
M="$top_srcdir/bfb/full-bf3.yaml"

expect_rc 3 "pack --param size_mb=256 (the manifest has size_mib): refused" \
	"$BFCTL" bfb pack -o "$TMP/p.bfb" --manifest "$M" --param size_mb=256
check "the refusal names the parameter" grep -q -- '--param size_mb: the manifest uses no parameter of that name' "$TMP/rc.err"
check "nothing written" test ! -e "$TMP/p.bfb"
expect_rc 0 "pack --param size_mib=1: accepted" "$BFCTL" bfb pack -o "$TMP/p.bfb" --manifest "$M" --param size_mib=1

expect_rc 2 "reg read of a misaligned address: usage error" "$BFSIM" run -- "$BFCTL" reg -r sim:0 read 0x13000c4c
check "it says why" grep -q 'not 8-byte aligned' "$TMP/rc.err"
expect_rc 2 "reg write to a misaligned address: usage error" "$BFSIM" run -- "$BFCTL" reg -r sim:0 write 0x13000c41 1

export BFCTL_RUNDIR="$TMP/run"
for d in usb:9-9 pcie:0000:77:00.2 pcie-lf:0000:78:00.0; do
	expect_rc 4 "$d does not open" "$BFCTL" reg -r "$d" read 0x13000c48
done
check "no lock file is left per name tried" sh -c "[ -z \"\$(ls -A '$TMP/run' 2>/dev/null)\" ]"
expect_rc 0 "a device that opens still locks and works" "$BFSIM" run --state "$TMP/st" -- "$BFCTL" reg -r sim:0 read 0x13000c48

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$TMP/rootrun" && chmod 755 "$TMP/rootrun" && chmod o+x "$TMP"
	expect_rc 4 "a user who may not write the lock directory" env BFCTL_RUNDIR="$TMP/rootrun" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$BFCTL" reg -r usb:9-9 read 0x13000c48
	check "is told to set BFCTL_RUNDIR" grep -q 'set BFCTL_RUNDIR' "$TMP/rc.err"
else
	skip "a user who may not write the lock directory" "needs root and setpriv"
	skip "is told to set BFCTL_RUNDIR" "as above"
fi
unset BFCTL_RUNDIR

expect_rc 5 "--fault unplug-after=100001 (not a multiple of 8): the push fails as unplugged (5, not a stall)" \
	"$BFSIM" run --fault unplug-after=100001 -- "$BFCTL" install -r sim:0 -b "$SAMPLE" --timeout 30 --stall-timeout 10
check "the device vanished at the word holding that byte" grep -q 'after 100000 bytes: No such device' "$TMP/rc.err"
done_testing
