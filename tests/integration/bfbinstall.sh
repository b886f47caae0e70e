#!/bin/bash
# bfbinstall.sh - bfb-install against rshimd and bfsim: the upstream
# command line and output shape, the log file, the misc keys it sets and
# restores, a bf.cfg reaching the installer, and its refusals (validation,
# remote and unsupported forms, a damaged BFB, a stalled push), and -a 1
# (live patch) when the NIC refuses the reset.
if [ -z "${RSHIMD_TEST_INNER:-}" ]; then
	. "$(dirname "$0")/needs.sh"
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	if ! have_root_fuse; then
		echo "1..0 # SKIP bfb-install runs through rshimd: needs root and FUSE"
		exit 0
	fi
	export RSHIMD_TEST_INNER=1
	# The device behind bfsim's USB transport (libusb through umockdev), or
	# RSHIMD_TEST_TRANSPORT=sim: in-process sim:0.
	case "${RSHIMD_TEST_TRANSPORT:=sim}" in
	usb) set -- --transport usb ;;
	sim) set -- ;;
	*) echo "1..0 # SKIP unknown RSHIMD_TEST_TRANSPORT"; exit 0 ;;
	esac
	export RSHIMD_TEST_TRANSPORT
	exec "$top_builddir/src/sim/bfsim" run "$@" --speed "${BFSIM_TEST_SPEED:-50}" -- bash "$0"
fi
. "$(dirname "$0")/lib.sh"
# Every bfb-install run into rshim0 writes /tmp/bfb-install-rshim0.log.
host_lock bfb-install-log
DEVNAME=sim:0
DEVNAME_MISC=sim-0
[ "$RSHIMD_TEST_TRANSPORT" = usb ] && DEVNAME=usb:1-4 DEVNAME_MISC=usb-1-4

RSHIMD="$top_builddir/src/rshimd/rshimd"
BFBI="$top_builddir/src/bfbinstall/bfb-install"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
CFG="$top_srcdir/bfcfg/examples/demo.cfg"
export BFCTL_RSHIM_ROOT="$TMP/dev"
mkdir -p "$TMP/dev"   # --root must exist
D="$TMP/dev/rshim0"
PIDF="$TMP/rshimd.pid"
stop_daemon() { stop_pidfile "$PIDF"; }
# On a failure, the daemon's log goes into the TAP output.
trap 'stop_daemon; [ "$T_FAILED" = 0 ] || sed "s/^/# rshimd: /" "$TMP/rshimd.log" 2>/dev/null | tail -40; rm -rf "$TMP"' EXIT

# --- the command line, before any device is touched ------------------------
expect_rc 0 "-h prints the usage" "$BFBI" -h
check "-h says where it stops" grep -q 'It stops at the first of "Rebooting..."' "$TMP/rc.out"
ok "usage lists -b and -r" - <<'CHECK'
grep -q -- '-b, --bfb FILE' "$TMP/rc.out" && grep -q -- '-r, --rshim DEV' "$TMP/rc.out"
CHECK
expect_rc 0 "--version" "$BFBI" --version
check "--version prints the version" grep -q '^bfb-install (bfctl) [0-9]' "$TMP/rc.out"
expect_rc 1 "no bfb: exit 1" "$BFBI" -r rshim0
ok "no bfb: the upstream message" grep -qx 'Error: Need to provide either bfb or pldm file.' "$TMP/rc.out"
expect_rc 1 "no rshim: exit 1" "$BFBI" -b "$SAMPLE"
ok "no rshim: the upstream message" grep -qx 'Error: Need to provide rshim device name.' "$TMP/rc.out"
expect_rc 1 "missing bfb file: exit 1" "$BFBI" -b "$TMP/none.bfb" -r rshim0
ok "missing bfb: 'not found'" grep -qx "Error: $TMP/none.bfb not found." "$TMP/rc.out"
expect_rc 1 "two bfbs: exit 1" "$BFBI" -b "$SAMPLE" -b "$SAMPLE" -r rshim0
ok "two bfbs: the upstream message" grep -qx 'Error: More than one bfb image provided' "$TMP/rc.out"
expect_rc 1 "stray argument: exit 1" "$BFBI" -b "$SAMPLE" -r rshim0 extra
ok "stray argument: 'Unexpected arguments'" grep -q '^Unexpected arguments: extra' "$TMP/rc.err"
expect_rc 1 "bad option: exit 1" "$BFBI" --no-such-option
ok "bad option: 'Command line error'" grep -qx 'Command line error' "$TMP/rc.err"
expect_rc 1 "remote form answers not yet" "$BFBI" -b "$SAMPLE" -r 192.0.2.1:rshim0
ok "remote form: a clear 'not supported yet'" grep -q 'remote rshim (192.0.2.1:rshim0) is not supported by this bfb-install yet' "$TMP/rc.out"
expect_rc 1 "-p answers not yet" "$BFBI" -p "$SAMPLE" -r rshim0
ok "-p: a clear 'not supported yet'" grep -q 'PLDM images (-p) are not supported by this bfb-install yet' "$TMP/rc.out"
printf 'ubuntu_PASSWORD=plain-Secret1\n' > "$TMP/plain.cfg"
expect_rc 1 "a bf.cfg with a plaintext password is refused, as bfctl refuses it" "$BFBI" -b "$SAMPLE" -c "$TMP/plain.cfg" -r "$TMP"
check "plaintext bf.cfg: the hint, nothing pushed, the password not shown" sh -c \
	"grep -q 'bfctl cfg passwd' '$TMP/rc.out' '$TMP/rc.err' && ! grep -q Pushing '$TMP/rc.out' && ! grep -q plain-Secret1 '$TMP/rc.out' '$TMP/rc.err'"
expect_rc 1 "a directory without device files is refused" "$BFBI" -b "$SAMPLE" -r "$TMP"
ok "not a device: the upstream message" grep -qx "Error: $TMP is not a valid rshim device." "$TMP/rc.out"

# --- an install --------------------------------------------------------------
ok "rshimd is up" "$RSHIMD" --root "$TMP/dev" -d "$DEVNAME" -n --config "$TMP/none.conf" --pid-file "$PIDF" --log-file "$TMP/rshimd.log" -l 4
cp "$SAMPLE" "$TMP/bad.bfb"
printf '\xff' | dd of="$TMP/bad.bfb" bs=1 seek=100 conv=notrunc status=none
expect_rc 1 "a damaged BFB is refused before the device is touched" "$BFBI" -b "$TMP/bad.bfb" -r "$D"
ok "damaged BFB: says why, pushes nothing" - <<'CHECK'
grep -q "Error: $TMP/bad.bfb is not a valid BFB" "$TMP/rc.out" && ! grep -q Pushing "$TMP/rc.out"
CHECK

# Whatever is planted under the log's name is replaced, never written through.
echo precious > "$TMP/victim"
rm -f /tmp/bfb-install-rshim0.log && ln -s "$TMP/victim" /tmp/bfb-install-rshim0.log
expect_rc 0 "bfb-install -b BFB -c bf.cfg -r DIR completes" "$BFBI" -b "$SAMPLE" -c "$CFG" -r "$D"
cp "$TMP/rc.out" "$TMP/install.out"
ok "the upstream header lines" - <<'CHECK'
head -5 "$TMP/install.out" | tr '\n' '|' | grep -q "^Updating BlueField with local RSHIM|  BFB file: $SAMPLE|  Config File:: $CFG|  RSHIM Device Node: $D|Checking if local host has root access...|"
CHECK
ok "Pushing bfb + cfg, then Collecting BlueField booting status" - <<'CHECK'
grep -qx 'Pushing bfb + cfg' "$TMP/install.out" &&
	grep -qx 'Collecting BlueField booting status. Press Ctrl+C to stop…' "$TMP/install.out"
CHECK
ok "the log lines as misc shows them, up to DPU is ready" - <<'CHECK'
grep -q '^ INFO\[MISC\]: DPU is ready' "$TMP/install.out" && grep -q '^ INFO\[BL1\]' "$TMP/install.out"
CHECK
ok "each log line is printed once" [ "$(grep -c 'Linux up' "$TMP/install.out")" = 1 ]
ok "/tmp/bfb-install-rshim0.log starts with '# date' and has the log" - <<'CHECK'
head -1 /tmp/bfb-install-rshim0.log | grep -q '^# ' && grep -q 'DPU is ready' /tmp/bfb-install-rshim0.log
CHECK
check "a symlink planted as the log: its target untouched" grep -qx precious "$TMP/victim"
check "the log is a new regular file, 0600" sh -c \
	"[ ! -L /tmp/bfb-install-rshim0.log ] && [ \$(stat -c %a /tmp/bfb-install-rshim0.log) = 600 ]"
printf 'DISPLAY_LEVEL 1\n' > "$D/misc"
ok "CLEAR_ON_READ is back to 0 afterwards" grep -q '^CLEAR_ON_READ   0' "$D/misc"
# -a 1 alone: the live patch of pending NIC firmware, best effort as upstream.
if [ "$RSHIMD_TEST_TRANSPORT" = usb ]; then
	expect_rc 1 "-a 1 on a USB RShim: no path to the NIC (exit 1)" "$BFBI" -r "$D" -a 1
	ok "... the upstream message" grep -qx 'ERROR: Failed to activate LFWP, PCIe device not found.' "$TMP/rc.out"
else
	expect_rc 0 "-a 1 on a NIC without live patch: exit 0" "$BFBI" -r "$D" -a 1
	ok "... the upstream message" grep -qx 'Live Patch NIC Firmware reset not supported.' "$TMP/rc.out"
fi
printf 'DISPLAY_LEVEL 0\n' > "$D/misc"

expect_rc 1 "a BlueField-2 bundle on this BlueField-3 is refused" "$BFBI" -b "$top_builddir/bfb/sample-full-bf2.bfb" -r "$D"
check "wrong platform: both named, nothing pushed" sh -c \
	"grep -q 'is for BlueField-2 (its inventory: BF2_BSP.*the device is a BlueField-3' '$TMP/rc.out' && ! grep -q Pushing '$TMP/rc.out'"

stop_daemon
"$BFSIM" status --state "$BFSIM_STATE" --json > "$TMP/status.json"
ok "the bf.cfg reached the installer (password set) and the OS is recorded installed" python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); sys.exit(0 if d["password_set"] and d["installed"]["os"]["version"] else 1)' "$TMP/status.json"

# A stalled push: the device stops draining the boot FIFO; BOOT_TIMEOUT ends it.
# The fault is the simulator's: a second bfsim serves a copy of sim:0 with
# it; under the USB transport the fault would be bfsim run's, for the whole run.
if [ "$RSHIMD_TEST_TRANSPORT" != sim ]; then
	skip "a stalled push fails" "the stall fault is served to sim:0 by a second bfsim; bfsim run's faults hold for the whole run"
	skip "stalled push: the upstream error line, then BlueField Update Failed" "as above"
	done_testing
	exit
fi
# A copy of the device, served by a second bfsim with the fault.
cp -r "$BFSIM_STATE" "$TMP/st-stall"
"$BFSIM" serve --state "$TMP/st-stall" --speed "${BFSIM_TEST_SPEED:-50}" --fault stall-after=200000 \
	--socket "$TMP/stall.sock" > "$TMP/serve.out" 2>&1 & spid=$!
for i in $(seq 100); do [ -S "$TMP/stall.sock" ] && break; sleep 0.1; done
BFSIM_SOCKET="$TMP/stall.sock" "$RSHIMD" --root "$TMP/dev" -d "$DEVNAME" -n --config "$TMP/none.conf" --pid-file "$PIDF" --log-file "$TMP/rshimd.log" -l 4
printf 'BOOT_TIMEOUT 2\n' > "$D/misc"
expect_rc 1 "a stalled push fails" "$BFBI" -b "$SAMPLE" -r "$D"
ok "stalled push: the upstream error line, then BlueField Update Failed" - <<'CHECK'
grep -q '^Error: Failed to push boot stream via local rshim' "$TMP/rc.out" &&
	grep -qx 'BlueField Update Failed' "$TMP/rc.out"
CHECK
stop_daemon
kill "$spid"; wait "$spid"

# -a 1 when the NIC offers live patch but the reset fails: upstream prints
# the failure with mlxfwreset's words and goes on (best effort, exit 0).
cp -r "$BFSIM_STATE" "$TMP/st-lfwp"
"$BFSIM" serve --state "$TMP/st-lfwp" --speed "${BFSIM_TEST_SPEED:-50}" --nic-lfwp yes --fault lfwp-fail \
	--socket "$TMP/lfwp.sock" > "$TMP/serve.out" 2>&1 & spid=$!
for i in $(seq 100); do [ -S "$TMP/lfwp.sock" ] && break; sleep 0.1; done
BFSIM_SOCKET="$TMP/lfwp.sock" "$RSHIMD" --root "$TMP/dev" -d "$DEVNAME" -n --config "$TMP/none.conf" --pid-file "$PIDF" --log-file "$TMP/rshimd.log" -l 4
expect_rc 0 "-a 1, live patch offered but the reset fails: exit 0 (best effort, as upstream)" \
	env BFSIM_SOCKET="$TMP/lfwp.sock" "$BFBI" -r "$D" -a 1
ok "... supported, then upstream's failure line with the reason" - <<'CHECK'
grep -qx 'Live Patch NIC Firmware reset is supported.' "$TMP/rc.out" &&
grep -q '^ERROR: Live Patch NIC Firmware reset failed\. .*resource not available' "$TMP/rc.out" &&
! grep -q 'reset done' "$TMP/rc.out"
CHECK
stop_daemon
kill "$spid"; wait "$spid"
done_testing
