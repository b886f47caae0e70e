#!/bin/bash
# bmc_install.sh - bfctl install --bmc and bfctl bmc against bfsim's
# simulated BMC: the install through the BMC ends in the same installed
# state and the same log lines as a host install; each BMC fault ends in
# its documented exit code and sentence; credentials and TLS.
. "$(dirname "$0")/bmcnet.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
CFG="$top_srcdir/bfcfg/examples/demo.cfg"
SPEED=${BFSIM_TEST_SPEED:-50}
BMC=https://root@127.0.0.1:8443

binst() {  # binst [option...] -- bfctl install through the simulated BMC, image served from :8099
	"$BFCTL" install --bmc "$BMC" --cacert "$BFSIM_BMC_CACERT" --bfb "${BBFB:-$SAMPLE}" --config "${BCFG:-$CFG}" \
		--serve "${BSERVE:-127.0.0.1:8099}" --timeout 120 "$@"
}
binst_fw() { BCFG="$TMP/bmcfw.cfg" BBFB="$TMP/bmcfw.bfb" binst "$@"; }
binst_wild() { BSERVE=0.0.0.0:8099 binst "$@"; }
bmc() { "$BFCTL" bmc "$@" --bmc "$BMC" --cacert "$BFSIM_BMC_CACERT"; }

# --- the install ------------------------------------------------------------
ok "bfsim serve --bmc starts" bmc_start "$TMP/st-bmc"
"$BFCTL" log -r sim:0 --clear >/dev/null 2>&1   # the new device's power-on lines, read and cleared
expect_rc 0 "install --bmc --serve: exit 0" binst --json
cp "$TMP/rc.out" "$TMP/install.json"
ok "every line is a JSON event, the last the result ok" - <<'CHECK'
jq -e . "$TMP/install.json" >/dev/null && tail -1 "$TMP/install.json" | jq -e '.event == "result" and .ok and .exit_code == 0'
CHECK
ok "the task's progress comes as push events up to the image's size" - <<'CHECK'
jq -se '[.[] | select(.event == "push")] | length > 0 and (last.bytes == last.total and last.done)' "$TMP/install.json"
CHECK
ok "the boot progress comes as boot_progress events ending at OsIsRunning" - <<'CHECK'
jq -se '[.[] | select(.event == "boot_progress")] | last.state == "OsIsRunning"' "$TMP/install.json"
CHECK
ok "the password appears nowhere in the output" not grep -q "$BFCTL_BMC_PASSWORD" "$TMP/install.json" "$TMP/rc.err"
ok "the image server is gone after the transfer" - <<'CHECK'
! curl -s -o /dev/null http://127.0.0.1:8099/
CHECK
expect_rc 0 "bmc rshim host: the RShim back to the host" bmc rshim host
ok "and it says so" grep -q 'RShim owner: host' "$TMP/rc.out"
"$BFCTL" log -r sim:0 > "$TMP/bmc-log.txt" 2>&1
expect_rc 0 "bmc inventory" bmc inventory --json
ok "inventory lists DPU_OS with the bundle's release and DPU_NIC" - <<'CHECK'
jq -se '([.[] | select(.event == "inventory" and .id == "DPU_OS")][0].version | test("bf-bundle")) and ([.[] | select(.event == "inventory" and .id == "DPU_NIC")] | length == 1)' "$TMP/rc.out"
CHECK
expect_rc 0 "bmc mode" bmc mode
ok "reads DpuMode" grep -qx DpuMode "$TMP/rc.out"
bmc_stop
"$BFSIM" status --state "$TMP/st-bmc" --json | head -1 | jq -S '.installed' > "$TMP/bmc-installed.json"
"$BFSIM" run --state "$TMP/st-host" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" -c "$CFG" --timeout 120 > "$TMP/host-install.txt" 2>&1
"$BFSIM" status --state "$TMP/st-host" --json | head -1 | jq -S '.installed' > "$TMP/host-installed.json"
ok "the installed state equals a host install's" - <<'CHECK'
grep -q os "$TMP/host-installed.json" && diff "$TMP/host-installed.json" "$TMP/bmc-installed.json"
CHECK
ok "the device logged the same lines as in a host install" - <<'CHECK'
grep -E '^ (INFO|WARN|ERR)\[' "$TMP/host-install.txt" > "$TMP/host-lines.txt"
grep -E '^ (INFO|WARN|ERR)\[' "$TMP/bmc-log.txt" > "$TMP/bmc-lines.txt"
[ -s "$TMP/host-lines.txt" ] && diff "$TMP/host-lines.txt" "$TMP/bmc-lines.txt"
CHECK

# --- the installer updates the BMC's own firmware: the BMC reboots ----------
# (its Redfish login with the BMC's password; BMC_REBOOT: it reboots the BMC)
grep -v 'UPDATE_BMC_FW\|UPDATE_CEC_FW' "$CFG" > "$TMP/bmcfw.cfg"
printf 'UPDATE_BMC_FW="yes"\nBMC_USER="root"\nBMC_PASSWORD="%s"\nBMC_REBOOT="yes"\n' "$BFCTL_BMC_PASSWORD" >> "$TMP/bmcfw.cfg"
chmod 600 "$TMP/bmcfw.cfg"
# a BMC version other than the one a new device's BMC reports
ok "a bundle with BMC firmware 24.10-18" "$BFSIM" bundle -o "$TMP/bmcfw.bfb" --version BMC=24.10-18
ok "bfsim serve --bmc starts (-v)" bmc_start "$TMP/st-fw" -v
expect_rc 0 "an install that updates the BMC's firmware completes (the BMC's reboot is waited for)" \
	binst_fw --allow-plaintext-password
ok "the BMC rebooted" - <<'CHECK'
(for i in $(seq 300); do grep -q 'BMC of sim:0 reboots' "$TMP/serve.err" && exit 0; sleep 0.1; done; exit 1)
CHECK
ok "and reports the bundle's BMC firmware afterwards" - <<'CHECK'
(for i in $(seq 300); do
	bmc inventory > "$TMP/inv.txt" 2>/dev/null && grep -qE '^BMC_Firmware +BF-24\.10-18$' "$TMP/inv.txt" && exit 0
	sleep 0.1
done; cat "$TMP/inv.txt"; exit 1)
CHECK
bmc_stop

# --- the image server answers nothing but the image's path ----------------------
ok "bfsim serve --bmc starts with a slow link" bmc_start "$TMP/st-slow" --link-bps 40000
binst > "$TMP/slow.out" 2>&1 & INST=$!
ok "while the BMC pulls, the server is there and refuses / and /image.bfb (404)" - <<'CHECK'
(for i in $(seq 600); do
	c=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8099/)
	[ "$c" = 404 ] && break
	sleep 0.05
done
[ "$c" = 404 ] && [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8099/image.bfb)" = 404 ] &&
[ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT http://127.0.0.1:8099/)" = 404 ])
CHECK
ok "and the install still completes" wait "$INST"
bmc_stop

# --- the bundle by URL: downloaded once, then served to the BMC ---------------
mkdir -p "$TMP/www"
cp "$SAMPLE" "$TMP/www/b.bfb"
ok "a file server for the bundle" www_start "$TMP/www" 8098
ok "bfsim serve --bmc starts" bmc_start "$TMP/st-url"
expect_rc 0 "install --bmc --bfb URL: fetched into the cache, served to the BMC, installed" \
	"$BFCTL" install --bmc "$BMC" --cacert "$BFSIM_BMC_CACERT" --bfb http://127.0.0.1:8098/b.bfb \
	--cache "$TMP/cache" --config "$CFG" --serve 127.0.0.1 --timeout 120
ok "ends at OsIsRunning" grep -q 'install complete through its BMC (OsIsRunning)' "$TMP/rc.out"
bmc_stop
www_stop

# --- mode, resets --------------------------------------------------------------
ok "bfsim serve --bmc starts" bmc_start "$TMP/st-nic" -v
expect_rc 0 "bmc mode nic" bmc mode nic
ok "reads back NicMode" grep -qx NicMode "$TMP/rc.out"
expect_rc 0 "in NIC mode the install through the BMC ends at UEFI" binst
ok "and says so" grep -q 'install complete through its BMC (UEFI)' "$TMP/rc.out"
ok "the installer logged In Enhanced NIC mode (read through the host RShim afterwards)" - <<'CHECK'
bmc rshim host >/dev/null && "$BFCTL" log -r sim:0 | grep -q 'In Enhanced NIC mode'
CHECK
expect_rc 0 "bmc mode dpu" bmc mode dpu
expect_rc 0 "bmc reset arm" bmc reset arm
expect_rc 0 "bmc reset bmc" bmc reset bmc
ok "the BMC rebooted" - <<'CHECK'
(for i in $(seq 300); do grep -q 'BMC of sim:0 reboots' "$TMP/serve.err" && exit 0; sleep 0.1; done; exit 1)
CHECK
expect_rc 0 "the next request waits for the BMC to come back" bmc mode
ok "and reads DpuMode" grep -qx DpuMode "$TMP/rc.out"
bmc_stop

# --- credentials, TLS, deadlines -------------------------------------------
ok "bfsim serve --bmc starts again" bmc_start "$TMP/st-2"
expect_rc 4 "a wrong password: exit 4" env BFCTL_BMC_PASSWORD=wrong "$BFCTL" bmc mode --bmc "$BMC" --cacert "$BFSIM_BMC_CACERT"
ok "which says to check the user and password" grep -q 'check the user and password' "$TMP/rc.err"
expect_rc 4 "the BMC's certificate not trusted (no --cacert): exit 4" "$BFCTL" bmc mode --bmc "$BMC"
ok "which names --cacert" grep -q -- '--cacert' "$TMP/rc.err"
expect_rc 0 "--password-file instead of the variable" env -u BFCTL_BMC_PASSWORD "$BFCTL" bmc mode --bmc "$BMC" --cacert "$BFSIM_BMC_CACERT" --password-file "$PWFILE"
expect_rc 2 "a password in the URL is refused" "$BFCTL" bmc mode --bmc "https://root:x@127.0.0.1:8443" --cacert "$BFSIM_BMC_CACERT"
expect_rc 2 "--serve on the wildcard address is refused" binst_wild
expect_rc 7 "a BMC that never answers: exit 7 at the deadline" "$BFCTL" bmc mode --bmc https://127.0.0.1:9 --timeout 3
# A host backend holds the RShim: the BMC cannot take it.
"$BFCTL" log -r sim:0 --follow >"$TMP/follow.out" 2>&1 </dev/null & HOLD=$!
for i in $(seq 300); do grep -q . "$TMP/follow.out" && break; sleep 0.1; done
expect_rc 4 "install --bmc while the host holds the RShim: exit 4" binst
ok "which says a host program holds it" grep -q 'host program holds the RShim' "$TMP/rc.err"
kill "$HOLD" 2>/dev/null; wait "$HOLD" 2>/dev/null
bmc_stop

# --- the BMC's faults --------------------------------------------------------
fault() {  # fault F CODE PATTERN DESC
	ok "$1: bfsim starts" bmc_start "$TMP/st-$1" --fault "$1"
	expect_rc "$2" "$1: install --bmc exits $2" binst
	ok "$1: $4" grep -q -- "$3" "$TMP/rc.err"
	bmc_stop
}
fault bmc-auth 4 'check the user and password' 'check the user and password'
fault bmc-auth=password-change 4 'requires it to be changed' 'the password must be changed'
fault bmc-busy 4 'An update is in progress' 'the BMC is busy'
fault bmc-pull-fail 6 "Check and restart server's web service" "the BMC's message"
fault bmc-reboot-during=transfer 5 'restarted during the transfer' 'the BMC restarted during the transfer'
ok "bmc-reboot-during=boot: bfsim starts" bmc_start "$TMP/st-boot" --fault bmc-reboot-during=boot
expect_rc 0 "bmc-reboot-during=boot: the BMC is waited for, the install completes" binst -v
ok "bmc-reboot-during=boot: the wait was logged" grep -q 'does not answer' "$TMP/rc.err"
ok "bmc-reboot-during=boot: ends at OsIsRunning" grep -q 'install complete through its BMC (OsIsRunning)' "$TMP/rc.out"
bmc_stop
ok "bmc-identical: bfsim starts" bmc_start "$TMP/st-id" --fault bmc-identical
expect_rc 0 "bmc-identical: exit 0" binst --json
ok "bmc-identical: result skipped" - <<'CHECK'
tail -1 "$TMP/rc.out" | jq -e '.ok and .status == "skipped" and (.message | test("identical"))'
CHECK
bmc_stop
done_testing
