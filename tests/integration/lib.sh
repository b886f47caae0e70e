# lib.sh - TAP helpers for integration tests. Source it, call the checks,
# end with `done_testing`.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/needs.sh"
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
BFCTL="$top_builddir/src/bfctl/bfctl"
BFSIM="$top_builddir/src/sim/bfsim"
T_N=0
T_FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bfctl-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# Device locks of this script only: tests running side by side (make check
# -j, other checkouts on the machine) never see each other's devices busy.
export BFCTL_RUNDIR="$TMP/run"

ok() {     # ok DESCRIPTION CMD... | ok DESCRIPTION - <<'EOF' ... EOF
	# Runs CMD (or, with "-", the shell text on standard input, in this
	# shell, so that it sees the script's variables and functions) and
	# passes on status 0. A check with no command fails: it could not fail.
	local _desc=$1 _rc _text
	shift
	if [ "$#" -eq 0 ]; then
		T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
		echo "not ok $T_N - $_desc (no command to check)"
		return 0
	fi
	if [ "$1" = - ] && [ "$#" -eq 1 ]; then
		_text=$(cat)
		if [ -z "${_text//[[:space:]]/}" ]; then
			T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
			echo "not ok $T_N - $_desc (no command to check)"
			return 0
		fi
		eval "$_text" >"$TMP/check.out" 2>&1 </dev/null
	else
		"$@" >"$TMP/check.out" 2>&1
	fi
	_rc=$?
	T_N=$((T_N + 1))
	if [ "$_rc" -eq 0 ]; then
		echo "ok $T_N - $_desc"
	else
		echo "not ok $T_N - $_desc"
		T_FAILED=$((T_FAILED + 1))
		sed 's/^/# /' "$TMP/check.out" | head -40
	fi
}

check() {  # check DESCRIPTION CMD... -- the same as ok
	ok "$@"
}

not() {    # not CMD... -- passes when CMD fails: ok "no OS" not grep -q OS log
	! "$@"
}

expect_rc() {  # expect_rc CODE DESCRIPTION CMD...
	local want=$1 desc=$2 rc
	shift 2
	"$@" >"$TMP/rc.out" 2>"$TMP/rc.err"
	rc=$?
	T_N=$((T_N + 1))
	if [ "$rc" -eq "$want" ]; then
		echo "ok $T_N - $desc"
	else
		echo "not ok $T_N - $desc (exit $rc, wanted $want)"
		T_FAILED=$((T_FAILED + 1))
		sed 's/^/# out: /' "$TMP/rc.out" | head -20
		sed 's/^/# err: /' "$TMP/rc.err" | head -20
	fi
}

skip() {   # skip DESCRIPTION REASON
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

done_testing() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}

# need_transport NAME -- skip the whole test (NAME in the skip line) unless
# bfsim run --transport usb,pci can run here: root, FUSE, mount namespaces
# and umockdev's preload library.
need_transport() {
	local why=
	if ! have_root_fuse || ! unshare -m true 2>/dev/null; then
		why="needs root, FUSE and mount namespaces"
	elif ! ldconfig -p | grep -q 'libumockdev-preload\.so\.0'; then
		why="libumockdev-preload.so.0 missing (Debian package libumockdev0)"
	fi
	[ -z "$why" ] && return 0
	skip "$1" "$why"
	done_testing
	exit
}

# sim_field STATE KEY.PATH -- a value from bfsim status --json of the device
# whose state directory is STATE; empty and false when it is not there.
sim_field() {
	"$BFSIM" status --state "$1" --json > "$TMP/sim-status.json" &&
		json_field "$TMP/sim-status.json" "$2" 2>/dev/null
}

stop_pidfile() {  # stop_pidfile FILE -- TERM the daemon whose pid FILE holds, wait up to 10 s
	local pid i
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	kill "$pid" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$1"
}

# host_lock NAME -- hold a lock for the rest of this test so that tests which
# share a fixed host path (bfb-install's /tmp/bfb-install-rshimN.log, named as
# upstream names it) do not run that part side by side under make -j. The
# lock is waited for at most 15 minutes; a test that cannot get it bails out.
host_lock() {
	exec 8>>"/run/lock/bfctl-tests-$1.lock" || exec 8>>"/tmp/bfctl-tests-$1.lock"
	flock -w 900 8 || { echo "Bail out! the test lock $1 was held for 15 minutes"; exit 1; }
}

# unplug_during_agent DEV PROFILE -- bfctl provision -r DEV --profile PROFILE
# --bfb $SAMPLE inside bfsim run (the test's parent), with bfagent held on
# the DPU (up to 120 s) until the device has been unplugged (SIGUSR1 to
# bfsim run) and provision has ended; then it is plugged back (SIGUSR2).
# Output in $TMP/unplug.out and $TMP/unplug.err, exit status in UNPLUG_RC.
unplug_during_agent() {
	local agent pid i

	agent="$(cd "$top_builddir" && pwd)/src/agent/bfagent"
	rm -f "$TMP/held.started" "$TMP/held.release"
	cat > "$TMP/held-bfagent" <<HELD
#!/bin/sh
case " \$* " in *" apply "*)
	touch "$TMP/held.started"
	i=0; while [ ! -e "$TMP/held.release" ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done ;;
esac
exec "$agent" "\$@"
HELD
	chmod 755 "$TMP/held-bfagent"
	BFCTL_AGENT="$TMP/held-bfagent" "$BFCTL" provision -r "$1" --profile "$2" --bfb "$SAMPLE" --timeout 300 \
		>"$TMP/unplug.out" 2>"$TMP/unplug.err" &
	pid=$!
	for i in $(seq 1200); do [ -e "$TMP/held.started" ] && break; sleep 0.1; done
	ok "bfagent runs on the DPU (the agent step started)" test -e "$TMP/held.started"
	kill -USR1 "$PPID"
	wait $pid
	UNPLUG_RC=$?
	touch "$TMP/held.release"
	kill -USR2 "$PPID"
}
