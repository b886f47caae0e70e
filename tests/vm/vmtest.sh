# vmtest.sh - for tests/integration/vm_*.sh: boot the dpu-vm guest and run a
# scenario there, its TAP lines becoming the test's. Source after lib.sh.
# A missing prerequisite fails under CI=true and is a skip with its reason
# elsewhere. Under a sanitizer build the VM tests skip: the guest would run
# the same sources, only slower under TCG, and the plain pass runs them.
DPU_VM="$top_srcdir/tests/vm/dpu-vm"

vm_prereq() {  # vm_prereq NAME -- exits the test (skip or fail) when the VM cannot run
	local why
	if grep -q '^SAN_CFLAGS = -fsanitize' "$top_builddir/Makefile" 2>/dev/null; then
		skip "$1" "VM tests run in the plain build (this one has sanitizers)"
		done_testing; exit
	fi
	if ! why=$("$DPU_VM" check 2>&1) ||
		! { "$DPU_VM" prepare >"$TMP/prepare.log" 2>&1 || { why=$(tail -3 "$TMP/prepare.log"); false; }; }; then
		if [ "${CI:-}" = true ]; then
			T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
			echo "not ok $T_N - $1: the test bed is not ready under CI: $why"
		else
			skip "$1" "$why"
		fi
		done_testing; exit
	fi
}

vm_run() {  # vm_run SCENARIO TIMEOUT [ARGS...] -- run it, print its TAP; closes the plan
	local scenario=$1 timeout=$2 rc n
	shift 2
	"$DPU_VM" run "$scenario" --timeout "$timeout" -- "$@" >"$TMP/vm.out" 2>"$TMP/vm.err"
	rc=$?
	grep -v '^1\.\.' "$TMP/vm.out"
	n=$(grep -cE '^(not )?ok ' "$TMP/vm.out")
	T_N=$n
	T_FAILED=$(grep -cE '^not ok ' "$TMP/vm.out")
	if [ "$rc" -ne 0 ]; then
		T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
		echo "not ok $T_N - $(basename "$scenario") in the guest ended with status $rc"
		sed 's/^/# /' "$TMP/vm.err" | tail -60
	fi
	done_testing
}
