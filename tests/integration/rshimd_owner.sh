#!/bin/bash
# rshimd_owner.sh - who drives the device when two rshim daemons reach the
# same chip, as upstream (spec rshim.md 6): one simulated BlueField-3
# served both over USB and as a PCIe livefish function (`bfsim run
# --transport usb,pci`), daemon A on usb:1-4, daemon B on the livefish
# function. A keeps the device alive (its keepalive in SCRATCHPAD1); B
# without -F leaves it alone; FORCE_CMD 1 or -F makes the owner hand it
# over (OSP_REQ / OSP_ACK in SCRATCHPAD1): the old owner in drop mode, the
# new one driving the device, an install and the console through it.
. "$(dirname "$0")/usbpci.sh"
. "$(dirname "$0")/lib.sh"

RSHIMD="$top_builddir/src/rshimd/rshimd"
BFREG="$top_srcdir/tests/integration/bfreg.py"
USB=usb:1-4
LF=pcie-lf:0000:04:00.0
SP6=0x13000c68                     # SCRATCHPAD6 (BF3), free for tests
DA="$TMP/a/rshim0"

start() {  # start NAME DEV [ARG...] -- daemon NAME: files in $TMP/NAME, log $TMP/NAME.log
	local n=$1 dev=$2
	shift 2
	[ -e "$TMP/$n.conf" ] || : > "$TMP/$n.conf"
	mkdir -p "$TMP/$n"
	"$RSHIMD" --root "$TMP/$n" -d "$dev" -n --config "$TMP/$n.conf" --pid-file "$TMP/$n.pid" \
		--log-file "$TMP/$n.log" -l 4 "$@"
}
stop() { stop_pidfile "$TMP/$1.pid"; }   # stop NAME
logs() { local n; for n in a b1 b2 b3 c; do [ -e "$TMP/$n.log" ] && sed "s/^/# $n: /" "$TMP/$n.log"; done; }
trap 'stop c; stop b3; stop b2; stop b1; stop a; [ "$T_FAILED" = 0 ] || logs; rm -rf "$TMP"' EXIT

wait_log() {  # wait_log FILE TEXT [N] -- up to 20 s for the Nth line with TEXT
	local i
	for i in $(seq 200); do
		[ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}
reg() {  # reg DIR [VALUE] -- SCRATCHPAD6 through DIR's rshim file (bf-reg's ioctls): the value read
	python3 "$BFREG" "$1" "$SP6.64" ${2:+"$2"} | awk '{print $3}'
}
drop_is() { grep -qx "DROP_MODE       $2 (0:normal, 1:drop)" "$1/misc"; }
misc_write() { printf '%s\n' "$2" > "$1/misc"; }

# --- A owns the device ----------------------------------------------------------
expect_rc 0 "daemon A on $USB starts" start a "$USB"
ok "A drives the device: not in drop mode, a register written through it reads back" - <<'CHECK'
drop_is "$DA" 0 && [ "$(reg "$DA" 0x1111)" = 0x0000000000001111 ] &&
	[ "$(reg "$DA")" = 0x0000000000001111 ]
CHECK

# --- B without -F: the access check finds A's keepalive --------------------------
printf 'DROP_MODE 0\n' > "$TMP/b1.conf"
expect_rc 0 "daemon B on $LF (DROP_MODE 0, no -F) starts" start b1 "$LF"
ok "B: no files; it says another backend drives the device, and how to ask for it" - <<'CHECK'
[ ! -e "$TMP/b1/rshim0" ] && grep -q "rshim0: $LF is driven by another backend" "$TMP/rc.err" &&
	grep -q 'with -F (or FORCE_MODE 1) to ask for it' "$TMP/rc.err"
CHECK
ok "A keeps the device (B's access check took nothing from it)" - <<'CHECK'
drop_is "$DA" 0 && [ "$(reg "$DA" 0x2222)" = 0x0000000000002222 ] && [ "$(reg "$DA")" = 0x0000000000002222 ]
CHECK
stop b1

# --- B on the livefish default: drop mode, the device left alone ------------------
DB="$TMP/b2/rshim0"
expect_rc 0 "daemon B on $LF (livefish: drop mode by default) starts" start b2 "$LF"
ok "B has its files in drop mode (DROP_MODE 1, FORCE_CMD 0)" - <<'CHECK'
drop_is "$DB" 1 && grep -qx 'FORCE_CMD       0 (1: send Force command)' "$DB/misc"
CHECK
ok "B in drop mode: register reads give 0" [ "$(reg "$DB")" = 0x0000000000000000 ]
expect_rc 1 "FORCE_CMD 1 on A, which owns the device, is refused" misc_write "$DA" "FORCE_CMD 1"
ok "the writer sees EINVAL" grep -q 'Invalid argument' "$TMP/rc.err"
sleep 0.5
ok "A still drives the device" - <<'CHECK'
drop_is "$DA" 0 && [ "$(reg "$DA")" = 0x0000000000002222 ]
CHECK

# --- FORCE_CMD 1 on B: A hands the device over --------------------------------------
expect_rc 0 "FORCE_CMD 1 on B (in drop mode) is taken" misc_write "$DB" "FORCE_CMD 1"
ok "B: regained ownership successfully" wait_log "$TMP/b2.log" 'rshim0 regained ownership successfully'
ok "A: passed to the requester successfully" wait_log "$TMP/a.log" 'rshim0 passed to the requester successfully'
grep -o 'rshim0 \(received ownership transfer request\|notifying the requester with ACK\|entering drop mode\|passed to the requester successfully\)' \
	"$TMP/a.log" | tr '\n' '|' > "$TMP/a.seq"
ok "A's log: request received, ACK, drop mode, passed" [ "$(cat "$TMP/a.seq")" = 'rshim0 received ownership transfer request|rshim0 notifying the requester with ACK|rshim0 entering drop mode|rshim0 passed to the requester successfully|' ]
grep -o 'rshim0 \(FORCE_CMD: asking\|executing Force command\|received ownership transfer ack\|leaving drop mode\|regained ownership successfully\)' \
	"$TMP/b2.log" | tr '\n' '|' > "$TMP/b.seq"
ok "B's log: force command, ack received, drop mode left, ownership regained" [ "$(cat "$TMP/b.seq")" = 'rshim0 FORCE_CMD: asking|rshim0 executing Force command|rshim0 received ownership transfer ack|rshim0 leaving drop mode|rshim0 regained ownership successfully|' ]
ok "misc: A shows DROP_MODE 1, B DROP_MODE 0" - <<'CHECK'
drop_is "$DA" 1 && drop_is "$DB" 0
CHECK
reg "$DA" 0x3333 >/dev/null
expect_rc 0 "bfctl reg through B's files" env BFCTL_RSHIM_ROOT="$TMP/b2" "$BFCTL" reg -r rshim0 read "$SP6"
ok "a register write through A (in drop mode) did not reach the device" grep -q "\[$SP6\] -> 0x0000000000002222" "$TMP/rc.out"
[ "$(reg "$DB" 0x4444)" = 0x0000000000004444 ]
expect_rc 0 "bfctl reg through B's files, again" env BFCTL_RSHIM_ROOT="$TMP/b2" "$BFCTL" reg -r rshim0 read "$SP6"
ok "a register written through B is in the device" grep -q "\[$SP6\] -> 0x0000000000004444" "$TMP/rc.out"
ok "A in drop mode reads 0" [ "$(reg "$DA")" = 0x0000000000000000 ]
expect_rc 1 "DROP_MODE 0 on A while B owns the device is refused" misc_write "$DA" "DROP_MODE 0"
ok "EACCES: A's access check found B's keepalive; A stays in drop mode" - <<'CHECK'
grep -q 'Permission denied' "$TMP/rc.err" && grep -q 'rshim0 is not accessible' "$TMP/a.log" && drop_is "$DA" 1
CHECK

# --- and back: the USB side asks ------------------------------------------------------
expect_rc 0 "FORCE_CMD 1 on A" misc_write "$DA" "FORCE_CMD 1"
ok "A regained the device, B passed it" - <<'CHECK'
wait_log "$TMP/a.log" 'rshim0 regained ownership successfully' &&
	wait_log "$TMP/b2.log" 'rshim0 passed to the requester successfully'
CHECK
ok "A drives it again and reads what B wrote" - <<'CHECK'
drop_is "$DA" 0 && drop_is "$DB" 1 && [ "$(reg "$DA")" = 0x0000000000004444 ]
CHECK
stop b2

# --- B with -F: the access check fails, B is kept in drop mode and asks -----------------
DB="$TMP/b3/rshim0"
printf 'DROP_MODE 0\n' > "$TMP/b3.conf"
expect_rc 0 "daemon B on $LF with -F starts" start b3 "$LF" -F
ok "B -F: files, though another backend drove the device" [ -e "$DB/misc" ]
ok "B -F took the device over; A passed it" - <<'CHECK'
wait_log "$TMP/b3.log" 'rshim0 regained ownership successfully' &&
	wait_log "$TMP/a.log" 'rshim0 passed to the requester successfully' 2
CHECK
ok "misc: A in drop mode, B not" - <<'CHECK'
drop_is "$DA" 1 && drop_is "$DB" 0
CHECK

# --- A gone, B installs, and its console answers ---------------------------------------
stop a
ok "a small bundle for the install over the livefish function" - <<'CHECK'
"$BFSIM" bundle -o "$TMP/full0.bfb" --chip bf3 --size 0 >/dev/null &&
	"$BFCTL" bfb pack -o "$TMP/small.bfb" --from "$TMP/full0.bfb" image==Image >/dev/null
CHECK
expect_rc 0 "bfctl install through B's files (rshim0 of daemon B)" \
	env BFCTL_RSHIM_ROOT="$TMP/b3" "$BFCTL" install -r rshim0 -b "$TMP/small.bfb" --timeout 120
ok "the install through B ends with DPU is ready" grep -q 'DPU is ready' "$TMP/rc.out"
exec 3<>"$DB/console"
printf 'owner-echo\r' >&3
ok "B's console: the DPU echoes what was typed (the TM FIFO started over cleanly)" - <<'CHECK'
timeout 20 grep -a -m1 'owner-echo' <&3 >/dev/null
CHECK
exec 3>&-

# --- OPN_STR: written through B, in the device ---------------------------------------
expect_rc 0 "OPN_STR written through B's misc" misc_write "$DB" "OPN_STR MBF3-OWNER-TEST"
ok "misc shows the new OPN" grep -qx 'OPN_STR         MBF3-OWNER-TEST' "$DB/misc"
expect_rc 0 "bf-reg read of the first OPN word (YU 0x9bdc, 32 bits)" python3 "$BFREG" "$DB" 0x13409bdc.32
ok "the device holds it: the first word reads 'MBF3', character 0 in bits 31:24" grep -qx '\[0x13409bdc\] -> 0x000000004d424633' "$TMP/rc.out"
expect_rc 1 "an OPN of 17 characters is refused" misc_write "$DB" "OPN_STR 0123456789ABCDEFG"
ok "the OPN is unchanged" grep -qx 'OPN_STR         MBF3-OWNER-TEST' "$DB/misc"

# --- a daemon left without the device gets it when its owner lets go -------------------
expect_rc 0 "daemon C on $USB (no -F) while B drives the device" start c "$USB"
# The USB device was reset over the other interface (the install): the
# first open may find it gone (then rshimd looks again 2 s later).
cp "$TMP/rc.err" "$TMP/c.start"
for i in $(seq 100); do
	cat "$TMP/c.start" "$TMP/c.log" 2>/dev/null | grep -q "rshim0: $USB is driven by another backend" && break
	sleep 0.1
done
ok "C: no files; it says another backend drives the device, checked again every 10 s" - <<'CHECK'
cat "$TMP/c.start" "$TMP/c.log" | grep "rshim0: $USB is driven by another backend" | grep -q 'checked again every 10 s' &&
	[ ! -e "$TMP/c/rshim0" ]
CHECK
ok "B still drives the device" [ "$(reg "$DB" 0x5555)" = 0x0000000000005555 ]
stop b3
for i in $(seq 250); do [ -e "$TMP/c/rshim0/misc" ] && break; sleep 0.1; done
ok "B stopped: C's next check finds no keepalive, C has the files and drives the device" - <<'CHECK'
drop_is "$TMP/c/rshim0" 0 && grep -q "rshim0: $USB is no longer driven by another backend: ours now" "$TMP/c.log"
CHECK
ok "C reads the register B wrote last" [ "$(reg "$TMP/c/rshim0")" = 0x0000000000005555 ]
stop c
done_testing
