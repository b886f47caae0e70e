#!/bin/bash
# upgrade.sh - bfctl upgrade against bfsim: the plan on same, upgrade and
# downgrade sets; bundles for another chip or PSID refused before a byte
# is pushed; skip-if-same pushes nothing (boot_bytes read back with bfsim
# status); the deferred flow stages (new versions pending, old ones
# running) and --activate makes them run; a power cut while staging and a
# NIC image that fails the device's checks leave the old firmware with a
# clear verdict; the post-check catches a device that did not take the
# update; live patch; the offline flow; the history; BMC/CEC through the
# BMC (bfsim run --bmc, Redfish); a bundle by URL
# (Debian's nginx, the download cache, the SHA-256 checks).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nginx.sh"

SPEED=${BFSIM_TEST_SPEED:-50}
SAMPLE="$top_builddir/bfb/sample-full.bfb"
ST="$TMP/dev"
export BFCTL_STATE_DIR="$TMP/state"

run() {  # run [BFSIM OPTIONS] -- BFCTL ARGS: bfctl in bfsim run on the device in $ST
	local o=()
	while [ "$1" != -- ]; do o+=("$1"); shift; done
	shift
	"$BFSIM" run --state "$ST" --speed "$SPEED" "${o[@]}" -- "$BFCTL" "$@"
}

field() { sim_field "$ST" "$1"; }  # field KEY.PATH: from bfsim status of $ST

want_actions() {  # want_actions "ATF=skip ..." FILE: the plan's actions, shown when they differ
	local got
	got=$(actions "$2")
	[ "$got" = "$1" ] || { echo "got: $got"; cat "$2"; false; }
}

actions() {  # actions FILE: "ATF=upgrade NIC=skip ..." from an upgrade_plan event
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e=json.loads(l)
    if e.get("event")=="upgrade_plan":
        print(" ".join(c["component"]+"="+c["action"] for c in e["components"]))' "$1"
}

B="$TMP/b"
mkdir -p "$B"
ok "bundles: current, next, older, BlueField-2, other PSID, bad NIC image, NIC only" - <<'CHECK'
"$BFSIM" bundle -o "$B/cur.bfb" --kind fw >/dev/null &&
"$BFSIM" bundle -o "$B/next.bfb" --kind fw --version-set next >/dev/null &&
"$BFSIM" bundle -o "$B/old.bfb" --kind fw --version NIC=32.39.1000 --version ATF=4.6.0-12000 >/dev/null &&
"$BFSIM" bundle -o "$B/bf2.bfb" --kind fw --chip bf2 >/dev/null &&
"$BFSIM" bundle -o "$B/psid.bfb" --kind fw --version-set next --psid MT_0000000999 >/dev/null &&
"$BFSIM" bundle -o "$B/bad.bfb" --kind fw --version-set next --version NIC=32.43.1000 --nic-image bad >/dev/null &&
"$BFSIM" bundle -o "$B/n3.bfb" --kind fw --version-set next --version NIC=32.43.1000 >/dev/null &&
"$BFSIM" bundle -o "$B/n4.bfb" --kind fw --version-set next --version NIC=32.44.1000 >/dev/null &&
"$BFSIM" bundle -o "$B/bad6.bfb" --kind fw --version-set next --version NIC=32.46.1000 --nic-image bad >/dev/null &&
"$BFSIM" bundle -o "$B/n5.bfb" --kind fw --version-set next --version NIC=32.45.1000 --version ATF=4.9.0-1 \
	--version UEFI=4.9.0-1 --version BSP=4.9.0.1 >/dev/null
CHECK
ok "the inventory lists the six firmware components" - <<'CHECK'
"$BFCTL" bfb info "$B/next.bfb" > "$TMP/info.out" &&
(for m in BF3_ATF BF3_UEFI BF3_BSP BF3_NIC_FW BF3_BMC_FW BF3_CEC_FW; do grep -q "$m" "$TMP/info.out" || exit 1; done)
CHECK
expect_rc 2 "bfsim bundle: an unknown component is a usage error" "$BFSIM" bundle -o "$B/x.bfb" --kind fw --version FOO=1

expect_rc 0 "the device gets the sample bundle installed" run -- install -r sim:0 -b "$SAMPLE" --timeout 120
expect_rc 0 "plan right after the install" run -- upgrade -r sim:0 --bundle "$B/cur.bfb" --plan
ok "the install read the log: ATF/UEFI/BSP not reported, applied anyway" - <<'CHECK'
grep -Eq '^ATF +not reported over RShim since the DPU booted +4.7.0-13127 +apply$' "$TMP/rc.out"
CHECK
expect_rc 0 "a reboot" run -- reset -r sim:0
ok "the DPU publishes its running versions in the RShim log once up" - <<'CHECK'
(for i in $(seq 1 150); do
	run -- log -r sim:0 2>/dev/null | grep -q 'Running versions: ATF=4.7.0-13127 UEFI=4.7.0-13127 BSP=4.7.0.13127' && exit 0
	sleep 0.2
done; exit 1)
CHECK

# --- the plan ---------------------------------------------------------------
expect_rc 0 "plan, same versions" run -- upgrade -r sim:0 --bundle "$B/cur.bfb" --plan --json
ok "same: ATF, UEFI, BSP and NIC are skipped; BMC/CEC not compared (no BMC)" \
	want_actions "ATF=skip UEFI=skip BSP=skip NIC=skip BMC=unchecked CEC=unchecked" "$TMP/rc.out"
ok "same: BMC/CEC say unknown (no --bmc)" grep -q '"note":"unknown (no --bmc)"' "$TMP/rc.out"
expect_rc 0 "plan, next versions" run -- upgrade -r sim:0 --bundle "$B/next.bfb" --plan --json
ok "next: every firmware component is an upgrade, from what runs" - <<'CHECK'
want_actions "ATF=upgrade UEFI=upgrade BSP=upgrade NIC=upgrade BMC=unchecked CEC=unchecked" "$TMP/rc.out" &&
grep -q '"component":"NIC","running":"32.41.1000","pending":"","bundle":"32.42.1010"' "$TMP/rc.out"
CHECK
expect_rc 0 "plan, older versions (text)" run -- upgrade -r sim:0 --bundle "$B/old.bfb" --plan
ok "older: the table says downgrade for NIC and ATF" - <<'CHECK'
grep -Eq '^NIC +32.41.1000 +32.39.1000 +downgrade$' "$TMP/rc.out" &&
grep -Eq '^ATF +4.7.0-13127 +4.6.0-12000 +downgrade$' "$TMP/rc.out"
CHECK

# --- BMC and CEC through the BMC (Redfish) -----------------------------------------
export BFCTL_BMC_PASSWORD=upgrade-bmc-pw-1
printf '%s\n' "$BFCTL_BMC_PASSWORD" > "$TMP/bmc.pw"
chmod 600 "$TMP/bmc.pw"
BPORT=$(nginx_free_port)
bmcrun() {  # bmcrun BFCTL ARGS: in bfsim run with the device's BMC on https://127.0.0.1:$BPORT, --bmc added
	"$BFSIM" run --state "$ST" --speed "$SPEED" --bmc "https://127.0.0.1:$BPORT" --bmc-password-file "$TMP/bmc.pw" -- \
		sh -c '"$0" "$@" --bmc "https://root@127.0.0.1:$BPORT" --cacert "$BFSIM_BMC_CACERT"' "$BFCTL" "$@"
}
export BPORT
expect_rc 0 "--bmc: plan, same versions" bmcrun upgrade -r sim:0 --bundle "$B/cur.bfb" --plan --json
ok "... BMC and CEC read from the BMC's firmware inventory and compared: every component skip" \
	want_actions "ATF=skip UEFI=skip BSP=skip NIC=skip BMC=skip CEC=skip" "$TMP/rc.out"
ok "... running BMC 24.04-5 (Redfish BF-24.04-5), CEC 00.02.0182.0000 (Redfish ..._n02)" - <<'CHECK'
grep -q '"component":"BMC","running":"24.04-5"' "$TMP/rc.out" &&
grep -q '"component":"CEC","running":"00.02.0182.0000"' "$TMP/rc.out"
CHECK
expect_rc 0 "--bmc: plan, next versions (text)" bmcrun upgrade -r sim:0 --bundle "$B/next.bfb" --plan
ok "... BMC and CEC are upgrades" - <<'CHECK'
grep -Eq '^BMC +24.04-5 +24.07-2 +upgrade$' "$TMP/rc.out" && grep -Eq '^CEC +00.02.0182.0000 +00.02.0195.0000 +upgrade$' "$TMP/rc.out"
CHECK
wrong_pw() { BFCTL_BMC_PASSWORD=wrong-pw bmcrun "$@"; }
expect_rc 4 "--bmc with a wrong password: exit 4, no plan" wrong_pw upgrade -r sim:0 --bundle "$B/cur.bfb" --plan
ok "... the BMC's refusal is named, the password is not shown" - <<'CHECK'
grep -qi 'credentials\|401\|password' "$TMP/rc.err" && ! grep -q '^ATF' "$TMP/rc.out" && ! grep -q 'wrong-pw' "$TMP/rc.out" "$TMP/rc.err"
CHECK
expect_rc 2 "--bmc without --bundle: a usage error" "$BFCTL" upgrade -r sim:0 --history --bmc https://127.0.0.1:1

bytes0=$(field counters.boot_bytes)
resets0=$(field counters.resets)
expect_rc 3 "a downgrade without --allow-downgrade is refused (exit 3)" run -- upgrade -r sim:0 --bundle "$B/old.bfb"
ok "... saying --allow-downgrade" grep -q -- '--allow-downgrade' "$TMP/rc.err"
expect_rc 3 "a bundle for a BlueField-2 is refused (exit 3)" run -- upgrade -r sim:0 --bundle "$B/bf2.bfb"
ok "... naming both chips" grep -q 'BlueField-2.*BlueField-3\|BlueField-3.*BlueField-2' "$TMP/rc.err"
expect_rc 3 "a bundle for another PSID is refused (exit 3)" run -- upgrade -r sim:0 --bundle "$B/psid.bfb" --plan
ok "... naming both PSIDs" grep -q 'MT_0000000999.*MT_0000000884' "$TMP/rc.err"
ok "none of the refused bundles pushed a byte (bfsim status)" [ "$(field counters.boot_bytes)" = "$bytes0" ]

# --- skip if same --------------------------------------------------------------
expect_rc 0 "same versions: exit 0" run -- upgrade -r sim:0 --bundle "$B/cur.bfb" --json
ok "the result is skipped" grep -q '"event":"upgrade",.*"result":"skipped"' "$TMP/rc.out"
ok "0 bytes pushed (boot_bytes unchanged, no reset)" [ "$(field counters.boot_bytes)" = "$bytes0" ]

# --- a bundle by URL (nginx) ------------------------------------------------------
if nginx_available; then
	ok "nginx serves the bundles" nginx_start
	cp "$B/cur.bfb" "$B/next.bfb" "$NGINX_ROOT/"
	sha256sum "$B/cur.bfb" | sed 's#  .*#  cur.bfb#' > "$NGINX_ROOT/cur.bfb.sha256"
	expect_rc 0 "--bundle URL --plan: downloaded into the cache, planned" \
		run -- upgrade -r sim:0 --bundle "$(nginx_url cur.bfb)" --cache "$TMP/cache" --plan --json
	ok "... the same plan as from the file (every component skip)" \
		want_actions "ATF=skip UEFI=skip BSP=skip NIC=skip BMC=unchecked CEC=unchecked" "$TMP/rc.out"
	ok "... checked against the .sha256 beside it; the cached copy is the bundle, byte for byte" - <<'CHECK'
grep -q '"event":"download".*"checked":true' "$TMP/rc.out" && cmp "$(ls "$TMP"/cache/*/cur.bfb | head -1)" "$B/cur.bfb"
CHECK
	expect_rc 0 "--bundle URL, same versions: skipped" run -- upgrade -r sim:0 --bundle "$(nginx_url cur.bfb)" --cache "$TMP/cache"
	ok "... from the cache (the body was sent once), nothing pushed" - <<'CHECK'
grep -q 'result: skipped' "$TMP/rc.out" && [ "$(nginx_count /cur.bfb 200)" = 1 ] &&
[ "$(field counters.boot_bytes)" = "$bytes0" ]
CHECK
	BAD=0000000000000000000000000000000000000000000000000000000000000000
	expect_rc 3 "--bundle URL with a --sha256 that does not match: exit 3" \
		run -- upgrade -r sim:0 --bundle "$(nginx_url next.bfb)" --cache "$TMP/cache" --sha256 "$BAD"
	ok "... both digests named, nothing planned or pushed" - <<'CHECK'
grep -q "expected $BAD" "$TMP/rc.err" && ! grep -q '^ATF' "$TMP/rc.out" && [ "$(field counters.boot_bytes)" = "$bytes0" ]
CHECK
	expect_rc 3 "--bundle URL the server does not have: exit 3" \
		run -- upgrade -r sim:0 --bundle "$(nginx_url none.bfb)" --cache "$TMP/cache" --plan
	ok "... the 404 named" grep -q 'HTTP 404' "$TMP/rc.err"
	nginx_stop
else
	skip "--bundle URL" "nginx is not installed (scripts/install-deps)"
fi

# --- deferred, then activate ---------------------------------------------------
expect_rc 0 "deferred: staged (exit 0)" run -- upgrade -r sim:0 --bundle "$B/next.bfb" --deferred --timeout 300
ok "deferred: the DPU logged Runtime upgrade finished, the result is pending" - <<'CHECK'
grep -q 'Runtime upgrade finished' "$TMP/rc.out" && grep -q 'result: pending' "$TMP/rc.out"
CHECK
ok "deferred: the old versions still run" - <<'CHECK'
[ "$(field installed.atf)" = 4.7.0-13127 ] && [ "$(field installed.nic_fw.version)" = 32.41.1000 ]
CHECK
ok "deferred: the new ones are pending" - <<'CHECK'
[ "$(field staged.atf)" = 4.8.0-13249 ] && [ "$(field staged.nic_fw)" = 32.42.1010 ]
CHECK
ok "deferred: the DPU was not reset (resets unchanged)" [ "$(field counters.resets)" = "$resets0" ]
expect_rc 2 "activate without a terminal and without -y: exit 2" run -- upgrade -r sim:0 --activate
ok "... it says what it would do and to use -y" - <<'CHECK'
grep -q 'at level 3' "$TMP/rc.out" && grep -q -- '-y' "$TMP/rc.err"
CHECK
expect_rc 2 "--activate --level 4 without -y: exit 2 (it asks)" run -- upgrade -r sim:0 --activate --level 4
ok "... it says level 4 is a warm reboot of the host, and to use -y" - <<'CHECK'
grep -q 'at level 4, warm reboot of the HOST: level 4 means rebooting the server' "$TMP/rc.out" && grep -q -- '-y' "$TMP/rc.err"
CHECK
expect_rc 0 "--activate --level 4 -y: armed (exit 0)" run -- upgrade -r sim:0 --activate --level 4 -y --timeout 300
ok "... it says to reboot the host; the old versions still run, the new ones pending" - <<'CHECK'
grep -q 'armed; reboot the host now' "$TMP/rc.out" && [ "$(field installed.nic_fw.version)" = 32.41.1000 ] &&
[ "$(field installed.atf)" = 4.7.0-13127 ] && [ "$(field staged.nic_fw)" = 32.42.1010 ] &&
[ "$(field counters.resets)" = "$resets0" ]
CHECK
expect_rc 0 "activate -y: exit 0" run -- upgrade -r sim:0 --activate -y --timeout 300
ok "activate: the post-check lines say ok" [ "$(grep -c '^check .* ok$' "$TMP/rc.out")" = 4 ]
ok "activate: the new versions run, nothing is pending (bfsim status)" - <<'CHECK'
[ "$(field installed.atf)" = 4.8.0-13249 ] && [ "$(field installed.uefi)" = 4.8.0-13249 ] &&
[ "$(field installed.bsp)" = 4.8.0.13249 ] && [ "$(field installed.nic_fw.version)" = 32.42.1010 ] &&
[ "$(field staged)" = "{}" ]
CHECK
expect_rc 0 "plan after the activation: all the same" run -- upgrade -r sim:0 --bundle "$B/next.bfb" --plan --json
ok "... every component skip" want_actions "ATF=skip UEFI=skip BSP=skip NIC=skip BMC=unchecked CEC=unchecked" "$TMP/rc.out"
expect_rc 0 "activate with nothing pending: exit 0" run -- upgrade -r sim:0 --activate -y --timeout 300
ok "... it says so" grep -q 'no firmware is pending' "$TMP/rc.out"

# --- faults --------------------------------------------------------------------
expect_rc 6 "power cut while staging: exit 6" run --fault powercut-during=staging -- \
	upgrade -r sim:0 --bundle "$B/n3.bfb" --deferred --timeout 300
ok "... the message says it rebooted and runs its old firmware" grep -q 'rebooted while staging.*old firmware (NIC 32.42.1010)' "$TMP/rc.err"
ok "... the old versions run and nothing is pending" - <<'CHECK'
[ "$(field installed.nic_fw.version)" = 32.42.1010 ] && [ "$(field installed.atf)" = 4.8.0-13249 ] &&
[ "$(field staged)" = "{}" ]
CHECK
expect_rc 6 "a NIC image that fails the device's checks: exit 6" run -- upgrade -r sim:0 --bundle "$B/bad.bfb" --deferred --timeout 300
ok "... the SP2 failure bits and the device's line are named" grep -q 'bits 12:11 = 11.*NIC firmware update failed' "$TMP/rc.err"
ok "... nothing is pending, the old NIC firmware runs" - <<'CHECK'
[ "$(field installed.nic_fw.version)" = 32.42.1010 ] && [ "$(field staged)" = "{}" ]
CHECK
expect_rc 0 "a deferred NIC upgrade" run -- upgrade -r sim:0 --bundle "$B/n3.bfb" --deferred --timeout 300
expect_rc 6 "activation on a device that does not take it: the post-check exits 6" \
	run --fault no-activate -- upgrade -r sim:0 --activate -y --timeout 300
ok "... and shows the difference" grep -Eq '^check NIC +expected 32.43.1000 +running 32.42.1010 +DIFFERS$' "$TMP/rc.out"

# --- live patch ------------------------------------------------------------------
expect_rc 0 "live patch: deferred --apply-lfwp on a NIC that supports it" \
	run --nic-lfwp yes -- upgrade -r sim:0 --bundle "$B/n4.bfb" --deferred --apply-lfwp --timeout 300
ok "... activated at level 0: the new NIC firmware runs, one live patch" - <<'CHECK'
grep -q 'activated at level 0' "$TMP/rc.out" && [ "$(field installed.nic_fw.version)" = 32.44.1000 ] &&
[ "$(field nic_live_patches)" = 1 ]
CHECK

# --- offline ----------------------------------------------------------------------
expect_rc 6 "offline, a NIC image that fails the device's checks: exit 6" \
	run -- upgrade -r sim:0 --bundle "$B/bad6.bfb" --timeout 120
ok "... the post-check shows the NIC difference and the DPU's error line" - <<'CHECK'
grep -Eq '^check NIC +expected 32.46.1000 +running 32.44.1000 +DIFFERS$' "$TMP/rc.out" &&
grep -q 'the DPU reported:.*NIC firmware update failed: the image failed the firmware.s checks' "$TMP/rc.err"
CHECK
ok "... the old NIC firmware runs, nothing pending (bfctl fw query through bfsim)" - <<'CHECK'
[ "$(field installed.nic_fw.version)" = 32.44.1000 ] && run -- fw query sim:0 > "$TMP/q6.out" &&
grep -Eq '^FW Version: +32.44.1000' "$TMP/q6.out" && ! grep -q 'Running' "$TMP/q6.out"
CHECK
expect_rc 0 "offline: pushed, applied, rebooted, post-check ok" run -- upgrade -r sim:0 --bundle "$B/n5.bfb" --timeout 120
ok "... the new versions run" - <<'CHECK'
[ "$(field installed.atf)" = 4.9.0-1 ] && [ "$(field installed.nic_fw.version)" = 32.45.1000 ] &&
grep -q 'result: ok' "$TMP/rc.out"
CHECK

# --- history --------------------------------------------------------------------
expect_rc 0 "history --json" "$BFCTL" upgrade -r sim:0 --history --json
ok "history: every line is JSON, the last is the result" python3 -c 'import json,sys
l=[json.loads(x) for x in open(sys.argv[1])]
sys.exit(0 if l[-1]["event"]=="result" else 1)' "$TMP/rc.out"
ok "history: skipped (also by URL), deferred pending, armed at level 4, activate ok at level 3, power-lost, failed, mismatch, offline mismatch, apply ok" - <<'CHECK'
python3 -c 'import json,sys
h=[(e["op"],e["result"],e.get("level","")) for e in map(json.loads,open(sys.argv[1])) if e["event"]=="upgrade_history"]
skip=[("apply","skipped","")] * (2 if sys.argv[2] == "url" else 1)
want=skip+[("deferred","pending",""),("activate","armed","4"),("activate","ok","3"),("deferred","power-lost",""),
      ("deferred","failed",""),("deferred","pending",""),("activate","mismatch","3"),("deferred","pending",""),
      ("activate","ok","0"),("apply","mismatch",""),("apply","ok","")]
sys.exit(0 if h==want else print(h) or 1)' "$TMP/rc.out" "$(nginx_available && echo url)"
CHECK
ok "history: the file is private to its owner" [ "$(stat -c %a "$BFCTL_STATE_DIR"/sim_0/upgrade.jsonl)" = 600 ]
ln -s /dev/null "$TMP/evil"
ok "history: a symlink in place of the file is refused, not followed" - <<'CHECK'
mkdir -p "$TMP/st2/sim_0" && ln -s "$TMP/evil" "$TMP/st2/sim_0/upgrade.jsonl" &&
BFCTL_STATE_DIR="$TMP/st2" "$BFSIM" run --state "$ST" --speed "$SPEED" -- "$BFCTL" upgrade -r sim:0 \
	--bundle "$B/n5.bfb" > /dev/null 2> "$TMP/st2.err"
grep -q 'not recorded' "$TMP/st2.err"
CHECK

done_testing
