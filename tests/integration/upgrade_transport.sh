#!/bin/bash
# upgrade_transport.sh - bfctl upgrade over each hardware transport of
# bfsim run --transport usb,pci: the RShim over USB (usb:1-4) and over PCI
# (the livefish function pcie-lf:0000:04:00.0), the NIC over PCI config
# space (0000:03:00.0). On each: the plan, a deferred upgrade staged (the
# new NIC firmware pending, the old running), --activate -y making it run,
# read back with bfsim status and bfctl fw query.
. "$(dirname "$0")/lib.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
SPEED=20   # as devices_transport.sh: room for a loaded host
ST="$TMP/dev"
export BFCTL_STATE_DIR="$TMP/state"

need_transport "upgrade over usb and pci"

run() {  # run BFCTL ARGS: bfctl in bfsim run --transport usb,pci on the device in $ST
	timeout 600 "$BFSIM" run --state "$ST" --speed "$SPEED" --transport usb,pci -- "$BFCTL" "$@"
}
field() { sim_field "$ST" "$1"; }  # field KEY.PATH: from bfsim status of $ST

ok "firmware bundles: NIC 32.42.1010 and 32.43.1000" - <<'CHECK'
"$BFSIM" bundle -o "$TMP/n2.bfb" --kind fw --version-set next >/dev/null &&
"$BFSIM" bundle -o "$TMP/n3.bfb" --kind fw --version-set next --version NIC=32.43.1000 >/dev/null
CHECK
expect_rc 0 "the device gets the sample bundle installed (sim:0)" \
	"$BFSIM" run --state "$ST" --speed 50 -- "$BFCTL" install -r sim:0 -b "$SAMPLE" --timeout 120

upgrade_over() {  # upgrade_over TRANSPORT DEV BUNDLE FROM TO ATF
	local t=$1 dev=$2 bundle=$3 from=$4 to=$5 atf=$6
	expect_rc 0 "$t: plan over $dev" run upgrade -r "$dev" --nic 0000:03:00.0 --bundle "$bundle" --plan
	ok "$t: the NIC read over PCI: $from running, $to an upgrade" \
		grep -Eq "^NIC +$from +$to +upgrade\$" "$TMP/rc.out"
	expect_rc 0 "$t: deferred over $dev: staged" \
		run upgrade -r "$dev" --nic 0000:03:00.0 --bundle "$bundle" --deferred --timeout 300
	ok "$t: Runtime upgrade finished; $to pending, $from running (bfsim status)" - <<CHECK
grep -q 'Runtime upgrade finished' "$TMP/rc.out" && grep -q 'result: pending' "$TMP/rc.out" &&
[ "\$(field staged.nic_fw)" = $to ] && [ "\$(field installed.nic_fw.version)" = $from ]
CHECK
	expect_rc 0 "$t: activate -y over $dev" run upgrade -r "$dev" --nic 0000:03:00.0 --activate -y --timeout 300
	ok "$t: activated at level 3 (no live patch on this NIC)" grep -q 'result: activated at level 3' "$TMP/rc.out"
	ok "$t: $to runs, ATF $atf, nothing pending (bfsim status, bfctl fw query)" - <<CHECK
[ "\$(field installed.nic_fw.version)" = $to ] && [ "\$(field installed.atf)" = $atf ] && [ "\$(field staged)" = "{}" ] &&
run fw query 0000:03:00.0 > "$TMP/q-$t.out" && grep -Eq '^FW Version: +$to' "$TMP/q-$t.out"
CHECK
}

# USB: NIC, ATF, UEFI and BSP pending, so the activation resets the whole
# chip and waits for the DPU to boot again over the USB RShim.
upgrade_over usb usb:1-4 "$TMP/n2.bfb" 32.41.1000 32.42.1010 4.8.0-13249
# PCI: only the NIC differs, so only the NIC is reset.
upgrade_over pci pcie-lf:0000:04:00.0 "$TMP/n3.bfb" 32.42.1010 32.43.1000 4.8.0-13249
done_testing
