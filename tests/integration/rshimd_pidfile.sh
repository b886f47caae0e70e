#!/bin/bash
# rshimd_pidfile.sh - rshimd's pid file goes however the daemon ends (a
# stop signal, a crash; SIGKILL leaves it and the next start replaces it),
# a running rshimd's pid file is not taken over, --root must exist, and
# bfb-install says "rshimd is not running" (with what to do) on the mount a
# killed daemon left, or with no device directory at all.
if [ -z "${RSHIMD_TEST_INNER:-}" ]; then
	. "$(dirname "$0")/needs.sh"
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	if ! have_root_fuse; then
		echo "1..0 # SKIP rshimd needs root and FUSE (/dev/fuse, fusermount3)"
		exit 0
	fi
	export RSHIMD_TEST_INNER=1
	exec "$top_builddir/src/sim/bfsim" run --speed "${BFSIM_TEST_SPEED:-50}" -- bash "$0"
fi
. "$(dirname "$0")/lib.sh"

RSHIMD="$top_builddir/src/rshimd/rshimd"
BFBINSTALL="$top_builddir/src/bfbinstall/bfb-install"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
export BFCTL_RUNDIR="$TMP/run" BFCTL_RSHIM_ROOT="$TMP/dev"
mkdir -p "$TMP/dev"
ulimit -c 0   # the crash signals below: no core files
D="$TMP/dev/rshim0"
PIDF="$TMP/rshimd.pid"
trap 'stop_pidfile "$PIDF"; [ -e "$D" ] && umount -l "$D" 2>/dev/null
	[ "$T_FAILED" = 0 ] || sed "s/^/# rshimd: /" "$TMP/rshimd.log" 2>/dev/null | tail -30; rm -rf "$TMP"' EXIT

start_daemon() {
	"$RSHIMD" --root "$TMP/dev" -d sim:0 -n --config "$TMP/none.conf" --pid-file "$PIDF" \
		--log-file "$TMP/rshimd.log" -l 4 "$@"
}
# ended_by SIG: send SIG to the daemon; it ends and its pid file goes (10 s).
ended_by() {
	local pid i
	pid=$(cat "$PIDF") || return 1
	kill -"$1" "$pid" || return 1
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || [ -e "$PIDF" ] || return 0
		sleep 0.1
	done
	return 1
}

# --- --root ---------------------------------------------------------------------------
expect_rc 2 "--root /nonexistent is refused (exit 2)" "$RSHIMD" -f --root "$TMP/nonexistent" -d sim:0 -n
check "it says which directory and what to do" grep -q -- "--root $TMP/nonexistent: No such file or directory: give an existing directory" "$TMP/rc.err"
check "nothing was made" test ! -e "$TMP/nonexistent"
: > "$TMP/file"
expect_rc 2 "--root naming a file is refused (exit 2)" "$RSHIMD" -f --root "$TMP/file" -d sim:0 -n
check "it says: not a directory" grep -q -- "--root $TMP/file: not a directory" "$TMP/rc.err"

# --- bfb-install with no daemon -------------------------------------------------------
# --- --log-file never through a symbolic link ----------------------------------
printf 'precious\n' > "$TMP/precious"
ln -s "$TMP/precious" "$TMP/log-link"
expect_rc 1 "--log-file naming a symbolic link is refused before the daemon starts (exit 1)" \
	"$RSHIMD" --root "$TMP" -d sim:0 -n --config "$TMP/none.conf" --log-file "$TMP/log-link"
check "it says the log file is a symbolic link" grep -q "log file $TMP/log-link: it is a symbolic link" "$TMP/rc.err"
check "the link's target is untouched" test "$(cat "$TMP/precious")" = precious

expect_rc 1 "bfb-install with no rshimd (no device directory) fails" "$BFBINSTALL" -b "$SAMPLE" -r "$D"
check "bfb-install says rshimd is not running, and to start it" \
	grep -q "Error: rshimd is not running: $D does not exist .*Start rshimd" "$TMP/rc.out"

# --- the pid file goes however rshimd ends ----------------------------------------------------
for sig in TERM INT QUIT SEGV ABRT; do
	check "rshimd starts ($sig next)" start_daemon
	check "its pid file holds its pid" sh -c "kill -0 \$(cat '$PIDF') && grep -qx 'rshimd' /proc/\$(cat '$PIDF')/comm"
	check "SIG$sig: rshimd ends and its pid file is gone" ended_by "$sig"
	# A crash leaves the mount behind: the next start takes it over.
done

# --- a running rshimd's pid file is not taken over --------------------------------------------
check "rshimd starts" start_daemon
pid=$(cat "$PIDF")
expect_rc 1 "a second rshimd with the same pid file is refused (exit 1)" \
	"$RSHIMD" -f --root "$TMP" -d sim:1 -n --config "$TMP/none.conf" --pid-file "$PIDF"
check "it names the running one and what to do" grep -q "rshimd (pid $pid) is running with the pid file $PIDF: stop it first" "$TMP/rc.err"
check "the pid file is untouched" grep -qx "$pid" "$PIDF"

# --- SIGKILL: the pid file and the mount stay; bfb-install explains -----------------------------
kill -KILL "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "after SIGKILL the stale pid file is there" grep -qx "$pid" "$PIDF"
check "and the stale mount (Transport endpoint is not connected)" sh -c "stat '$D/boot' 2>&1 | grep -q 'not connected'"
expect_rc 1 "bfb-install on the stale mount fails" "$BFBINSTALL" -b "$SAMPLE" -r "$D"
check "bfb-install says rshimd is not running (not 'not a valid rshim device')" \
	grep -q "Error: rshimd is not running: $D is left from an rshimd that ended (Transport endpoint is not connected). Start rshimd" "$TMP/rc.out"
expect_rc 0 "rshimd starts over the stale pid file and mount" start_daemon
check "it said the pid file was stale and replaced it" \
	grep -q "$PIDF is left from an rshimd that ended without removing it (its pid is not running): replaced" "$TMP/rc.err"
check "the pid file holds the new pid" sh -c "[ \$(cat '$PIDF') != $pid ] && kill -0 \$(cat '$PIDF')"
check "the device files are back" test -e "$D/misc"
check "SIGTERM: the pid file is gone" ended_by TERM
done_testing
