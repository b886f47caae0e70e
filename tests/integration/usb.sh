#!/bin/bash
# usb.sh - the USB backend, through the real libusb, against bfsim's USB
# device (`bfsim run --transport usb`: a umockdev testbed whose usbdevfs
# ioctls the simulator answers): discovery, registers by control
# transfers, installs on BF3 (credit-based boot FIFO) and BF2 (NAKs) with
# the same boot log as over sim:0, nothing lost in the FIFO, unplug
# mid-push.
. "$(dirname "$0")/lib.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
SAMPLE_BF2="$top_builddir/bfb/sample-full-bf2.bfb"
CFG="$top_srcdir/bfcfg/examples/demo.cfg"
SPEED=20

if ! unshare -m true 2>/dev/null; then
	skip "usb transport" "no mount namespaces here (needs root)"
	done_testing
	exit
fi
if ! ldconfig -p | grep -q 'libumockdev-preload\.so\.0'; then
	skip "usb transport" "libumockdev-preload.so.0 missing (Debian package libumockdev0)"
	done_testing
	exit
fi

boot_log() { grep -E '^ (INFO|WARN|ERR)\[' "$1"; }
usbrun() {  # usbrun CHIP STATE COMMAND...
	local chip=$1 st=$2
	shift 2
	timeout 300 "$BFSIM" run --chip "$chip" --state "$st" --speed "$SPEED" --transport usb -- "$@"
}

# --- discovery and registers -----------------------------------------------
expect_rc 0 "list under the usb transport" usbrun bf3 "$TMP/st-list" "$BFCTL" list
ok "list shows the BF3 at usb:1-4, in DPU mode, read over USB" grep -qE '^usb:1-4 +BlueField-3 +usb +usb-1-4 +DPU ' "$TMP/rc.out"
ok "list does not offer sim:0 when the device is served over USB" not grep -q '^sim:0' "$TMP/rc.out"
expect_rc 0 "list --json" usbrun bf3 "$TMP/st-list" "$BFCTL" list --json
ok "list --json: one device event, usb:1-4, bf3" - <<'CHECK'
python3 -c 'import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
d=[e for e in ev if e["event"]=="device"]
sys.exit(0 if len(d)==1 and d[0]["name"]=="usb:1-4" and d[0]["transport"]=="usb" and d[0]["chip"]=="bf3" else 1)' "$TMP/rc.out"
CHECK

expect_rc 0 "register write and read back over usb:1-4 (control transfers)" \
	usbrun bf3 "$TMP/st-reg" sh -c "'$BFCTL' reg -r usb:1-4 write 0x13000c68 0x1122334455667788 &&
		'$BFCTL' reg -r usb read 0x13000c68"
ok "the scratchpad value written over USB reads back" grep -q '\[0x13000c68\] -> 0x1122334455667788' "$TMP/rc.out"
expect_rc 4 "sim:0 is refused under --transport usb" usbrun bf3 "$TMP/st-reg" "$BFCTL" reg -r sim:0 read 0x13000c68
ok "the error names the transport to use" grep -q 'served over usb' "$TMP/rc.err"
expect_rc 4 "a port with no BlueField" usbrun bf3 "$TMP/st-reg" "$BFCTL" reg -r usb:1-9 read 0x13000c68
ok "the error names the port and says where to look" grep -q 'no BlueField on USB at usb:1-9' "$TMP/rc.err"
expect_rc 4 "bare 'usb' with no device on USB" "$BFCTL" reg -r usb read 0x13000c68
ok "the error says there is none" grep -q 'no BlueField on USB' "$TMP/rc.err"

# --- both transports: one device, two ways in ----------------------------------
if [ -e /dev/fuse ]; then
	expect_rc 0 "--transport usb,pci: list" \
		timeout 120 "$BFSIM" run --transport usb,pci -- "$BFCTL" list
	ok "--transport usb,pci: the device is listed on USB and as a PCIe livefish function" - <<'CHECK'
grep -q '^usb:1-4 ' "$TMP/rc.out" && grep -q '^pcie-lf:0000:04:00.0 ' "$TMP/rc.out"
CHECK
	expect_rc 0 "--transport usb,pci: write over usb, read over pcie-lf" \
		timeout 120 "$BFSIM" run --transport usb,pci -- sh -c \
		"'$BFCTL' reg -r usb write 0x13000c68 0x5a5aa5a5 && '$BFCTL' reg -r pcie-lf read 0x13000c68"
	ok "--transport usb,pci: what USB wrote, the config-space gateway reads: one device" grep -q '\[0x13000c68\] -> 0x000000005a5aa5a5' "$TMP/rc.out"
	# A reset over pcie-lf re-enumerates the USB device then, not at the
	# next USB request: a later open over USB finds it at its new address.
	expect_rc 0 "--transport usb,pci: after a reset over pcie-lf, the first open over usb works" \
		timeout 120 "$BFSIM" run --transport usb,pci --speed "$SPEED" -- sh -c \
		"'$BFCTL' reset -r pcie-lf && sleep 1 && '$BFCTL' reg -r usb:1-4 read 0x13000c68"
else
	skip "--transport usb,pci" "no /dev/fuse"
fi

# --- installs: the same boot log as over sim:0 -------------------------------
for chip in bf3 bf2; do
	bundle=$SAMPLE
	[ "$chip" = bf2 ] && bundle=$SAMPLE_BF2
	expect_rc 0 "$chip: reference install over sim:0" \
		"$BFSIM" run --chip "$chip" --state "$TMP/ref-$chip" --speed "$SPEED" -- \
		"$BFCTL" install -r sim:0 -b "$bundle" -c "$CFG" --timeout 120
	boot_log "$TMP/rc.out" > "$TMP/ref-$chip.log"
	expect_rc 0 "$chip: install over usb (real libusb, simulated device)" \
		usbrun "$chip" "$TMP/usb-$chip" "$BFCTL" install -r usb -b "$bundle" -c "$CFG" --timeout 120
	boot_log "$TMP/rc.out" > "$TMP/usb-$chip.log"
	ok "$chip: over usb the boot status ends with DPU is ready" grep -q 'DPU is ready' "$TMP/usb-$chip.log"
	diff -u "$TMP/ref-$chip.log" "$TMP/usb-$chip.log" | sed 's/^/# /'
	ok "$chip: the same boot log lines over usb as over sim:0" cmp -s "$TMP/ref-$chip.log" "$TMP/usb-$chip.log"
	"$BFSIM" status --state "$TMP/usb-$chip" --json > "$TMP/st-$chip.json"
	ok "$chip: no byte was sent into a full boot FIFO" [ "$(json_field "$TMP/st-$chip.json" counters.overflow_bytes)" = 0 ]
	ok "$chip: the whole bundle (and bf.cfg) reached the device" [ "$(json_field "$TMP/st-$chip.json" counters.boot_bytes)" -gt $(( $(stat -c %s "$bundle") )) ]
	ok "$chip: the OS from the bundle is installed" [ "$(json_field "$TMP/st-$chip.json" installed.os.version)" = "22.04" ]
done

# --- the console over the TM FIFO endpoints (interrupt IN, bulk IN/OUT) ------
printf 'echo-over-usb\n' > "$TMP/console.in"
expect_rc 0 "console over usb: a scripted session on the installed BF3" \
	usbrun bf3 "$TMP/usb-bf3" sh -c "'$BFCTL' console -r usb --timeout 1 < '$TMP/console.in'"
ok "console over usb: the login prompt, and what was typed echoed back" - <<'CHECK'
grep -q 'login:' "$TMP/rc.out" && grep -q 'echo-over-usb' "$TMP/rc.out"
CHECK

# --- a reset from the other side: the USB client finds the device again ------
# `bfctl log --follow` over USB while the chip is reset through the PCIe
# livefish function: the device leaves the bus and re-enumerates at the
# next address; the follower reconnects and shows the OS booting again.
# Without the reconnect the follower ends with ENODEV and shows nothing.
if [ -e /dev/fuse ]; then
	expect_rc 0 "a log follower over usb rides out a chip reset made over pcie-lf" \
		timeout 120 "$BFSIM" run --state "$TMP/usb-bf3" --speed "$SPEED" --transport usb,pci -- bash -c \
		"'$BFCTL' log -r usb --clear > /dev/null || exit 1;
		 '$BFCTL' log -r usb --follow -v > '$TMP/follow.out' 2> '$TMP/follow.err' & p=\$!; sleep 1;
		 '$BFCTL' reset -r pcie-lf || exit 1; sleep 4; kill -INT \$p; wait \$p"
	sed 's/^/# follow: /' "$TMP/follow.err"
	ok "the follower says the device left unasked and is back" - <<'CHECK'
grep -q 'left the bus unasked' "$TMP/follow.err" && grep -q 'the device is back' "$TMP/follow.err"
CHECK
	ok "after the reset (the log emptied before) it shows the OS booting again: Linux up, DPU is ready" - <<'CHECK'
grep -q 'Linux up' "$TMP/follow.out" && grep -q 'DPU is ready' "$TMP/follow.out"
CHECK
else
	skip "a reset from the other side" "no /dev/fuse"
fi

# --- a process COMMAND leaves behind with the device open ------------------
# bfsim ends with COMMAND's status and says so; the process sees the device
# unplugged (a clear error), and is not killed by the testbed going away.
expect_rc 0 "COMMAND exits while a console it started holds the device: bfsim exits 0" \
	timeout 60 "$BFSIM" run --state "$TMP/held" --speed "$SPEED" --transport usb -- \
	bash -c "( '$BFCTL' console -r usb < <(sleep 30) > '$TMP/held.out' 2>&1; echo \$? > '$TMP/held.rc' ) & sleep 2"
ok "bfsim warns that a process still had the device open" grep -q 'still had the simulated device open when the run ended: it is unplugged now' "$TMP/rc.err"
for i in $(seq 100); do [ -s "$TMP/held.rc" ] && break; sleep 0.1; done
ok "the left-behind console ends with exit 4 and says the device left" - <<'CHECK'
[ "$(cat "$TMP/held.rc" 2>/dev/null)" = 4 ] && grep -q 'console of usb.*the device left' "$TMP/held.out"
CHECK
sed 's/^/# held: /' "$TMP/held.out"

# --- unplug mid-push: the documented error, nothing left hanging -------------
expect_rc 5 "the device vanishes after 1 MB: push failed (exit 5)" \
	timeout 120 "$BFSIM" run --state "$TMP/unplug" --speed "$SPEED" --transport usb \
	--fault unplug-after=1000000 -- "$BFCTL" install -r usb -b "$SAMPLE" --timeout 60
ok "the error says the device disconnected during the push" grep -Eq 'usb.*(disconnected during the boot stream push|No such device)' "$TMP/rc.err"

done_testing
