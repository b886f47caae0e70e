#!/bin/bash
# rshimd_pcie.sh - rshimd on a PCIe RShim function (the pcie backend, BAR0
# mapped from resource0) in a sysfs tree made by the test ($BFCTL_SYSFS,
# as pcie.sh; bfsim serves no RShim PF, whose BAR cannot be mapped from
# FUSE), and the misc DEV_NAME write: the function moved to another
# function number of the same device is taken again under the same files.
. "$(dirname "$0")/lib.sh"
if ! have_root_fuse; then
	skip "rshimd on pcie" "needs root and FUSE (/dev/fuse, fusermount3)"
	done_testing
	exit
fi

RSHIMD="$top_builddir/src/rshimd/rshimd"
BFREG="$top_srcdir/tests/integration/bfreg.py"
S="$TMP/sys"
P="$S/bus/pci/devices"
D="$TMP/dev/rshim0"
export BFCTL_SYSFS="$S"
unset BFCTL_RSHIM
mkdir -p "$P/0000:03:00.2"
echo 0x15b3 > "$P/0000:03:00.2/vendor"
echo 0xc2d4 > "$P/0000:03:00.2/device"     # BF3 RShim PF
truncate -s 8M "$P/0000:03:00.2/resource0"
: > "$TMP/none.conf"
stop() { stop_pidfile "$TMP/pid"; }
trap 'stop; [ "$T_FAILED" = 0 ] || sed "s/^/# rshimd: /" "$TMP/log"; rm -rf "$TMP"' EXIT
# The "chip" answers: FABRIC_DIM (RShim channel 0x110) is not 0.
expect_rc 0 "FABRIC_DIM set in the BAR" "$BFCTL" reg -r pcie:0000:03:00.2 write 0x13000110 0x0000000300000033
bar_word() {  # bar_word BDF OFFSET -- the 64-bit word in resource0, hex
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); o=int(sys.argv[2],0); print("0x%016x" % int.from_bytes(d[o:o+8],"little"))' \
		"$P/$1/resource0" "$2"
}

mkdir -p "$TMP/dev"
expect_rc 0 "rshimd on pcie:0000:03:00.2 starts" \
	"$RSHIMD" --root "$TMP/dev" -d pcie:0000:03:00.2 -n --config "$TMP/none.conf" --pid-file "$TMP/pid" \
	--log-file "$TMP/log" -l 4
ok "misc shows DEV_NAME pcie-0000:03:00.2" grep -qx 'DEV_NAME        pcie-0000:03:00.2' "$D/misc"
ok "a register written through the rshim file lands in BAR0" - <<'CHECK'
python3 "$BFREG" "$D" 0x13000c68.64 0x5151 > /dev/null && [ "$(bar_word 0000:03:00.2 0xc68)" = 0x0000000000005151 ]
CHECK

# The function moves: .2 is gone, the RShim PF is .1 now.
mv "$P/0000:03:00.2" "$P/0000:03:00.1"
dev_name_write() {  # the errno, as Python names it, on stderr
	python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_WRONLY); os.write(fd, b"DEV_NAME\n")' "$D/misc"
}
expect_rc 0 "DEV_NAME written to misc" dev_name_write
ok "misc shows the new function, in the same rshim0" grep -qx 'DEV_NAME        pcie-0000:03:00.1' "$D/misc"
ok "the log has the refresh, old and new names" - <<'CHECK'
grep -q 'rshim0 starting device refresh (current: pcie:0000:03:00.2)' "$TMP/log" &&
	grep -q 'rshim0 device refresh success (new: pcie:0000:03:00.1)' "$TMP/log"
CHECK
ok "registers go to the new function's BAR0" - <<'CHECK'
python3 "$BFREG" "$D" 0x13000c68.64 0x6262 > /dev/null && [ "$(bar_word 0000:03:00.1 0xc68)" = 0x0000000000006262 ]
CHECK

# Nothing at that address any more: refused, the device stays as it was.
mv "$P/0000:03:00.1" "$TMP/away"
expect_rc 1 "DEV_NAME with no RShim function at 0000:03:00 fails" dev_name_write
ok "ENODEV, and the daemon keeps the device it had" - <<'CHECK'
grep -q "No such device" "$TMP/rc.err" && grep -qx 'DEV_NAME        pcie-0000:03:00.1' "$D/misc"
CHECK
ok "the log says the refresh failed" grep -q 'rshim0 failed to refresh the PCIe device pcie:0000:03:00.1' "$TMP/log"
done_testing
