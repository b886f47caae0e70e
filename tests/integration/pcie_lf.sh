#!/bin/bash
# pcie_lf.sh - the livefish backend through the kernel: `bfsim run
# --transport pci` serves the simulated function's sysfs tree over FUSE,
# bind-mounted over /sys/bus/pci/devices in COMMAND's mount namespace, and
# bfctl reaches its registers with pread/pwrite on .../config through the
# config-space gateway, as on hardware. The install tests of install.sh
# run over pcie-lf and must log what they log over sim:0.
#
# Every config access is a FUSE round trip (a BF3 register ~20 of them),
# so the installs push small bundles: the size-0 recipe with a 5-byte
# kernel image (146 KB BF3, 72 KB BF2). The push rate is printed as a
# TAP comment.
. "$(dirname "$0")/lib.sh"

SPEED=${BFSIM_TEST_SPEED:-50}
CFG="$top_srcdir/bfcfg/examples/demo.cfg"
BDF=0000:04:00.0

# --- discovery and naming on a sysfs tree made here ($BFCTL_SYSFS) ---------
S="$TMP/sys"
fn() {  # fn BDF VENDOR DEVICE -- a function, its ids in sysfs (no config file)
	mkdir -p "$S/bus/pci/devices/$1"
	echo "$2" > "$S/bus/pci/devices/$1/vendor"
	echo "$3" > "$S/bus/pci/devices/$1/device"
}
fn 0000:03:00.0 0x15b3 0xa2dc     # a BF3 NIC function: not RShim
fn 0000:04:00.0 0x15b3 0x021c     # BF3 livefish
fn 0000:05:00.2 0x15b3 0xc2d3     # BF2 RShim PF
expect_rc 0 "list on a made-up sysfs" env BFCTL_SYSFS="$S" "$BFCTL" list
grep -qE '^pcie-lf:0000:04:00.0 +BlueField-3 +pcie-lf' "$TMP/rc.out" &&
	grep -qE '^pcie:0000:05:00.2 +BlueField-2 +pcie ' "$TMP/rc.out" && ! grep -q '03:00.0' "$TMP/rc.out"
ok "list: the livefish function as pcie-lf, the PF as pcie, not the NIC function; unopenable ones as not accessible" grep -qE '^pcie-lf:0000:04:00.0 .* not accessible$' "$TMP/rc.out"
fn 0000:06:00.0 0x15b3 0x0214     # BF2 livefish
expect_rc 4 "bare pcie-lf with two livefish functions is ambiguous" \
	env BFCTL_SYSFS="$S" "$BFCTL" reg -r pcie-lf read 0x10c28
ok "the error lists both" grep -q 'several livefish PCIe functions (pcie-lf:0000:04:00.0, pcie-lf:0000:06:00.0): name one' "$TMP/rc.err"
expect_rc 4 "pcie-lf: a function that is not livefish" env BFCTL_SYSFS="$S" "$BFCTL" reg -r pcie-lf:0000:05:00.2 read 0x10c28
ok "the error says what it is not" grep -q 'is not a BlueField livefish function' "$TMP/rc.err"
fn 0000:07:00.0 0x15b3 0x0211     # BF1 livefish: TRIO gateway, not supported
expect_rc 4 "a BlueField-1 livefish function is refused" env BFCTL_SYSFS="$S" "$BFCTL" reg -r pcie-lf:0000:07:00.0 read 0x10c28
ok "the error says BlueField-1 livefish is not supported" grep -q 'BlueField-1 livefish function (TRIO CR gateway) is not supported' "$TMP/rc.err"
head -c 4096 /dev/zero > "$S/bus/pci/devices/0000:06:00.0/config"
expect_rc 4 "a config space that does not answer with the sysfs ids" \
	env BFCTL_SYSFS="$S" "$BFCTL" reg -r pcie-lf:0000:06:00.0 read 0x10c28
ok "the error says the config space does not answer" grep -q 'the config space does not answer' "$TMP/rc.err"

# --- the simulated function over FUSE ---------------------------------------
why=""
if [ ! -c /dev/fuse ]; then
	why="no /dev/fuse"
elif [ "$(id -u)" != 0 ]; then
	why="needs root (FUSE mount and a private mount namespace)"
elif ! unshare -m true 2>/dev/null; then
	why="no mount namespaces here"
elif [ ! -d /sys/bus/pci/devices ]; then
	why="no /sys/bus/pci/devices to mount over"
elif ! "$BFSIM" run --transport pci -- true >"$TMP/probe.out" 2>&1; then
	why="bfsim cannot serve PCI here: $(tail -1 "$TMP/probe.out")"
fi
if [ -n "$why" ]; then
	skip "pcie-lf over bfsim --transport pci" "$why"
	done_testing
	exit
fi

lf() {  # lf CHIP [bfsim run options] -- COMMAND...: COMMAND with the function served
	local chip=$1
	shift
	"$BFSIM" run --chip "$chip" --speed "$SPEED" --transport pci "$@"
}

loglines() {  # loglines FILE -- the device's log lines of a bfctl run
	grep -E '^ (INFO|WARN|ERR)\[' "$1"
}

jsonlines() {  # jsonlines FILE -- the log lines of a --json run, and the last push rate
	python3 - "$1" <<'PY'
import json, sys
rate = None
for l in open(sys.argv[1]):
    if not l.strip():
        continue
    e = json.loads(l)
    if e["event"] == "log":
        print(e["line"])
    elif e["event"] == "push" and e.get("done"):
        rate = e.get("rate_bps")
if rate is not None:
    print("RATE %d" % rate)
PY
}


for chip in bf3 bf2; do
	ok "$chip: a small bundle for the livefish installs" - <<'CHECK'
"$BFSIM" bundle -o "$TMP/full0-$chip.bfb" --chip "$chip" --size 0 >/dev/null &&
	"$BFCTL" bfb pack -o "$TMP/small-$chip.bfb" --from "$TMP/full0-$chip.bfb" image==Image >/dev/null
CHECK
done

# --- the function in sysfs, discovery, registers ---------------------------
for chip in bf3 bf2; do
	devid=0x021c
	[ "$chip" = bf2 ] && devid=0x0214
	expect_rc 0 "$chip: the simulated function's sysfs files" \
		lf "$chip" -- sh -c "cat /sys/bus/pci/devices/$BDF/vendor \
			/sys/bus/pci/devices/$BDF/device /sys/bus/pci/devices/$BDF/class; \
			stat -c %s /sys/bus/pci/devices/$BDF/config; \
			od -A n -t x1 -N 4 /sys/bus/pci/devices/$BDF/config"
	ok "$chip: $BDF: ids and class as sysfs prints them, a 4096-byte config space behind them" [ "$(tr -s ' \n' ' ' < "$TMP/rc.out")" = "0x15b3 $devid 0x020000 4096 b3 15 ${devid:4:2} ${devid:2:2} " ]
	expect_rc 0 "$chip: config space bounds and read-only header bytes" lf "$chip" -- python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
assert os.pread(fd, 16, 4096) == b"", "read past the end"
assert len(os.pread(fd, 64, 4090)) == 6, "read across the end is cut"
assert os.pread(fd, 1, 2) == bytes([int(sys.argv[2][4:6], 16)]), "a 1-byte read"
assert os.pwrite(fd, b"\xff\xff", 0) == 2 and os.pread(fd, 2, 0) == b"\xb3\x15", "vendor is read-only"
assert os.pwrite(fd, b"x", 4096) == 0, "nothing written past the end"
' "/sys/bus/pci/devices/$BDF/config" "$devid"
	ok "$chip: COMMAND sees the simulated functions under /sys/bus/pci/devices, none of this host's" - <<'CHECK'
lf "$chip" -- ls /sys/bus/pci/devices > "$TMP/inside" && grep -qx "$BDF" "$TMP/inside" &&
	! ls /sys/bus/pci/devices | grep -qxF -f "$TMP/inside"
CHECK

	expect_rc 0 "$chip: bfctl list under --transport pci" lf "$chip" -- "$BFCTL" list
	mode='-'
	[ "$chip" = bf3 ] && mode=DPU
	ok "$chip: list shows pcie-lf:$BDF with its chip and mode ($mode)" grep -qE "^pcie-lf:$BDF +BlueField-${chip#bf} +pcie-lf +pcie-lf-$BDF +$mode " "$TMP/rc.out"
	ok "$chip: list does not offer sim:0 when the device is served over PCI" not grep -q '^sim:0' "$TMP/rc.out"

	sp6=0x13000c68
	[ "$chip" = bf2 ] && sp6=0x10c48
	expect_rc 0 "$chip: reg write and read back through the gateway (bare pcie-lf, then by BDF)" \
		lf "$chip" -- sh -c "'$BFCTL' reg -r pcie-lf write $sp6 0x1122334455667788 && \
			'$BFCTL' reg -r pcie-lf:$BDF read $sp6 && '$BFCTL' reg -r pcie-lf read $sp6.32"
	a=$(printf '0x%08x' "$sp6")
	ok "$chip: all 64 bits went through (BF2 byte access widget / BF3 GW_CR_64B)" - <<'CHECK'
grep -q "^\[$a\] -> 0x1122334455667788$" "$TMP/rc.out" && grep -q "^\[$a\] -> 0x55667788$" "$TMP/rc.out"
CHECK
done
expect_rc 4 "a BDF that is not there" lf bf3 -- "$BFCTL" reg -r pcie-lf:0000:09:00.0 read 0x13000c48
ok "the error names the missing device" grep -q 'no PCI device 0000:09:00.0' "$TMP/rc.err"
expect_rc 4 "pcie: the livefish function is not a BAR0 function" lf bf3 -- "$BFCTL" reg -r pcie read 0x13000c48
ok "bare pcie says there is none" grep -q 'no RShim PCIe function found' "$TMP/rc.err"

# --- install: the same log as over sim:0 -----------------------------------
for chip in bf3 bf2; do
	b="$TMP/small-$chip.bfb"
	ok "$chip: reference install over sim:0" - <<'CHECK'
"$BFSIM" run --chip "$chip" --state "$TMP/ref-$chip" --speed "$SPEED" -- \
	"$BFCTL" install --json -r sim:0 -b "$b" -c "$CFG" --timeout 120 > "$TMP/ref-$chip.jsonl"
CHECK
	expect_rc 0 "$chip: install over pcie-lf with bf.cfg succeeds" \
		lf "$chip" --state "$TMP/lf-$chip" -- "$BFCTL" install --json -r pcie-lf -b "$b" -c "$CFG" --timeout 120
	cp "$TMP/rc.out" "$TMP/lf-$chip.jsonl"
	jsonlines "$TMP/ref-$chip.jsonl" | grep -v '^RATE' > "$TMP/ref-$chip.log"
	jsonlines "$TMP/lf-$chip.jsonl" > "$TMP/lf-$chip.all"
	grep -v '^RATE' "$TMP/lf-$chip.all" > "$TMP/lf-$chip.log"
	ok "$chip: the same log lines as over sim:0 ($(wc -l < "$TMP/lf-$chip.log") lines)" - <<'CHECK'
[ -s "$TMP/lf-$chip.log" ] && diff "$TMP/ref-$chip.log" "$TMP/lf-$chip.log" > "$TMP/diff-$chip" 2>&1
CHECK
	[ -s "$TMP/diff-$chip" ] && sed 's/^/# /' "$TMP/diff-$chip" | head -20
	ok "$chip: the live status ends with DPU is ready" grep -q 'DPU is ready' "$TMP/lf-$chip.log"
	ok "$chip: --json events: verify, push before DPU is ready, result ok" - <<'CHECK'
python3 - "$TMP/lf-$chip.jsonl" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kinds = [e["event"] for e in ev]
assert kinds[0] == "verify" and "push" in kinds, kinds[:3]
assert kinds.index("push") < max(i for i, e in enumerate(ev) if e["event"] == "log" and "DPU is ready" in e["text"])
assert kinds[-1] == "result" and ev[-1]["ok"] is True and ev[-1]["exit_code"] == 0, ev[-1]
PY
CHECK
	"$BFSIM" status --state "$TMP/lf-$chip" --json > "$TMP/status-$chip.json"
	ok "$chip: the OS is recorded as installed, the boot FIFO never overrun" - <<'CHECK'
[ "$(json_field "$TMP/status-$chip.json" installed.os.version 2>/dev/null)" = "22.04" ] &&
	[ "$(json_field "$TMP/status-$chip.json" counters.overflow_bytes)" = "0" ]
CHECK
	echo "# pcie-lf $chip push: $(sed -n 's/^RATE //p' "$TMP/lf-$chip.all") bytes/s over FUSE config accesses"
done

# --- bf.cfg gates on the installed BF3: same log as sim:0 on the same state --
printf 'UPDATE_DPU_OS="no"\nWITH_NIC_FW_UPDATE=no\n' > "$TMP/no-os.cfg"
cp -a "$TMP/lf-bf3" "$TMP/lf-bf3-ref"
"$BFSIM" run --state "$TMP/lf-bf3-ref" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$TMP/small-bf3.bfb" -c "$TMP/no-os.cfg" --timeout 120 > "$TMP/gate-ref.out" 2>&1
expect_rc 0 "UPDATE_DPU_OS=no, WITH_NIC_FW_UPDATE=no over pcie-lf: the install completes" \
	lf bf3 --state "$TMP/lf-bf3" -- "$BFCTL" install -r pcie-lf -b "$TMP/small-bf3.bfb" -c "$TMP/no-os.cfg" --timeout 120
ok "gates: neither the OS nor the NIC firmware touched, the installed OS boots" - <<'CHECK'
! grep -q 'Installing OS image\|Updating NIC firmware' "$TMP/rc.out" && grep -q 'DPU is ready' "$TMP/rc.out"
CHECK
ok "gates: the same log lines as over sim:0" - <<'CHECK'
diff <(loglines "$TMP/gate-ref.out") <(loglines "$TMP/rc.out") >/dev/null
CHECK

# --- refusals, deadlines, the device's errors, faults -----------------------
cp "$TMP/small-bf2.bfb" "$TMP/bad.bfb"
printf '\xff' | dd of="$TMP/bad.bfb" bs=1 seek=100 conv=notrunc status=none
expect_rc 3 "corrupt BFB over pcie-lf: exit 3, nothing pushed" \
	lf bf2 --state "$TMP/st-bad" -- "$BFCTL" install -r pcie-lf -b "$TMP/bad.bfb"
ok "corrupt BFB: the device received 0 bytes" [ "$(json_field <("$BFSIM" status --state "$TMP/st-bad" --json) counters.boot_bytes 2>/dev/null || echo 0)" = "0" ]

start=$(date +%s)
expect_rc 7 "FIFO stall over pcie-lf: exit 7 (deadline)" \
	lf bf2 --fault stall-after=32768 -- "$BFCTL" install -r pcie-lf -b "$TMP/small-bf2.bfb" --timeout 3
elapsed=$(( $(date +%s) - start ))
ok "FIFO stall: ended within the deadline (${elapsed}s for --timeout 3), naming what it waited for" - <<'CHECK'
[ "$elapsed" -le 12 ] && grep -qi 'deadline\|no progress' "$TMP/rc.err"
CHECK

"$BFSIM" run --chip bf2 --speed "$SPEED" --fault corrupt-stream=40000 -- \
	"$BFCTL" install -r sim:0 -b "$TMP/small-bf2.bfb" --timeout 60 > "$TMP/crit-ref.out" 2>&1
expect_rc 6 "a byte damaged in transit over pcie-lf: CRITICAL ERROR, exit 6" \
	lf bf2 --fault corrupt-stream=40000 -- "$BFCTL" install -r pcie-lf -b "$TMP/small-bf2.bfb" --timeout 60
# The same error lines. Which other lines make it before the install stops
# depends on timing: the CRC error is logged when the damaged image
# arrives, UEFI's eMMC lines at fixed simulated times, and a push over
# config space is slower in simulated time than one over sim:0.
ok "exit 6 names the device's error line; the same error lines as over sim:0" - <<'CHECK'
grep -q 'CRITICAL ERROR' "$TMP/rc.out" && grep -q 'the device reported' "$TMP/rc.err" &&
	diff <(loglines "$TMP/crit-ref.out" | grep 'ERR\[') <(loglines "$TMP/rc.out" | grep 'ERR\[') >/dev/null
CHECK

for chip in bf3 bf2; do
	expect_rc 5 "$chip: the device unplugged mid-push over pcie-lf: exit 5" \
		lf "$chip" --fault unplug-after=40000 -- "$BFCTL" install -r pcie-lf -b "$TMP/small-$chip.bfb" --timeout 60
	# The host counts the words it saw confirmed: the one in flight when
	# the function vanished may or may not have landed.
	n=$(sed -n -e 's/.*boot stream write failed after \([0-9]*\) bytes.*/\1/p' \
		-e 's/.*(\([0-9]*\) bytes pushed).*/\1/p' "$TMP/rc.err")
	ok "$chip: exit 5 says how far the push got (${n:-?} of 40000 bytes) and that the device is gone" - <<'CHECK'
[ -n "$n" ] && [ "$n" -ge 39992 ] && [ "$n" -le 40000 ] && grep -q 'No such device' "$TMP/rc.err"
CHECK
done

expect_rc 0 "garbage records in the log ring over pcie-lf: the install still completes" \
	lf bf2 --fault corrupt-log -- "$BFCTL" install -v -r pcie-lf -b "$TMP/small-bf2.bfb" --timeout 60
ok "the skipped records are counted (-v)" grep -qE 'info: pcie-lf: [1-9][0-9]* malformed log records skipped' "$TMP/rc.err"

# --- log, reset, console on the installed device ------------------------------
expect_rc 0 "log, reset and console over pcie-lf" \
	lf bf3 --state "$TMP/lf-bf3" -- sh -c "'$BFCTL' log -r pcie-lf && '$BFCTL' reset -r pcie-lf && \
		printf 'echo-this-line\n' | '$BFCTL' console -r pcie-lf --timeout 1"
ok "console: the DPU's login prompt, and what was typed echoed back" - <<'CHECK'
grep -q 'login:' "$TMP/rc.out" && grep -q 'echo-this-line' "$TMP/rc.out"
CHECK

done_testing
