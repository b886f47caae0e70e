#!/bin/bash
# pcie.sh - PCIe discovery and the BAR0 mapping against a sysfs tree made
# by the test ($BFCTL_SYSFS): which functions are RShim devices, how a bare
# "pcie" resolves, register access through a mapped resource0 file.
. "$(dirname "$0")/lib.sh"

S="$TMP/sys"
dev() {  # dev BDF VENDOR DEVICE
	mkdir -p "$S/bus/pci/devices/$1"
	echo "$2" > "$S/bus/pci/devices/$1/vendor"
	echo "$3" > "$S/bus/pci/devices/$1/device"
}
dev 0000:03:00.0 0x15b3 0xa2dc     # the BF3 NIC function: not RShim
dev 0000:03:00.2 0x15b3 0xc2d4     # BF3 RShim PF
dev 0000:04:00.0 0x8086 0xc2d4     # another vendor
export BFCTL_SYSFS="$S"

expect_rc 0 "list" "$BFCTL" list
ok "list shows the BF3 RShim function" grep -qE '^pcie:0000:03:00.2 +BlueField-3 +pcie' "$TMP/rc.out"
ok "list ignores the NIC function and other vendors" not grep -q '03:00.0\|04:00.0' "$TMP/rc.out"

truncate -s 8M "$S/bus/pci/devices/0000:03:00.2/resource0"
expect_rc 0 "reg write through the mapped BAR0 (bare 'pcie' = the only one)" \
	"$BFCTL" reg -r pcie write 0x13000c68 0x1122334455667788
expect_rc 0 "reg read back" "$BFCTL" reg -r pcie:0000:03:00.2 read 0x13000c68
ok "the value went to BAR0 offset 0xc68 and reads back" grep -q '\[0x13000c68\] -> 0x1122334455667788' "$TMP/rc.out"
ok "bytes at BAR0 + 0xc68, little-endian" - <<'CHECK'
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.exit(0 if d[0xc68:0xc70]==bytes.fromhex("8877665544332211") else 1)' \
	"$S/bus/pci/devices/0000:03:00.2/resource0"
CHECK
expect_rc 2 "an address outside the BAR is refused" "$BFCTL" reg -r pcie read 0x15000000

dev 0000:05:00.2 0x15b3 0xc2d3     # a BF2 as well
expect_rc 4 "bare 'pcie' with two devices is ambiguous" "$BFCTL" reg -r pcie read 0x10c28
ok "the error lists both" grep -q 'several RShim PCIe functions (pcie:0000:03:00.2, pcie:0000:05:00.2)' "$TMP/rc.err"
expect_rc 4 "a missing device" "$BFCTL" reg -r pcie:0000:09:00.2 read 0x10c28

done_testing
