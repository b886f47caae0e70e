#!/bin/bash
# rshimd.sh - rshimd against bfsim, driven the way operators and the
# upstream scripts drive the upstream daemon: cat a bundle into boot and
# read misc until the DPU is ready, the console echo, bf-reg's ioctl
# requests on rshim, misc keys, two owners refused, bfctl through the
# daemon's files, a restart while idle that loses nothing.
# The device is sim:0 inside `bfsim run` (RSHIMD_TEST_TRANSPORT=usb runs the
# same flows with the device behind bfsim's USB transport).
if [ -z "${RSHIMD_TEST_INNER:-}" ]; then
	. "$(dirname "$0")/needs.sh"
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	if ! have_root_fuse; then
		echo "1..0 # SKIP rshimd needs root and FUSE (/dev/fuse, fusermount3)"
		exit 0
	fi
	export RSHIMD_TEST_INNER=1
	# The device in-process (sim:0), or with RSHIMD_TEST_TRANSPORT=usb
	# behind bfsim's USB transport (libusb through umockdev; the *_usb.sh
	# wrappers).
	case "${RSHIMD_TEST_TRANSPORT:=sim}" in
	usb) set -- --transport usb --speed 20 ;;   # speed 20: as usb.sh, room for a loaded host
	sim) set -- --speed "${BFSIM_TEST_SPEED:-50}" ;;
	*) echo "1..0 # SKIP unknown RSHIMD_TEST_TRANSPORT"; exit 0 ;;
	esac
	export RSHIMD_TEST_TRANSPORT
	exec "$top_builddir/src/sim/bfsim" run "$@" -- bash "$0"
fi
. "$(dirname "$0")/lib.sh"
DEVNAME=sim:0
DEVNAME_MISC=sim-0
[ "$RSHIMD_TEST_TRANSPORT" = usb ] && DEVNAME=usb:1-4 DEVNAME_MISC=usb-1-4

RSHIMD="$top_builddir/src/rshimd/rshimd"
BFREG="$top_srcdir/tests/integration/bfreg.py"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
export BFCTL_RSHIM_ROOT="$TMP/dev"
mkdir -p "$TMP/dev"   # --root must exist
D="$TMP/dev/rshim0"
PIDF="$TMP/rshimd.pid"
# On a failure, the daemon's log goes into the TAP output.
trap 'stop_daemon; [ "$T_FAILED" = 0 ] || sed "s/^/# rshimd: /" "$TMP/rshimd.log" 2>/dev/null | tail -40; rm -rf "$TMP"' EXIT

printf 'BOOT_TIMEOUT 120\n# a comment\nPCIE_HAS_UIO 1\n' > "$TMP/rshimd.conf"

start_daemon() {
	"$RSHIMD" --root "$TMP/dev" -d "$DEVNAME" -n --config "$TMP/rshimd.conf" --pid-file "$PIDF" --log-file "$TMP/rshimd.log" -l 4 "$@"
}
stop_daemon() { stop_pidfile "$PIDF"; }
misc() { cat "$D/misc"; }
# echoed WORD: type WORD CR on the console (fd 3); the DPU's tty echoes it,
# CR as CR LF. Output the DPU printed before (its login banner, if it was
# still on its way) may come first.
echoed() {
	printf '%s\r' "$1" >&3
	timeout 20 grep -a -m1 "$1" <&3 > "$TMP/echo"
	[ "$(tail -c $((${#1} + 2)) "$TMP/echo" | od -An -c | tr -s ' ')" = "$(printf '%s\r\n' "$1" | od -An -c | tr -s ' ')" ]
}
set_misc() { printf '%s\n' "$*" > "$D/misc"; }

# --- the device files ---------------------------------------------------------
expect_rc 0 "rshimd starts and returns once the files are there" start_daemon
ok "rshim0 has boot, console, misc, rshim" [ "$(ls "$D" | tr '\n' ' ')" = "boot console misc rshim " ]
misc > "$TMP/misc0"
ok "misc: DEV_NAME and DEV_INFO in the upstream key column" - <<'CHECK'
grep -qx "DEV_NAME        $DEVNAME_MISC" "$TMP/misc0" && grep -qx 'DEV_INFO        BlueField-3(Rev 1)' "$TMP/misc0"
CHECK
ok "misc: BOOT_TIMEOUT from the config file" grep -qx 'BOOT_TIMEOUT    120 (seconds)' "$TMP/misc0"
ok "misc at DISPLAY_LEVEL 0 has no level-1 keys" not grep -q 'PEER_MAC' "$TMP/misc0"
set_misc "DISPLAY_LEVEL 1"
misc > "$TMP/misc1"
ok "misc at DISPLAY_LEVEL 1 adds BOOT_RESET_SKIP .. CLEAR_ON_READ" - <<'CHECK'
grep -q '^BOOT_RESET_SKIP 0 (1: skip)$' "$TMP/misc1" && grep -q '^CLEAR_ON_READ   0' "$TMP/misc1"
CHECK
expect_rc 1 "misc: an unknown key is refused" bash -c "echo 'NO_SUCH_KEY 1' > '$D/misc'"
ok "misc: the writer sees EINVAL" grep -q 'Invalid argument' "$TMP/rc.err"
expect_rc 1 "misc: DISPLAY_LEVEL out of range is refused" bash -c "echo 'DISPLAY_LEVEL 7' > '$D/misc'"

# --- one owner per device -------------------------------------------------------
mkdir -p "$TMP/dev2"
expect_rc 4 "a second rshimd on the same device is refused" \
	timeout 60 "$RSHIMD" -f --root "$TMP/dev2" -d "$DEVNAME" -n --config "$TMP/rshimd.conf"
ok "the refusal names the holder: rshimd as $D" grep -q "is held by rshimd as $D" "$TMP/rc.err"
expect_rc 4 "a direct bfctl on the device is refused" "$BFCTL" reg -r "$DEVNAME" read 0x13000c68
ok "bfctl says who holds it and how to go through the daemon" - <<'CHECK'
grep -q "held by rshimd" "$TMP/rc.err" && grep -q 'rshim<N>' "$TMP/rc.err"
CHECK

# --- rshim: bf-reg's ioctls ----------------------------------------------------
expect_rc 0 "bf-reg write (13-byte RSHIM_IOC_WRITE2) of SCRATCHPAD6" \
	python3 "$BFREG" "$D" 0x13000c68.64 0x1122334455667788
ok "bf-reg write prints what it wrote" grep -qx '\[0x13000c68\] <- 0x1122334455667788' "$TMP/rc.out"
expect_rc 0 "bf-reg read (RSHIM_IOC_READ2)" python3 "$BFREG" "$D" 0x13000c68.64
ok "the register reads back" grep -qx '\[0x13000c68\] -> 0x1122334455667788' "$TMP/rc.out"
expect_rc 0 "12-byte RSHIM_IOC_READ, (1 << 16) | 0xc68" python3 "$BFREG" "$D" 0x10c68.64 --v1
ok "the 12-byte form reaches the same register" grep -qx '\[0x10010c68\] -> 0x1122334455667788' "$TMP/rc.out"
expect_rc 0 "32-bit read of the upper half" python3 "$BFREG" "$D" 0x13000c6c.32
ok "a 4-byte access returns that half" grep -qx '\[0x13000c6c\] -> 0x0000000011223344' "$TMP/rc.out"
expect_rc 0 "bfctl reg through the daemon (--rshim rshim0)" "$BFCTL" reg -r rshim0 read 0x13000c68
ok "bfctl reads the same value through the daemon's rshim file" grep -q '0x1122334455667788' "$TMP/rc.out"
expect_rc 1 "an address naming no register is refused" python3 "$BFREG" "$D" 0x0ff00000.64
ok "the ioctl fails with EINVAL" grep -q 'Invalid argument' "$TMP/rc.err"

# --- the upstream flow by hand: cat to boot, read misc until ready ----------------
set_misc "DISPLAY_LEVEL 2"
set_misc "CLEAR_ON_READ 1"
expect_rc 0 "cat bundle > boot" sh -c "cat '$SAMPLE' > '$D/boot'"
: > "$TMP/log"
for i in $(seq 600); do
	misc | sed -n '/^ INFO\|^ ERR\|^ WARN/,$p' >> "$TMP/log"
	grep -q 'DPU is ready' "$TMP/log" && break
	sleep 0.2
done
ok "reading misc (DISPLAY_LEVEL 2, CLEAR_ON_READ 1) shows DPU is ready" grep -q 'DPU is ready' "$TMP/log"
ok "the log section has the upstream line shape, from the boot ROM to Linux up" - <<'CHECK'
grep -q '^ INFO\[BL1\]: ' "$TMP/log" && grep -q '^ INFO\[MISC\]: Linux up' "$TMP/log"
CHECK
ok "CLEAR_ON_READ 1: each message is shown once" [ "$(grep -c 'DPU is ready' "$TMP/log")" = 1 ]
ok "closing boot set BOOT_CONTROL back to eMMC" - <<'CHECK'
misc | grep -qx 'BOOT_MODE       1 (0:rshim, 1:emmc, 2:emmc-boot-swap)'
CHECK
set_misc "CLEAR_ON_READ 0"

# --- console ---------------------------------------------------------------------
exec 3<>"$D/console"
ok "console: the DPU echoes 'hello' CR as 'hello' CR LF" echoed hello
ok "console: a terminal (the DPU's echo above went through the pty)" test -t 3

# BOOT_RESET_SKIP: opening boot does not reset a running system.
set_misc "BOOT_RESET_SKIP 1"
up0=$(python3 "$BFREG" "$D" 0x13000630.64 | awk '{print $3}')
expect_rc 0 "boot open/close with BOOT_RESET_SKIP 1" sh -c ": > '$D/boot'"
up1=$(python3 "$BFREG" "$D" 0x13000630.64 | awk '{print $3}')
ok "BOOT_RESET_SKIP 1: UPTIME kept counting (no chip reset)" [ $((up1)) -gt $((up0)) ]
ok "console still echoes after the skipped reset" echoed again
exec 3>&-
set_misc "BOOT_RESET_SKIP 0"

# DEV_NAME refreshes a PCIe RShim function only (rshimd_pcie.sh).
expect_rc 1 "DEV_NAME on a device that is no PCIe function: EINVAL" \
	python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_WRONLY); os.write(fd, b"DEV_NAME\n")' "$D/misc"
ok "DEV_NAME: Invalid argument, as upstream for other backends" grep -q 'Invalid argument' "$TMP/rc.err"

# DROP_MODE: boot refused, registers read 0, back to normal after.
set_misc "DROP_MODE 1"
ok "misc shows DROP_MODE 1" - <<'CHECK'
misc | grep -qx 'DROP_MODE       1 (0:normal, 1:drop)'
CHECK
expect_rc 1 "drop mode: boot open refused" bash -c ": > '$D/boot'"
ok "drop mode: EINVAL as upstream" grep -q 'Invalid argument' "$TMP/rc.err"
ok "drop mode: register reads give 0" - <<'CHECK'
python3 "$BFREG" "$D" 0x13000c68.64 | grep -qx '\[0x13000c68\] -> 0x0000000000000000'
CHECK
expect_rc 4 "drop mode: bfctl install through the daemon is refused (exit 4, device not accessible)" \
	"$BFCTL" install -r rshim0 -b "$SAMPLE" --timeout 30
ok "drop mode: bfctl says so, and how to ask for the device" grep -q "rshim0 is in drop mode .*write 'FORCE_CMD 1' to $D/misc" "$TMP/rc.err"
set_misc "DROP_MODE 0"
ok "leaving drop mode: the register is there again" - <<'CHECK'
python3 "$BFREG" "$D" 0x13000c68.64 | grep -qx '\[0x13000c68\] -> 0x1122334455667788'
CHECK
exec 4>"$D/boot"   # another pusher holds the boot file
expect_rc 4 "boot held by another process: bfctl install through the daemon is refused (exit 4)" \
	"$BFCTL" install -r rshim0 -b "$SAMPLE" --timeout 30
exec 4>&-
ok "boot held: bfctl says another process is pushing" grep -q 'rshim0: another process is pushing a boot stream' "$TMP/rc.err"

# --- bfctl install through the daemon -----------------------------------------
expect_rc 0 "bfctl install --rshim rshim0 (through the boot and rshim files; --keep-log)" \
	"$BFCTL" install -r rshim0 -b "$SAMPLE" --keep-log --timeout 120
ok "the install through the daemon ends with DPU is ready" grep -q 'DPU is ready' "$TMP/rc.out"

# --- a restart while idle loses nothing ------------------------------------------
set_misc "DISPLAY_LEVEL 2"
misc | sed -n '/Log Messages/,$p' > "$TMP/log-before"
ok "with --keep-log the install left the log in the device" grep -q 'DPU is ready' "$TMP/log-before"
python3 "$BFREG" "$D" 0x13000c68.64 0x0123456789abcdef >/dev/null
stop_daemon
ok "a stopped daemon unmounts its files" [ ! -e "$D/misc" ]
expect_rc 0 "with the daemon gone, bfctl opens the device directly" "$BFCTL" reg -r "$DEVNAME" read 0x13000c68
ok "the register written through the daemon is in the device" grep -q '0x0123456789abcdef' "$TMP/rc.out"
expect_rc 0 "rshimd starts again" start_daemon
set_misc "DISPLAY_LEVEL 2"
misc | sed -n '/Log Messages/,$p' > "$TMP/log-after"
ok "after the restart misc shows the same log (nothing lost, nothing cleared)" - <<'CHECK'
cmp -s "$TMP/log-before" "$TMP/log-after" && grep -q 'DPU is ready' "$TMP/log-after" ||
	{ diff "$TMP/log-before" "$TMP/log-after"; false; }
CHECK
ok "after the restart the register value is the same" - <<'CHECK'
python3 "$BFREG" "$D" 0x13000c68.64 | grep -qx '\[0x13000c68\] -> 0x0123456789abcdef'
CHECK
exec 3<>"$D/console"
ok "after the restart the DPU's console still answers" echoed after
exec 3>&-

# A client holding a file open does not keep the daemon from stopping.
exec 3<>"$D/console" 4<"$D/misc"
pid=$(cat "$PIDF")
stop_daemon
ok "rshimd stops even with the console and misc held open" - <<'CHECK'
! kill -0 "$pid" 2>/dev/null
CHECK
ok "the held misc then fails (the FUSE connection was aborted)" sh -c '! cat <&4'
exec 4<&-
ok "the held console is hung up: a read ends at once" timeout 5 cat <&3
ok "the held console is hung up: a write fails (EIO)" sh -c '! printf x >&3'
exec 3>&-

# A device that stops answering is tried again for 10 s (a USB device
# comes back at a new address after a reset the DPU made: the files stay,
# rshimd.sh over USB goes through that at every install); one that stays
# away loses its files. The simulated unplug lasts: its device stays away.
if [ "$RSHIMD_TEST_TRANSPORT" = sim ]; then
	# A copy of the device, served by a second bfsim with the fault.
	cp -r "$BFSIM_STATE" "$TMP/st-unplug"
	"$BFSIM" serve --state "$TMP/st-unplug" --speed "${BFSIM_TEST_SPEED:-50}" --fault unplug-after=100000 \
		--socket "$TMP/unplug.sock" > "$TMP/serve.out" 2>&1 & spid=$!
	for i in $(seq 100); do [ -S "$TMP/unplug.sock" ] && break; sleep 0.1; done
	ok "rshimd up on a device that vanishes after 100000 boot bytes (this state has had more)" - <<'CHECK'
BFSIM_SOCKET="$TMP/unplug.sock" start_daemon 2>"$TMP/start.err"
CHECK
	expect_rc 1 "a push into the vanished device fails" bash -c "cat '$SAMPLE' > '$D/boot'"
	ok "the writer sees ENODEV" grep -q 'No such device' "$TMP/rc.err"
	ok "the daemon says the device stopped answering" - <<'CHECK'
cat "$TMP/start.err" "$TMP/rshimd.log" | grep -q 'sim:0 stopped answering'
CHECK
	for i in $(seq 200); do [ -e "$D/misc" ] || break; sleep 0.1; done
	ok "a device that stays away loses its files" - <<'CHECK'
[ ! -e "$D/misc" ] && grep -q 'sim:0 is gone: its files are removed' "$TMP/rshimd.log"
CHECK
	ok "the daemon keeps running, waiting for it" kill -0 "$(cat "$PIDF")"
	stop_daemon
	kill "$spid"; wait "$spid"
fi
done_testing
