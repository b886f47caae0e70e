#!/bin/bash
# bench_agent_vm.sh - bfagent on the test bed's real kernel (tests/vm,
# doc/testbed.md): apply of each shipped profile and a no-op re-apply, timed
# in the guest (TCG, one vCPU). Prints the scenario's BENCH lines.
set -u
DPU_VM="$top_srcdir/tests/vm/dpu-vm"
case $(cd "$top_builddir" && pwd) in
/tmp/*) echo "BENCH agent_apply skipped=build-tree-under-/tmp-is-not-visible-in-the-guest"; exit 0 ;;
esac
if ! why=$("$DPU_VM" check 2>&1) || ! "$DPU_VM" prepare >/dev/null 2>&1; then
	echo "BENCH agent_apply skipped=test-bed-not-ready reason=\"$(printf '%s' "${why:-prepare failed}" | head -1)\""
	exit 0
fi
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
top_builddir=$(cd "$top_builddir" && pwd) "$DPU_VM" run "$top_srcdir/tests/vm/scenarios/bench-agent.sh" \
	--timeout 900 > "$T/out" 2> "$T/err"
rc=$?
grep '^BENCH ' "$T/out"
[ "$rc" -eq 0 ] || { echo "BENCH agent_apply error=guest-status-$rc"; tail -5 "$T/err" >&2; }
