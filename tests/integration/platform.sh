#!/bin/bash
# platform.sh - a bundle for another platform (chip, NIC firmware PSID, from
# its inventory) is refused before the device is touched; --force-platform
# pushes it anyway, and the simulated device then rejects it as hardware
# does (the installer reports "Invalid FW Package").
. "$(dirname "$0")/lib.sh"

BF3="$top_builddir/bfb/sample-full.bfb"
BF2="$top_builddir/bfb/sample-full-bf2.bfb"
SPEED=${BFSIM_TEST_SPEED:-50}

status() {  # status STATE PYTHON-EXPR(d) -- prints the value from bfsim status --json
	"$BFSIM" status --state "$1" --json | python3 -c 'import json,sys
d=json.loads(sys.stdin.readline()); print(eval(sys.argv[1]))' "$2"
}
fresh() {  # fresh STATE CHIP -- a device that exists, untouched
	"$BFSIM" run --chip "$2" --state "$1" -- "$BFCTL" reg -r sim:0 read 0x13000c48 >/dev/null 2>&1
}

st="$TMP/bf2"; fresh "$st" bf2
expect_rc 3 "a BlueField-3 bundle on a BlueField-2: exit 3" "$BFSIM" run --chip bf2 --state "$st" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$BF3" --timeout 60
check "both platforms named" grep -q 'is for BlueField-3 (its inventory: BF3_BSP.*the device is a BlueField-2' "$TMP/rc.err"
check "the override is named" grep -q -- '--force-platform' "$TMP/rc.err"
check "nothing pushed, no reset" test "$(status "$st" 'd["counters"]["resets"], d["counters"]["boot_bytes"]')" = "(0, 0)"

st="$TMP/bf3"; fresh "$st" bf3
expect_rc 3 "a BlueField-2 bundle on a BlueField-3: exit 3" "$BFSIM" run --chip bf3 --state "$st" --speed "$SPEED" -- \
	"$BFCTL" install --json -r sim:0 -b "$BF2" --timeout 60
check "--json: result exit_code 3 naming both" sh -c \
	"grep '\"event\":\"result\"' '$TMP/rc.out' | grep -q '\"exit_code\":3.*BlueField-2.*BlueField-3'"
check "nothing pushed, no reset" test "$(status "$st" 'd["counters"]["resets"], d["counters"]["boot_bytes"]')" = "(0, 0)"

"$BFCTL" bfb pack -o "$TMP/psid.bfb" --manifest "$top_srcdir/bfb/full-bf3.yaml" --param psid=MT_0000000999 >/dev/null 2>&1
expect_rc 3 "NIC firmware for another PSID: exit 3" "$BFSIM" run --chip bf3 --state "$st" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$TMP/psid.bfb" --timeout 60
check "both PSIDs named" grep -q 'is for PSID MT_0000000999, the device.s NIC is PSID MT_0000000884' "$TMP/rc.err"

# --- --force-platform: the device itself refuses ---------------------------
st="$TMP/bf2f"
expect_rc 6 "--force-platform BF3 bundle on BF2: the installer stops it (exit 6)" \
	"$BFSIM" run --chip bf2 --state "$st" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$BF3" --timeout 60 --force-platform
check "the override is warned about" grep -q 'installing anyway (--force-platform)' "$TMP/rc.err"
check "the device logs Invalid FW Package" grep -q 'CRITICAL ERROR: Invalid FW Package' "$TMP/rc.out"
check "the BlueField-2 NIC keeps a BlueField-2 PSID" test "$(status "$st" 'd["installed"].get("nic_fw", {}).get("psid", "none")')" = none

st="$TMP/bf3f"
expect_rc 0 "--force-platform, NIC firmware for another PSID: installs the rest" \
	"$BFSIM" run --chip bf3 --state "$st" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$TMP/psid.bfb" --timeout 60 --force-platform
check "the NIC update fails in the log" grep -q 'ERR\[MISC\]: NIC firmware update failed: Invalid FW Package' "$TMP/rc.out"
check "the NIC firmware of another PSID is not recorded" test "$(status "$st" 'd["installed"].get("nic_fw", {}).get("psid", "none")')" = none
expect_rc 0 "the right bundle still installs on the same device" \
	"$BFSIM" run --chip bf3 --state "$st" --speed "$SPEED" -- "$BFCTL" install -r sim:0 -b "$BF3" --timeout 60
check "and records its NIC firmware with the device's PSID" test "$(status "$st" 'd["installed"]["nic_fw"]["psid"]')" = MT_0000000884
done_testing
