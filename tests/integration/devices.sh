#!/bin/bash
# devices.sh - bfsim run --devices 2: two installs into two simulated
# devices at once, each device with its own state (bfsim status on DIR/0
# and DIR/1), and the same devices served by bfsim serve.
. "$(dirname "$0")/lib.sh"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
SPEED=${BFSIM_TEST_SPEED:-50}

installed() {  # installed STATE KEY -> the installed version, "set" or "none"
	"$BFSIM" status --state "$1" --json | python3 -c 'import json,sys
d=json.loads(sys.stdin.readline())["installed"]; v=d.get(sys.argv[1]); print("none" if v is None else (v.get("version", "set") if isinstance(v, dict) else v))' "$2"
}
phase() { "$BFSIM" status --state "$1" --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["phase"])'; }

printf 'UPDATE_DPU_OS=no\n' > "$TMP/no-os.cfg"
printf 'UPDATE_DPU_OS=yes\n' > "$TMP/os.cfg"
expect_rc 0 "two installs at once into sim:0 and sim:1" "$BFSIM" run --devices 2 --state "$TMP/fleet" --speed "$SPEED" -- \
	bash -c "'$BFCTL' install -r sim:0 -b '$SAMPLE' -c '$TMP/no-os.cfg' --wait-for reboot --timeout 120 > '$TMP/i0.out' 2>&1 & p0=\$!
		 '$BFCTL' install -r sim:1 -b '$SAMPLE' -c '$TMP/os.cfg' --wait-for reboot --timeout 120 > '$TMP/i1.out' 2>&1; r1=\$?
		 wait \$p0; r0=\$?; echo \"rc \$r0 \$r1\"; [ \$r0 = 0 ] && [ \$r1 = 0 ]"
check "both installs exit 0" grep -qx 'rc 0 0' "$TMP/rc.out"
check "sim:0 logged its own install (no OS)" sh -c "grep -q 'Updating NIC firmware' '$TMP/i0.out' && ! grep -q 'Installing OS image' '$TMP/i0.out'"
check "sim:1 logged its own install (OS)" grep -q 'Installing OS image' "$TMP/i1.out"
check "bfsim status: sim:0 (DIR/0) has no OS recorded" test "$(installed "$TMP/fleet/0" os)" = none
check "bfsim status: sim:1 (DIR/1) has the OS recorded" test "$(installed "$TMP/fleet/1" os)" = 22.04
check "bfsim status: both have the NIC firmware" \
	sh -c "[ '$(installed "$TMP/fleet/0" nic_fw)' != none ] && [ '$(installed "$TMP/fleet/1" nic_fw)' != none ]"

# The same state, served by bfsim serve to any process with BFSIM_SOCKET.
"$BFSIM" serve --state "$TMP/fleet" --devices 2 --speed "$SPEED" > "$TMP/serve.out" 2>"$TMP/serve.err" & spid=$!
for i in $(seq 100); do grep -q '^BFSIM_SOCKET=' "$TMP/serve.out" && break; sleep 0.1; done
sock=$(sed -n 's/^BFSIM_SOCKET=//p' "$TMP/serve.out")
expect_rc 0 "list through bfsim serve" env BFSIM_SOCKET="$sock" "$BFCTL" list --json
check "list: sim:0 and sim:1, nothing else simulated" \
	sh -c "[ \$(grep -c '\"transport\":\"simulated\"' '$TMP/rc.out') = 2 ] && grep -q '\"name\":\"sim:1\"' '$TMP/rc.out'"
expect_rc 0 "a register of sim:1 written through bfsim serve" \
	env BFSIM_SOCKET="$sock" "$BFCTL" reg -r sim:1 write 0x13000c68 0x7e57
kill -TERM "$spid"
wait "$spid"
check "bfsim serve ends on SIGTERM with 0" test $? -eq 0
check "sim:1 kept the register in DIR/1, sim:0 did not" \
	sh -c "grep -q 7e57 '$TMP/fleet/1/runtime.json' && ! grep -q 7e57 '$TMP/fleet/0/runtime.json'"
check "sim:1 still has its OS recorded" test "$(installed "$TMP/fleet/1" os)" = 22.04
done_testing
