# lib.sh - TAP helpers for integration tests. Source it, call the checks,
# end with `done_testing`.
set -u
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
BFCTL="$top_builddir/src/bfctl/bfctl"
BFSIM="$top_builddir/src/sim/bfsim"
T_N=0
T_FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bfctl-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok() {     # ok DESCRIPTION -- the previous command's status decides
	local rc=$?
	T_N=$((T_N + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $T_N - $*"
	else
		echo "not ok $T_N - $*"
		T_FAILED=$((T_FAILED + 1))
	fi
}

check() {  # check DESCRIPTION CMD... -- runs CMD, passes on status 0
	local desc=$1
	shift
	if "$@" >"$TMP/check.out" 2>&1; then
		T_N=$((T_N + 1)); echo "ok $T_N - $desc"
	else
		T_N=$((T_N + 1)); echo "not ok $T_N - $desc"
		T_FAILED=$((T_FAILED + 1))
		sed 's/^/# /' "$TMP/check.out"
	fi
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
