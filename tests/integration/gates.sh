#!/bin/bash
# gates.sh - each bf.cfg gate changes what the simulated installer logs and
# what it records as installed (bfsim status), on a new device each time.
. "$(dirname "$0")/lib.sh"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
SPEED=${BFSIM_TEST_SPEED:-50}
n=0

installed() {  # installed STATE KEY -> prints the installed value or "none"
	"$BFSIM" status --state "$1" --json | python3 -c 'import json,sys
d=json.loads(sys.stdin.readline())["installed"]; v=d.get(sys.argv[1]); print("none" if v is None else (v.get("version", "set") if isinstance(v, dict) else v))' "$2"
}

staged() {  # staged STATE KEY -> the staged (pending) value or "none"
	"$BFSIM" status --state "$1" --json | python3 -c 'import json,sys
print(json.loads(sys.stdin.readline())["staged"].get(sys.argv[1], "none"))' "$2"
}

gate() {  # gate DESCRIPTION CFG-TEXT -- installs; leaves $st and $TMP/rc.out
	n=$((n + 1))
	st="$TMP/st$n"
	printf '%b' "$2" > "$TMP/g$n.cfg"
	expect_rc 0 "$1: install completes" "$BFSIM" run --state "$st" --speed "$SPEED" -- \
		"$BFCTL" install -r sim:0 -b "$SAMPLE" -c "$TMP/g$n.cfg" --wait-for reboot --timeout 120
}

gate "defaults" 'UPDATE_DPU_OS=yes\n'
ok "defaults: OS and NIC firmware installed, logged" - <<'CHECK'
grep -q 'Installing OS image' "$TMP/rc.out" && grep -q 'Updating NIC firmware' "$TMP/rc.out"
CHECK
ok "defaults: OS, NIC firmware, ATF recorded" - <<'CHECK'
[ "$(installed "$st" os)" = 22.04 ] && [ "$(installed "$st" nic_fw)" = 32.41.1000 ] && [ "$(installed "$st" atf)" != none ]
CHECK
ok "defaults without BMC_PASSWORD: BMC upgrade skipped" grep -q 'Skipping BMC components upgrade' "$TMP/rc.out"

gate "UPDATE_DPU_OS=no" 'UPDATE_DPU_OS=no\n'
ok "UPDATE_DPU_OS=no: no OS install logged" not grep -q 'Installing OS image' "$TMP/rc.out"
ok "UPDATE_DPU_OS=no: no OS recorded" [ "$(installed "$st" os)" = none ]

gate "UPDATE_ATF_UEFI=no" 'UPDATE_ATF_UEFI=no\n'
ok "UPDATE_ATF_UEFI=no: ATF/UEFI not recorded" - <<'CHECK'
[ "$(installed "$st" atf)" = none ] && [ "$(installed "$st" uefi)" = none ]
CHECK

gate "WITH_NIC_FW_UPDATE=no" 'WITH_NIC_FW_UPDATE=no\n'
ok "WITH_NIC_FW_UPDATE=no: no NIC update logged" not grep -q 'Updating NIC firmware' "$TMP/rc.out"
ok "WITH_NIC_FW_UPDATE=no: NIC firmware not recorded" [ "$(installed "$st" nic_fw)" = none ]

gate "NIC_FW_RESET=no" 'NIC_FW_RESET=no\n'
ok "NIC_FW_RESET=no: reset skipped in the log" grep -q 'Skip NIC Firmware reset' "$TMP/rc.out"

# The sample bundle's BMC and CEC versions are what a new BMC runs: the
# installer skips the same versions unless FORCE_... says otherwise.
gate "UPDATE_BMC_FW=yes with BMC_PASSWORD" 'BMC_PASSWORD=secret\nUPDATE_CEC_FW=no\nFORCE_BMC_FW_INSTALL=yes\n'
ok "BMC updated, CEC gated off, in the log; no BMC_REBOOT: a restart is required" - <<'CHECK'
grep -q 'Updating BMC firmware' "$TMP/rc.out" && ! grep -q 'Updating CEC firmware' "$TMP/rc.out" &&
grep -q 'BMC firmware was updated to: 24.04-5. BMC restart is required.' "$TMP/rc.out"
CHECK
ok "BMC firmware staged (pending its restart), not active; CEC neither" - <<'CHECK'
[ "$(staged "$st" bmc_fw)" = BF-24.04-5 ] && [ "$(installed "$st" bmc_fw)" = none ] &&
[ "$(staged "$st" cec_fw)" = none ] && [ "$(installed "$st" cec_fw)" = none ]
CHECK

gate "UPDATE_CEC_FW=yes, UPDATE_BMC_FW=no, CEC_REBOOT=yes" \
	'BMC_PASSWORD=secret\nUPDATE_BMC_FW=no\nFORCE_CEC_INSTALL=yes\nCEC_REBOOT=yes\n'
ok "CEC updated and reset, BMC gated off, in the log" - <<'CHECK'
grep -q 'Updating CEC firmware' "$TMP/rc.out" && grep -q 'Rebooting CEC\.\.\.' "$TMP/rc.out" &&
! grep -q 'Updating BMC firmware' "$TMP/rc.out"
CHECK
ok "CEC firmware active after its reset, BMC not recorded" - <<'CHECK'
[ "$(installed "$st" cec_fw)" != none ] && [ "$(staged "$st" cec_fw)" = none ] && [ "$(installed "$st" bmc_fw)" = none ]
CHECK

gate "the same BMC/CEC versions as running, no FORCE" 'BMC_PASSWORD=secret\n'
ok "same versions: neither updated nor staged" - <<'CHECK'
! grep -q 'Updating BMC firmware\|Updating CEC firmware' "$TMP/rc.out" &&
[ "$(staged "$st" bmc_fw)" = none ] && [ "$(staged "$st" cec_fw)" = none ]
CHECK

gate "ubuntu_PASSWORD" "ubuntu_PASSWORD='\$6\$Xq3vZ1pLmN0rTb2s\$9nkCqCaKuxNvJ3luEq9vWvSi7DFnpSlkb/ZOTriWDQb5o2RpXwkJlrxsg169mdKq9ualaXKdxe20gNryE6ssr0'\n"
ok "password change logged" grep -q 'Changing the default password for user ubuntu' "$TMP/rc.out"
ok "password hash recorded" [ "$(installed "$st" ubuntu_password_hash)" != none ]

done_testing
