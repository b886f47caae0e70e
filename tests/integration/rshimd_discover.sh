#!/bin/bash
# rshimd_discover.sh - rshimd with no device named takes the RShim devices
# the backends have, as the upstream daemon does: one simulated
# BlueField-3 on USB and as a PCIe livefish function (`bfsim run
# --transport usb,pci`); -b limits the search to one backend; `none <dev>`
# in the configuration leaves a device alone; with nothing to take the
# daemon starts and waits; only one such daemon runs. And a chip reset
# made over the other interface (pcie-lf): the USB device re-enumerates,
# the daemon finds it again and its TM FIFO starts over.
. "$(dirname "$0")/usbpci.sh"
. "$(dirname "$0")/lib.sh"

RSHIMD="$top_builddir/src/rshimd/rshimd"
BFREG="$top_srcdir/tests/integration/bfreg.py"
unset BFCTL_RSHIM                  # $BFCTL_RSHIM would name a device
: > "$TMP/none.conf"

start() {  # start NAME CONF [ARG...] -- a daemon with no -d: files in $TMP/NAME, log $TMP/NAME.log
	local n=$1 conf=$2
	shift 2
	mkdir -p "$TMP/$n" && "$RSHIMD" --root "$TMP/$n" -n --config "$conf" --pid-file "$TMP/$n.pid" --log-file "$TMP/$n.log" -l 4 "$@"
}
stop() { stop_pidfile "$TMP/$1.pid"; }   # stop NAME
logs() { local n; for n in all lf none usb; do [ -e "$TMP/$n.log" ] && sed "s/^/# $n: /" "$TMP/$n.log"; done; }
trap 'stop usb; stop none; stop lf; stop all; [ "$T_FAILED" = 0 ] || logs; rm -rf "$TMP"' EXIT
dev_name() { sed -n 's/^DEV_NAME  *//p' "$1/misc"; }

# --- every device --------------------------------------------------------------
expect_rc 0 "rshimd with no device named starts" start all "$TMP/none.conf"
ok "it took both: rshim0 is usb:1-4 (USB is searched first), rshim1 the livefish function" - <<'CHECK'
[ "$(dev_name "$TMP/all/rshim0")" = usb-1-4 ] && [ "$(dev_name "$TMP/all/rshim1")" = pcie-lf-0000:04:00.0 ]
CHECK
ok "the log names what it found" grep -q 'running (2 devices: rshim0 usb:1-4, rshim1 pcie-lf:0000:04:00.0)' "$TMP/all.log"
ok "one chip, one driver: the livefish function is in drop mode, USB drives it" - <<'CHECK'
grep -qx 'DROP_MODE       1 (0:normal, 1:drop)' "$TMP/all/rshim1/misc" &&
	grep -qx 'DROP_MODE       0 (0:normal, 1:drop)' "$TMP/all/rshim0/misc"
CHECK
mkdir -p "$TMP/second"
expect_rc 4 "a second rshimd with no device named is refused (exit 4)" \
	"$RSHIMD" --root "$TMP/second" -n --config "$TMP/none.conf" -l 4
ok "it says another one takes every device, and which" grep -q 'another rshimd that takes every device is already running (rshimd for every device (pid [0-9]*))' "$TMP/rc.err"
stop all
ok "stopped: both directories are gone" - <<'CHECK'
[ ! -e "$TMP/all/rshim0" ] && [ ! -e "$TMP/all/rshim1" ]
CHECK

# --- -b: one backend ----------------------------------------------------------------
expect_rc 0 "rshimd -b pcie-lf starts" start lf "$TMP/none.conf" -b pcie-lf
ok "-b pcie-lf: only the livefish function, as rshim0" - <<'CHECK'
[ "$(dev_name "$TMP/lf/rshim0")" = pcie-lf-0000:04:00.0 ] && [ ! -e "$TMP/lf/rshim1" ]
CHECK
stop lf

# --- none <dev>, and nothing to take -----------------------------------------------
printf 'none usb-1-4\n' > "$TMP/ignore.conf"
expect_rc 0 "rshimd -b usb with the only USB device ignored starts anyway" start none "$TMP/ignore.conf" -b usb
ok "no device files, and the daemon keeps running" - <<'CHECK'
[ -z "$(ls -A "$TMP/none" 2>/dev/null)" ] && kill -0 "$(cat "$TMP/none.pid")"
CHECK
ok "the log says it is waiting for one" grep -q 'no RShim device on USB yet: looking every 2 s' "$TMP/none.log"
stop none

# --- a reset made over the other interface -------------------------------------
wait_log() {  # wait_log FILE TEXT -- up to 20 s
	local i
	for i in $(seq 200); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
expect_rc 0 "rshimd -b usb starts" start usb "$TMP/none.conf" -b usb
expect_rc 0 "the chip is reset over pcie-lf while rshimd drives it over usb" "$BFCTL" reset -r pcie-lf
ok "the daemon finds the re-enumerated device again and says its TM FIFO starts over" wait_log "$TMP/usb.log" 'rshim0: usb:1-4 .*found again.*: the TM FIFO starts over'
ok "registers through its rshim file work after the reset" - <<'CHECK'
python3 "$BFREG" "$TMP/usb/rshim0" 0x13000c68.64 0x77 > /dev/null &&
	python3 "$BFREG" "$TMP/usb/rshim0" 0x13000c68.64 | grep -qx '\[0x13000c68\] -> 0x0000000000000077'
CHECK
stop usb

# --- the command line -------------------------------------------------------------
expect_rc 2 "-b with an unknown backend: usage error" "$RSHIMD" -b serial
ok "it names the backends" grep -q -- '-b takes usb, pcie or pcie-lf' "$TMP/rc.err"
expect_rc 2 "-b with -d: usage error" "$RSHIMD" -b usb -d usb:1-4
done_testing
