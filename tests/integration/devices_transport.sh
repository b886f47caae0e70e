#!/bin/bash
# devices_transport.sh - bfsim run --devices 3 --transport usb,pci: three
# simulated BlueFields, each on USB (usb:1-4, usb:1-5, usb:1-6, one
# umockdev testbed) and on PCI (NIC 0000:03/05/07:00.x, livefish function
# 0000:04/06/08:00.0, one FUSE tree), each with its own state: bfctl list,
# an install into one over USB, a chip reset of one, rshimd taking all of
# them and bfb-install into one through it, an unplug fault on one,
# mstflint on each NIC.
. "$(dirname "$0")/lib.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
RSHIMD="$top_builddir/src/rshimd/rshimd"
SPEED=20   # as usb.sh: room for a loaded host

need_transport "--devices with --transport"

run3() {  # run3 STATE [BFSIM-OPTION...] -- COMMAND...: three devices on USB and PCI
	local st=$1
	shift
	timeout 300 "$BFSIM" run --devices 3 --state "$st" --speed "$SPEED" --transport usb,pci "$@"
}
status() {  # status STATE KEY.PATH -> the value in bfsim status --json, "none" if absent
	"$BFSIM" status --state "$1" --json | python3 -c 'import json,sys
d=json.loads(sys.stdin.readline())
for k in sys.argv[1].split("."):
    d=d.get(k) if isinstance(d, dict) else None
print("none" if d is None else d)' "$2"
}

# --- every device, on both buses, with its own name ------------------------------
expect_rc 0 "list --json with three devices on usb and pci" run3 "$TMP/list" -- "$BFCTL" list --json
ok "three USB devices and three livefish functions, each named once" - <<'CHECK'
python3 - "$TMP/rc.out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = sorted(e["name"] for e in ev if e["event"] == "device")
want = sorted(["usb:1-4", "usb:1-5", "usb:1-6",
               "pcie-lf:0000:04:00.0", "pcie-lf:0000:06:00.0", "pcie-lf:0000:08:00.0"])
sys.exit(0 if names == want else "got %s" % names)
PY
CHECK
expect_rc 0 "a register written over usb:1-5 reads back over device 1's livefish function only" \
	run3 "$TMP/reg" -- sh -c "'$BFCTL' reg -r usb:1-5 write 0x13000c68 0x5a5aa5a5 &&
		for d in 04 06 08; do '$BFCTL' reg -r pcie-lf:0000:\$d:00.0 read 0x13000c68; done"
ok "one value, on 0000:06:00.0, and 0 on the others" - <<'CHECK'
[ "$(grep -c '\[0x13000c68\] -> 0x000000005a5aa5a5' "$TMP/rc.out")" = 1 ] &&
	[ "$(sed -n 3p "$TMP/rc.out")" = '[0x13000c68] -> 0x000000005a5aa5a5' ]
CHECK

# --- an install into device 1 over USB changes device 1 only -------------------
printf 'UPDATE_DPU_OS=yes\n' > "$TMP/os.cfg"
expect_rc 0 "install into usb:1-5 (real libusb, device 1)" \
	run3 "$TMP/inst" -- "$BFCTL" install -r usb:1-5 -b "$SAMPLE" -c "$TMP/os.cfg" --timeout 120
ok "bfsim status: device 1 (DIR/1) has the OS installed" test "$(status "$TMP/inst/1" installed.os.version)" = 22.04
ok "bfsim status: devices 0 and 2 have nothing installed and took no boot byte" - <<'CHECK'
for i in 0 2; do
	[ "$(status "$TMP/inst/$i" installed.os)" = none ] && [ "$(status "$TMP/inst/$i" counters.boot_bytes)" = 0 ] || exit 1
done
CHECK

# --- a chip reset of device 2 re-enumerates device 2 only ------------------------
# The device numbers in the testbed's sysfs before and after: device 2
# leaves the bus and comes back with a new one, the others keep theirs.
expect_rc 0 "reset usb:1-6; the others keep answering" run3 "$TMP/reset" -- bash -c '
	devnum() { cat "$UMOCKDEV_DIR/sys/bus/usb/devices/1-$1/devnum" 2>/dev/null || echo gone; }
	devnums() { echo "$(devnum 4) $(devnum 5) $(devnum 6)"; }
	devnums > "$0/before"
	"$1" reset -r usb:1-6 || exit 1
	for i in $(seq 300); do
		d=$(devnum 6)
		[ "$d" != gone ] && [ "$d" != "$(cut -d" " -f3 "$0/before")" ] && break
		sleep 0.1
	done
	devnums > "$0/after"
	"$1" reg -r usb:1-4 read 0x13000c68 && "$1" reg -r usb:1-5 read 0x13000c68 && "$1" reg -r usb:1-6 read 0x13000c68' \
	"$TMP" "$BFCTL"
sed 's/^/# before: /' "$TMP/before"; sed 's/^/# after: /' "$TMP/after"
ok "usb:1-4 and usb:1-5 kept their device numbers, usb:1-6 took a new one" - <<'CHECK'
read -r b0 b1 b2 < "$TMP/before"; read -r a0 a1 a2 < "$TMP/after"
[ "$b0 $b1" = "$a0 $a1" ] && [ "$a2" != gone ] && [ "$a2" != "$b2" ] && [ "$b2" != "$b0" ] && [ "$b2" != "$b1" ]
CHECK
ok "bfsim status: device 2 counted the reset, devices 0 and 1 none" - <<'CHECK'
[ "$(status "$TMP/reset/2" counters.resets)" = 1 ] && [ "$(status "$TMP/reset/0" counters.resets)" = 0 ] &&
	[ "$(status "$TMP/reset/1" counters.resets)" = 0 ]
CHECK

# --- rshimd with no device named takes all six; bfb-install into one -------------
host_lock bfb-install-log   # its /tmp/bfb-install-rshimN.log
# bfb-install (the upstream command line) through the rshimd directory of
# usb:1-6: device 2 gets the OS, the others nothing.
mkdir -p "$TMP/rroot"
: > "$TMP/none.conf"
expect_rc 0 "rshimd takes every device of the run; bfb-install into usb:1-6 through it" \
	run3 "$TMP/rshimd" -- bash -c '
	"$1" --root "$0/rroot" -n --config "$0/none.conf" --pid-file "$0/rshimd.pid" --log-file "$0/rshimd.log" -l 4 || exit 1
	for i in $(seq 300); do [ -e "$0/rroot/rshim5/misc" ] && break; sleep 0.1; done
	for i in 0 1 2 3 4 5; do sed -n "s/^DEV_NAME  *//p" "$0/rroot/rshim$i/misc"; done > "$0/rshimd.names"
	dev=$(grep -l "^DEV_NAME  *usb-1-6\$" "$0"/rroot/rshim*/misc | head -1)
	"$2" -b "$3" -c "$0/os.cfg" -r "${dev%/misc}" > "$0/bfbi.out" 2>&1; echo "rc $?" > "$0/bfbi.rc"
	kill "$(cat "$0/rshimd.pid")"
	for i in $(seq 100); do kill -0 "$(cat "$0/rshimd.pid")" 2>/dev/null || exit 0; sleep 0.1; done; exit 1' \
	"$TMP" "$RSHIMD" "$top_builddir/src/bfbinstall/bfb-install" "$SAMPLE"
sed 's/^/# rshimd: /' "$TMP/rshimd.log" 2>/dev/null | tail -5
ok "rshim0..rshim5 are the three USB devices and the three livefish functions" - <<'CHECK'
[ "$(sort "$TMP/rshimd.names" | tr '\n' ' ')" = \
  "pcie-lf-0000:04:00.0 pcie-lf-0000:06:00.0 pcie-lf-0000:08:00.0 usb-1-4 usb-1-5 usb-1-6 " ]
CHECK
sed 's/^/# bfb-install: /' "$TMP/bfbi.out" 2>/dev/null | tail -3
# It stops at the first of Rebooting..., Linux up or DPU is ready (bfb-install(1)).
ok "bfb-install into usb:1-6 exits 0 once the installer is done" - <<'CHECK'
grep -qx 'rc 0' "$TMP/bfbi.rc" && grep -Eq 'INFO\[MISC\]: (Rebooting\.\.\.|Linux up|DPU is ready)' "$TMP/bfbi.out"
CHECK
ok "bfsim status: device 2 has the OS, devices 0 and 1 nothing" - <<'CHECK'
[ "$(status "$TMP/rshimd/2" installed.os.version)" = 22.04 ] && [ "$(status "$TMP/rshimd/0" installed.os)" = none ] &&
	[ "$(status "$TMP/rshimd/1" installed.os)" = none ]
CHECK

# --- an unplug fault on device 1 leaves devices 0 and 2 working -------------------
expect_rc 0 "unplug-after on device 1 only: its push fails, the others answer" \
	run3 "$TMP/unplug" --fault 1:unplug-after=1000000 -- bash -c '
	"$1" install -r usb:1-5 -b "$2" -c "$0/os.cfg" --timeout 60 > "$0/unplug.out" 2>&1; echo "rc $?" > "$0/unplug.rc"
	"$1" list > "$0/unplug.list" &&
	"$1" reg -r usb:1-4 write 0x13000c68 0x1234 && "$1" reg -r usb:1-4 read 0x13000c68 &&
	"$1" reg -r usb:1-6 write 0x13000c68 0x5678 && "$1" reg -r usb:1-6 read 0x13000c68' \
	"$TMP" "$BFCTL" "$SAMPLE"
sed 's/^/# install: /' "$TMP/unplug.out" | tail -3
ok "the install into usb:1-5 ends with exit 5 (push failed)" grep -qx 'rc 5' "$TMP/unplug.rc"
ok "usb:1-4 and usb:1-6 still take and return a register" - <<'CHECK'
grep -q '\[0x13000c68\] -> 0x0000000000001234' "$TMP/rc.out" && grep -q '\[0x13000c68\] -> 0x0000000000005678' "$TMP/rc.out"
CHECK
ok "list after the unplug: usb:1-4 and usb:1-6, no usb:1-5" - <<'CHECK'
grep -q '^usb:1-4 ' "$TMP/unplug.list" && grep -q '^usb:1-6 ' "$TMP/unplug.list" && ! grep -q '^usb:1-5 ' "$TMP/unplug.list"
CHECK
ok "bfsim status: device 1 took bytes until the unplug, devices 0 and 2 none" - <<'CHECK'
[ "$(status "$TMP/unplug/1" counters.boot_bytes)" -gt 0 ] && [ "$(status "$TMP/unplug/0" counters.boot_bytes)" = 0 ] &&
	[ "$(status "$TMP/unplug/2" counters.boot_bytes)" = 0 ]
CHECK

# --- mstflint (the upstream tool) on each device's NIC ------------------------------
if command -v mstflint >/dev/null; then
	# mstflint's lock files live in /tmp/mstflint_lockfiles, shared with
	# whatever else on the host runs it: the run gets its own.
	expect_rc 0 "mstflint q on 0000:03:00.0, 0000:05:00.0 and 0000:07:00.0" \
		timeout 300 "$BFSIM" run --devices 3 --state "$TMP/mst" --speed "$SPEED" --transport pci -- sh -c '
		mkdir -p /tmp/mstflint_lockfiles && mount -t tmpfs bfsim /tmp/mstflint_lockfiles || exit 1
		for b in 03 05 07; do mstflint -d 0000:$b:00.0 q || exit 1; done'
	ok "each answers with a firmware version and a PSID" - <<'CHECK'
[ "$(grep -c '^FW Version:' "$TMP/rc.out")" = 3 ] && [ "$(grep -c '^PSID:' "$TMP/rc.out")" = 3 ]
CHECK
else
	skip "mstflint on each NIC" "no mstflint here"
fi
done_testing
